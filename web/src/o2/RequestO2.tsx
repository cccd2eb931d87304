/** The form to request an O2 account on My O2. */
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { idempotencyKey } from '../api/client.ts';
import { confirmPi, requestO2, type Lab } from '../api/o2.ts';
import { api } from '../api.ts';
import { FormOutcomeView, useFormAction } from '../kit/FormProblem.tsx';
import { useHuidLookup } from '../kit/lookup.ts';
import { Field } from '../kit/ui.tsx';
import { navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { institutionName } from './text.ts';
import type { FieldWords } from '../kit/words.ts';

/** The request form's fields as it calls them, for their errors. */
const REQUEST_WORDS: Record<string, FieldWords> = {
  userHuid: { what: "the user's HUID", kind: 'huid' },
  piHuid: { what: "the sponsoring PI's HUID", kind: 'huid' },
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
  const [piHuid, setPiHuid] = useState('');
  const [justification, setJustification] = useState('');
  const [hmsSponsor, setHmsSponsor] = useState('');
  const key = useRef(idempotencyKey());
  const lab = useMemo(() => labs.find((l) => l.labId === labId), [labs, labId]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void form.run(
      () =>
        requestO2(
          api(),
          {
            userHuid: userHuid.trim(),
            piHuid: lab ? lab.piHuid : piHuid.trim(),
            labId: labId.trim(),
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
          <PiAndLab
            piHuid={piHuid}
            setPiHuid={(v) => (setPiHuid(v), form.forget('piHuid'), form.forget('labId'))}
            labId={labId}
            setLabId={(v) => (setLabId(v), form.forget('labId'))}
            errors={{ piHuid: form.fields.piHuid, labId: form.fields.labId }}
          />
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

/**
 * For a lab member: the sponsoring PI by HUID, confirmed by name, then the lab among the PI's labs,
 * by name (no lab ID to type; issue 20).
 */
function PiAndLab({
  piHuid,
  setPiHuid,
  labId,
  setLabId,
  errors,
}: {
  piHuid: string;
  setPiHuid: (v: string) => void;
  labId: string;
  setLabId: (v: string) => void;
  errors: { piHuid?: string | undefined; labId?: string | undefined };
}) {
  const pi = useHuidLookup(piHuid, (huid) => confirmPi(api(), huid));
  const piLabs = pi.kind === 'found' ? pi.value.labs : [];
  // The PI's first lab until the person picks another (a lab of another PI is never kept).
  useEffect(() => {
    if (piLabs.length && !piLabs.some((l) => l.labId === labId)) setLabId(piLabs[0]!.labId);
    if (!piLabs.length && labId) setLabId('');
  }, [piLabs, labId, setLabId]);
  return (
    <>
      <Field id="o2-pi" label="Sponsoring PI's HUID" hint="Your PI (or your lab manager's PI), who approves: their 8-digit Harvard ID." error={errors.piHuid}>
        {(p) => <input {...p} type="text" inputMode="numeric" autoComplete="off" value={piHuid} onChange={(e) => setPiHuid(e.target.value)} />}
      </Field>
      <div className="lookup" aria-live="polite" role="status">
        {pi.kind === 'looking' ? <p className="hint">Looking up this HUID…</p> : null}
        {pi.kind === 'found' ? (
          <p className="lookup-found">
            <strong>{pi.value.name}</strong>
            {pi.value.labs.length ? `: ${pi.value.labs.length === 1 ? 'one lab' : `${pi.value.labs.length} labs`}.` : ' has recorded no lab yet: ask them to record it on their My O2 page.'}
          </p>
        ) : null}
        {pi.kind === 'none' ? <p className="lookup-warning">No PI has this HUID. Check it with your PI.</p> : null}
      </div>
      {piLabs.length ? (
        <Field id="o2-lab" label="Lab" hint={piLabs.find((l) => l.labId === labId)?.quad.reason} error={errors.labId}>
          {(p) => (
            <select {...p} value={labId} onChange={(e) => setLabId(e.target.value)}>
              {piLabs.map((l) => (
                <option key={l.labId} value={l.labId}>
                  {l.name} ({institutionName(l.institution)}, {l.quad.onQuad ? 'on-Quad' : 'off-Quad'})
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : errors.labId ? (
        <p className="field-error">{errors.labId}</p>
      ) : null}
    </>
  );
}
