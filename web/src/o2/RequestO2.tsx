/** The form to request an O2 account on My O2. */
import { useCallback, useMemo, useRef, useState, type FormEvent } from 'react';
import { idempotencyKey } from '../api/client.ts';
import { requestO2, type Lab, type LabCard } from '../api/o2.ts';
import { LabPicker } from './LabPicker.tsx';
import { api } from '../api.ts';
import { FormOutcomeView, useFormAction } from '../kit/FormProblem.tsx';
import { Field } from '../kit/ui.tsx';
import { navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { institutionName } from './text.ts';
import type { FieldWords } from '../kit/words.ts';

/** The request form's fields as it calls them, for their errors. */
const REQUEST_WORDS: Record<string, FieldWords> = {
  userHuid: { what: "the user's HUID", kind: 'huid' },
  piHuid: { what: 'the lab (find it by its name or its PI’s name, then pick it)', kind: 'choice' },
  labId: { what: 'the lab', kind: 'choice' },
  justification: { what: 'the justification' },
  hmsSponsorHuid: { what: "the HMS sponsor's HUID", kind: 'huid' },
};

/** The form to request an O2 account: for the person themself (then the PI approves) or, for a PI, for a member of their lab. */
export function RequestO2({ labs }: { labs: Lab[] }) {
  const { me } = useSession();
  const form = useFormAction(REQUEST_WORDS);
  const ownsLabs = labs.length > 0;
  const [userHuid, setUserHuid] = useState(ownsLabs ? '' : me.huid);
  const [labId, setLabId] = useState(labs[0]?.labId ?? '');
  const [found, setFound] = useState<LabCard | undefined>();
  const choose = useCallback(
    (l: LabCard | undefined) => {
      setFound(l);
      form.forget('piHuid');
      form.forget('labId');
    },
    [form.forget],
  );
  const [justification, setJustification] = useState('');
  const [hmsSponsor, setHmsSponsor] = useState('');
  const key = useRef(idempotencyKey());
  const lab = useMemo(() => labs.find((l) => l.labId === labId), [labs, labId]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!lab && !found) return form.refuse({ labId: 'required' });
    void form.run(
      () =>
        requestO2(
          api(),
          {
            userHuid: userHuid.trim(),
            piHuid: lab ? lab.piHuid : (found?.piHuid ?? ''),
            labId: lab ? labId : (found?.labId ?? ''),
            ...(justification.trim() ? { justification: justification.trim() } : {}),
            ...(hmsSponsor.trim() ? { hmsSponsorHuid: hmsSponsor.trim() } : {}),
          },
          key.current,
        ),
      ({ o2 }) => {
        const flash =
          o2.status === 'PENDING_HMS_ACCOUNT'
            ? 'Requested. The user has no HMS account yet: an HMS guest account was requested first; the O2 request goes on once it is active.'
            : o2.status === 'PENDING_PI_APPROVAL' && !o2.approval
              ? 'Requested. The sponsoring PI has been asked to approve it.'
              : 'Requested and approved by you: the O2 account is being set up.';
        navigate(`/o2-accounts/${o2.o2AccountId}`, { state: { flash } });
        return undefined;
      },
      () => (key.current = idempotencyKey()),
    );
  };

  return (
    <section aria-labelledby="request-o2-heading">
      <h2 id="request-o2-heading">Request an O2 account</h2>
      <form className="form action-card" noValidate onSubmit={submit} aria-labelledby="request-o2-heading">
        <p className="hint form-intro">
          A user with no HMS account gets an HMS guest account requested first (with a Harvard ID; without one, the user first needs a Harvard Sponsored Role). Requests by the user
          are approved by the sponsoring PI; the PI&apos;s own requests are approved by asking.
        </p>
        <Field id="o2-user" label="User's HUID" hint={`The 8-digit Harvard ID of the person the O2 account is for${ownsLabs ? '' : ` (yours: ${me.huid})`}.`} error={form.fields.userHuid}>
          {(p) => <input {...p} type="text" inputMode="numeric" autoComplete="off" value={userHuid} onChange={(e) => setUserHuid(e.target.value)} />}
        </Field>
        {ownsLabs ? (
          <Field id="o2-lab" label="Lab" hint={lab ? lab.quad.reason : undefined} error={form.fields.labId ?? form.fields.piHuid}>
            {(p) => (
              <select {...p} value={labId} onChange={(e) => setLabId(e.target.value)}>
                {labs.map((l) => (
                  <option key={l.labId} value={l.labId}>
                    {l.name} ({institutionName(l.institution)}, {l.quad.onQuad ? 'on-Quad' : 'off-Quad'})
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : (
          <LabPicker chosen={found} onChoose={choose} errors={{ piHuid: form.fields.piHuid, labId: form.fields.labId }} />
        )}
        <Field id="o2-justification" label="Justification (optional)" hint="What the user will run on O2. The PI sees it when approving." error={form.fields.justification}>
          {(p) => <textarea {...p} rows={3} maxLength={2000} value={justification} onChange={(e) => setJustification(e.target.value)} />}
        </Field>
        <Field
          id="o2-hms-sponsor"
          label="HMS sponsor's HUID (optional)"
          hint="Only for a user without an HMS account whose PI is not HMS faculty (a lab at FAS, HSPH, SEAS, …): the HMS collaborator, or the RC Core's sponsor, who sponsors the HMS guest account."
          error={form.fields.hmsSponsorHuid}
        >
          {(p) => <input {...p} type="text" inputMode="numeric" autoComplete="off" value={hmsSponsor} onChange={(e) => setHmsSponsor(e.target.value)} />}
        </Field>
        <FormOutcomeView outcome={form.outcome} id="request-o2" />
        <button type="submit" className="button-primary" disabled={form.busy}>
          Request the O2 account
        </button>
      </form>
    </section>
  );
}
