/**
 * The actions a person may take on a guest now, and only those (rules.ts `allowedActions`): approve
 * or deny, extend (a date within the rule's bounds), send a new activation code, cancel; HMS IT
 * expires and reassigns. Each writes on the version the page shows (If-Match), then shows its
 * result and the new state.
 */
import { useRef, useState, type ReactNode } from 'react';
import { ApiError, cancelGuest, decide, expireGuest, extendGuest, idempotencyKey, reassignGuest, resendActivation, type Guest, type Me } from '../api/client.ts';
import { api, describeError, fieldErrors } from '../api.ts';
import { config } from '../config.ts';
import { extensionBounds, relation, type GuestActionName } from './rules.ts';
import { formatDate, STATUS_LABELS } from '../text.ts';
import { Field } from '../kit/ui.tsx';
import { can } from '../../../shared/guest/domain/transitions.ts';

type Applied = (guest: Guest, etag: string, settled: (g: Guest) => boolean) => Promise<Guest | undefined>;

interface Outcome {
  kind: 'success' | 'error';
  text: string;
  hsr?: boolean;
  n: number;
}

function Confirm({ label, confirm, busy, onConfirm, children }: { label: string; confirm: string; busy: boolean; onConfirm: () => void; children?: ReactNode }) {
  const [asking, setAsking] = useState(false);
  const yes = useRef<HTMLButtonElement>(null);
  if (!asking) {
    return (
      <button
        type="button"
        className="button-danger"
        onClick={() => {
          setAsking(true);
          requestAnimationFrame(() => yes.current?.focus());
        }}
      >
        {label}
      </button>
    );
  }
  return (
    <div className="confirm">
      {children}
      <p>{confirm}</p>
      <button ref={yes} type="button" className="button-danger" disabled={busy} onClick={onConfirm}>
        Yes, {label.charAt(0).toLowerCase() + label.slice(1)}
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        No, keep it
      </button>
    </div>
  );
}

export function GuestActions({
  guest,
  etag,
  allowed,
  me,
  today,
  onApplied,
  onStale,
}: {
  guest: Guest;
  etag: string;
  allowed: Set<GuestActionName>;
  me: Me;
  today: string;
  onApplied: Applied;
  onStale: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const [reason, setReason] = useState('');
  const bounds = extensionBounds(guest, today);
  const [endDate, setEndDate] = useState('');
  const [endDateError, setEndDateError] = useState<string>();
  const [sponsorHuid, setSponsorHuid] = useState('');
  const [sponsorError, setSponsorError] = useState<string>();
  const [itReason, setItReason] = useState('');
  const r = relation(me, guest);

  const run = async (write: (key: string) => Promise<{ guest: Guest; etag: string }>, success: (g: Guest) => string, settled: (g: Guest) => boolean = () => true) => {
    setBusy(true);
    setEndDateError(undefined);
    setSponsorError(undefined);
    try {
      const answer = await write(idempotencyKey());
      setOutcome((o) => ({ kind: 'success', text: success(answer.guest), n: (o?.n ?? 0) + 1 }));
      // Done with what was typed for it: the forms start empty again for the guest as it is now.
      setEndDate('');
      setSponsorHuid('');
      setReason('');
      setItReason('');
      const latest = await onApplied(answer.guest, answer.etag, settled);
      if (latest) setOutcome((o) => ({ kind: 'success', text: success(latest), n: (o?.n ?? 0) + 1 }));
    } catch (err) {
      const fields = fieldErrors(err);
      if (fields.endDate) setEndDateError(fields.endDate);
      if (fields.sponsorHuid) setSponsorError(fields.sponsorHuid);
      const hsr = err instanceof ApiError && err.status === 422 && /HSR|Sponsored Role/.test(err.message);
      setOutcome((o) => ({ kind: 'error', text: describeError(err), hsr, n: (o?.n ?? 0) + 1 }));
      if (err instanceof ApiError && err.status === 412) onStale();
    } finally {
      setBusy(false);
    }
  };

  const offered = [...allowed].filter((a) => a !== 'executions');
  const restoring = can(guest.status, 'restore');

  return (
    <section className="actions" aria-labelledby="actions-heading">
      <h2 id="actions-heading">What you can do</h2>
      <div aria-live="polite" role="status" className="outcome">
        {outcome?.kind === 'success' ? <p className="alert alert-success">{outcome.text}</p> : null}
      </div>
      {outcome?.kind === 'error' ? (
        <div className="alert alert-error" role="alert" key={outcome.n}>
          <p>{outcome.text}</p>
          {outcome.hsr ? (
            <p>
              <a href={config().hsrPortalUrl}>Open the HSR Portal</a> to extend the guest&apos;s Harvard Sponsored Role, then come back here.
            </p>
          ) : null}
        </div>
      ) : null}
      {offered.length === 0 ? (
        <p>
          {r.delegate && !r.sponsor
            ? 'Nothing for you to do now: only the sponsor approves, extends or cancels. You can follow the guest here.'
            : 'Nothing to do on this guest now.'}
        </p>
      ) : null}

      {allowed.has('decide') ? (
        <form className="action" onSubmit={(e) => e.preventDefault()}>
          <h3>Approve or deny the request</h3>
          <p>Submitted by {guest.submittedBy === me.huid ? 'you' : guest.submittedBy} for {guest.guestName}, until {formatDate(guest.endDate)}.</p>
          <Field id="decision-reason" label="Reason (optional)" hint="Sent to the person who submitted the request if you deny it.">
            {(p) => <textarea {...p} rows={2} maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />}
          </Field>
          <div className="buttons">
            <button
              type="button"
              className="button-primary"
              disabled={busy}
              onClick={() =>
                void run(
                  (key) => decide(api(), guest.guestId, etag, { decision: 'approve', ...(reason.trim() ? { reason: reason.trim() } : {}) }, key),
                  (g) =>
                    g.status === 'PENDING_ACTIVATION'
                      ? `Approved. Account ${g.accountId ?? ''} is set up and the guest was sent the email "Activate your HMS account" (you get a copy).`
                      : g.status === 'PENDING_HSR'
                        ? "Approved. The account is set up as soon as the guest's HSR covers the end date."
                        : 'Approved. The account is being set up…',
                  (g) => g.status !== 'PENDING_APPROVAL',
                )
              }
            >
              Approve
            </button>
            <button
              type="button"
              className="button-danger"
              disabled={busy}
              onClick={() =>
                void run(
                  (key) => decide(api(), guest.guestId, etag, { decision: 'deny', ...(reason.trim() ? { reason: reason.trim() } : {}) }, key),
                  () => 'Denied. The person who submitted the request has been told.',
                )
              }
            >
              Deny
            </button>
          </div>
        </form>
      ) : null}

      {allowed.has('extend') ? (
        <form
          className="action"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void run(
              (key) => extendGuest(api(), guest.guestId, etag, endDate, key),
              (g) => (restoring ? `Restored: the account is ${STATUS_LABELS[g.status].toLowerCase()} again, until ${formatDate(g.endDate)}.` : `Extended: the account now ends on ${formatDate(g.endDate)}.`),
            );
          }}
        >
          <h3>{restoring ? 'Restore the account (extend after expiry)' : 'Extend the account'}</h3>
          <Field
            id="extension-end-date"
            label="New end date"
            hint={`From ${formatDate(bounds.min)} to ${formatDate(bounds.max)} (at most one year from today). The guest's HSR must cover it.`}
            error={endDateError}
          >
            {(p) => <input {...p} type="date" required min={bounds.min} max={bounds.max} value={endDate} onChange={(e) => setEndDate(e.target.value)} />}
          </Field>
          <button type="submit" className="button-primary" disabled={busy}>
            {restoring ? 'Restore the account' : 'Extend the account'}
          </button>
        </form>
      ) : null}

      {allowed.has('resend') ? (
        <div className="action">
          <h3>Activation code</h3>
          <p>The guest has not activated the account yet. A new code replaces the old one and is sent to the guest&apos;s personal email.</p>
          <button
            type="button"
            disabled={busy}
            onClick={() => void run((key) => resendActivation(api(), guest.guestId, etag, key), () => 'A new activation code was sent to the guest; the old one no longer works.')}
          >
            Send a new activation code
          </button>
        </div>
      ) : null}

      {allowed.has('reassign') ? (
        <form
          className="action"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void run((key) => reassignGuest(api(), guest.guestId, etag, sponsorHuid.trim(), itReason.trim() || undefined, key), (g) => `Moved to sponsor ${g.sponsorHuid}.`);
          }}
        >
          <h3>Move to another sponsor (HMS IT)</h3>
          <Field id="reassign-sponsor" label="New sponsor's HUID" hint="An active HMS or HSDM faculty or staff member." error={sponsorError}>
            {(p) => <input {...p} type="text" inputMode="numeric" autoComplete="off" value={sponsorHuid} onChange={(e) => setSponsorHuid(e.target.value)} />}
          </Field>
          <Field id="it-reason" label="Reason (optional, kept in the history)">
            {(p) => <input {...p} type="text" maxLength={1000} value={itReason} onChange={(e) => setItReason(e.target.value)} />}
          </Field>
          <button type="submit" disabled={busy}>
            Move to this sponsor
          </button>
        </form>
      ) : null}

      {allowed.has('cancel') || allowed.has('expire') ? (
        <div className="action danger-zone">
          <h3>End it</h3>
          <div className="buttons">
            {allowed.has('expire') ? (
              <Confirm
                label="Expire the account now"
                confirm="The account is disabled now; the sponsor can still restore it within 30 days of the end date."
                busy={busy}
                onConfirm={() => void run((key) => expireGuest(api(), guest.guestId, etag, itReason.trim() || undefined, key), () => 'Expired: the account is disabled. The sponsor and the guest are told.')}
              />
            ) : null}
            {allowed.has('cancel') ? (
              <Confirm
                label={guest.accountId ? 'Cancel the account' : 'Cancel the request'}
                confirm="This cannot be undone: a new request is needed afterwards."
                busy={busy}
                onConfirm={() => void run((key) => cancelGuest(api(), guest.guestId, etag, undefined, key), () => 'Cancelled.')}
              />
            ) : null}
          </div>
        </div>
      ) : null}
    </section>
  );
}
