/** The labs a person heads (or manages) on My O2, each with its on- or off-Quad reason and RC Core registration, and the form to record a lab. */
import { useRef, useState, type FormEvent } from 'react';
import { idempotencyKey } from '../api/client.ts';
import { createLab, type Institution, type Lab } from '../api/o2.ts';
import { api } from '../api.ts';
import { FormOutcomeView, useFormAction } from '../kit/FormProblem.tsx';
import { Field } from '../kit/ui.tsx';
import { INSTITUTION_NAMES, INSTITUTIONS } from '../../../shared/o2/domain/model.ts';
import { institutionKind, quadReason, registrationText, INSTITUTION_GROUPS, institutionName } from './text.ts';
import type { FieldWords } from '../kit/words.ts';

export function O2Labs({ labs, onCreated }: { labs: Lab[]; onCreated: () => void }) {
  const [recorded, setRecorded] = useState<Lab>();
  const created = (lab: Lab) => {
    setRecorded(lab);
    onCreated();
  };
  return (
    <section aria-labelledby="labs-heading">
      <h2 id="labs-heading">Your labs</h2>
      <div aria-live="polite" role="status" className="outcome">
        {recorded ? (
          <p className="alert alert-success">
            Recorded: {recorded.name}. {recorded.quad.reason}
          </p>
        ) : null}
      </div>
      {labs.length === 0 ? (
        <>
          <p>You head no lab record. A PI (a person with a faculty appointment) records their lab once; its O2 accounts are then requested for it.</p>
          <details className="disclosure">
            <summary>Record your lab (PIs)</summary>
            <NewLab onCreated={created} />
          </details>
        </>
      ) : (
        <>
          <LabTable labs={labs} />
          <details className="disclosure">
            <summary>Record another lab</summary>
            <NewLab onCreated={created} />
          </details>
        </>
      )}
    </section>
  );
}

/** The lab form's fields as it calls them, for their errors. */
const LAB_WORDS: Record<string, FieldWords> = { name: { what: "the lab's name" }, institution: { what: 'the institution', kind: 'choice' } };

function LabTable({ labs }: { labs: Lab[] }) {
  return (
    <div className="table-wrap">
      <table className="labs stack">
        <caption className="visually-hidden">Your labs</caption>
        <thead>
          <tr>
            <th scope="col">Lab</th>
            <th scope="col">Institution</th>
            <th scope="col">On-Quad or off-Quad</th>
            <th scope="col">RC Core registration</th>
          </tr>
        </thead>
        <tbody>
          {labs.map((lab) => (
            <tr key={lab.labId}>
              <th scope="row">
                {lab.name}
                <span className="sub">
                  Lab ID <code>{lab.labId}</code>
                </span>
              </th>
              <td data-label="Institution">
                {institutionName(lab.institution)}
                <span className="sub">{institutionKind(lab.institution)}</span>
              </td>
              <td data-label="On- or off-Quad">
                <strong>{lab.quad.onQuad ? 'On-Quad' : 'Off-Quad'}</strong>
                <span className="sub">{quadReason(lab.quad.reason)}</span>
              </td>
              <td data-label="RC Core registration">{registrationText(lab)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The form to record a lab: its name and institution (the API derives on-Quad or off-Quad, with the reason). */
function NewLab({ onCreated }: { onCreated: (lab: Lab) => void }) {
  const form = useFormAction(LAB_WORDS);
  const [name, setName] = useState('');
  const [institution, setInstitution] = useState<Institution | ''>('');
  const key = useRef(idempotencyKey());
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.run(
      () => createLab(api(), { name: name.trim(), institution: institution as Institution }, key.current),
      ({ lab }) => {
        key.current = idempotencyKey();
        setName('');
        setInstitution('');
        onCreated(lab);
        return undefined;
      },
      () => (key.current = idempotencyKey()),
    );
  };
  return (
    <form className="form action-card" noValidate onSubmit={submit} aria-labelledby="new-lab-heading">
      <h3 id="new-lab-heading">Record a lab</h3>
      <Field id="lab-name" label="Lab name" hint="As the lab is known, e.g. “Chen Lab”." error={form.fields.name}>
        {(p) => <input {...p} type="text" autoComplete="off" maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field id="lab-institution" label="Institution" hint="Where the lab is based: HMS, another Harvard school, the Wyss Institute, or an HMS affiliated hospital or institute." error={form.fields.institution}>
        {(p) => (
          <select {...p} value={institution} onChange={(e) => setInstitution(e.target.value as Institution)}>
            <option value="">Choose the institution</option>
            {INSTITUTION_GROUPS.map((g) => (
              <optgroup key={g.kind} label={g.label}>
                {INSTITUTION_NAMES.filter((i) => INSTITUTIONS[i] === g.kind).map((i) => (
                  <option key={i} value={i}>
                    {institutionName(i)}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        )}
      </Field>
      <FormOutcomeView outcome={form.outcome} id="new-lab" />
      <button type="submit" disabled={form.busy}>
        Record the lab
      </button>
    </form>
  );
}
