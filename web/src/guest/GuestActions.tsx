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
import { ActionsBox } from '../kit/resource.tsx';
import { Field } from '../kit/ui.tsx';
import { inWords, type FieldWords } from '../kit/words.ts';
import { formatDate, STATUS_LABELS } from '../text.ts';
import { can } from '../../../shared/guest/domain/transitions.ts';
import { extensionBounds, relation, type GuestActionName } from './rules.ts';

/** The actions' fields as their forms call them, for their errors. */
const ACTION_WORDS: Record<string, FieldWords> = { endDate: { what: 'the new end date', kind: 'date' }, sponsorHuid: { what: "the new sponsor's HUID", kind: 'huid' }, reason: { what: 'the reason' } };

type Applied = (guest: Guest, etag: string, settled: (g: Guest) => boolean) => Promise<Guest | undefined>;

interface Outcome {
  kind: 'success' | 'error';
  text: string;
  hsr?: boolean;
  n: number;
}

/** One write on the guest: what it sends, what the person is told (from the guest as it is now), when the workflow's next steps have landed. */
type Run = (write: (key: string) => Promise<{ guest: Guest; etag: string }>, success: (g: Guest) => string, opts?: { settled?: (g: Guest) => boolean; done?: () => void }) => void;

/** What every action's form gets: the guest as read, its ETag, the one write in flight, and the field errors of the last one. */
interface ActionProps {
  guest: Guest;
  etag: string;
  busy: boolean;
  run: Run;
  fields: Record<string, string>;
}

/** The writes the actions make, one at a time: the answer shown at once, then the workflow followed; an error (field by field) shown above the forms. */
function useGuestWrites(onApplied: Applied, onStale: () => void) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const run: Run = (write, success, { settled = () => true, done } = {}) =>
    void (async () => {
      setBusy(true);
      setFields({});
      try {
        const answer = await write(idempotencyKey());
        setOutcome((o) => ({ kind: 'success', text: success(answer.guest), n: (o?.n ?? 0) + 1 }));
        // Done with what was typed for it: the form starts empty again for the guest as it is now.
        done?.();
        const latest = await onApplied(answer.guest, answer.etag, settled);
        if (latest) setOutcome((o) => ({ kind: 'success', text: success(latest), n: (o?.n ?? 0) + 1 }));
      } catch (err) {
        setFields(inWords(fieldErrors(err), ACTION_WORDS));
        const hsr = err instanceof ApiError && err.status === 422 && /HSR|Sponsored Role/.test(err.message);
        setOutcome((o) => ({ kind: 'error', text: describeError(err), hsr, n: (o?.n ?? 0) + 1 }));
        if (err instanceof ApiError && err.status === 412) onStale();
      } finally {
        setBusy(false);
      }
    })();
  return { busy, outcome, fields, run };
}

export function GuestActions({ guest, etag, allowed, me, today, onApplied, onStale }: { guest: Guest; etag: string; allowed: Set<GuestActionName>; me: Me; today: string; onApplied: Applied; onStale: () => void }) {
  const { busy, outcome, fields, run } = useGuestWrites(onApplied, onStale);
  const props: ActionProps = { guest, etag, busy, run, fields };
  const offered = [...allowed].filter((a) => a !== 'executions');
  const r = relation(me, guest);
  return (
    <ActionsBox id="actions-heading" outcome={outcome?.kind === 'success' ? outcome.text : undefined}>
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
        <p>{r.delegate && !r.sponsor ? 'Nothing for you to do now: only the sponsor approves, extends or cancels. You can follow the guest here.' : 'Nothing to do on this guest now.'}</p>
      ) : null}
      {allowed.has('decide') ? <Decide {...props} submitter={guest.submittedBy === me.huid ? 'you' : (guest.names?.[guest.submittedBy] ?? `HUID ${guest.submittedBy}`)} /> : null}
      {allowed.has('extend') ? <Extend {...props} today={today} /> : null}
      {allowed.has('resend') ? <Resend {...props} /> : null}
      {allowed.has('reassign') ? <Reassign {...props} /> : null}
      {allowed.has('cancel') || allowed.has('expire') ? <EndIt {...props} expire={allowed.has('expire')} cancel={allowed.has('cancel')} /> : null}
    </ActionsBox>
  );
}

function Decide({ guest, etag, busy, run, submitter }: ActionProps & { submitter: string }) {
  const [reason, setReason] = useState('');
  const answer = (decision: 'approve' | 'deny') =>
    run(
      (key) => decide(api(), guest.guestId, etag, { decision, ...(reason.trim() ? { reason: reason.trim() } : {}) }, key),
      decision === 'deny'
        ? () => 'Denied. The person who submitted the request has been told.'
        : (g) =>
            g.status === 'PENDING_ACTIVATION'
              ? `Approved. Account ${g.accountId ?? ''} is set up and the guest was sent the email "Activate your HMS account" (you get a copy).`
              : g.status === 'PENDING_HSR'
                ? "Approved. The account is set up as soon as the guest's HSR covers the end date."
                : 'Approved. The account is being set up…',
      { settled: decision === 'approve' ? (g) => g.status !== 'PENDING_APPROVAL' : () => true, done: () => setReason('') },
    );
  return (
    <form className="action" onSubmit={(e) => e.preventDefault()}>
      <h3>Approve or deny the request</h3>
      <p>
        Submitted by {submitter} for {guest.guestName}, until {formatDate(guest.endDate)}.
      </p>
      <Field id="decision-reason" label="Reason (optional)" hint="Sent to the person who submitted the request if you deny it.">
        {(p) => <textarea {...p} rows={2} maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <div className="buttons">
        <button type="button" className="button-primary" disabled={busy} onClick={() => answer('approve')}>
          Approve
        </button>
        <button type="button" className="button-danger" disabled={busy} onClick={() => answer('deny')}>
          Deny
        </button>
      </div>
    </form>
  );
}

function Extend({ guest, etag, busy, run, fields, today }: ActionProps & { today: string }) {
  const [endDate, setEndDate] = useState('');
  const bounds = extensionBounds(guest, today);
  const restoring = can(guest.status, 'restore');
  return (
    <ActionForm
      onSubmit={() => {
        run(
          (key) => extendGuest(api(), guest.guestId, etag, endDate, key),
          (g) => (restoring ? `Restored: the account is ${STATUS_LABELS[g.status].toLowerCase()} again, until ${formatDate(g.endDate)}.` : `Extended: the account now ends on ${formatDate(g.endDate)}.`),
          { done: () => setEndDate('') },
        );
      }}
    >
      <h3>{restoring ? 'Restore the account (extend after expiry)' : 'Extend the account'}</h3>
      <Field
        id="extension-end-date"
        label="New end date"
        hint={`From ${formatDate(bounds.min)} to ${formatDate(bounds.max)} (at most one year from today). The guest's HSR must cover it.`}
        error={fields.endDate}
      >
        {(p) => <input {...p} type="date" required min={bounds.min} max={bounds.max} value={endDate} onChange={(e) => setEndDate(e.target.value)} />}
      </Field>
      <button type="submit" className="button-primary" disabled={busy}>
        {restoring ? 'Restore the account' : 'Extend the account'}
      </button>
    </ActionForm>
  );
}

function Resend({ guest, etag, busy, run }: ActionProps) {
  return (
    <div className="action">
      <h3>Activation code</h3>
      <p>The guest has not activated the account yet. A new code replaces the old one and is sent to the guest&apos;s personal email.</p>
      <button type="button" disabled={busy} onClick={() => run((key) => resendActivation(api(), guest.guestId, etag, key), () => 'A new activation code was sent to the guest; the old one no longer works.')}>
        Send a new activation code
      </button>
    </div>
  );
}

function Reassign({ guest, etag, busy, run, fields }: ActionProps) {
  const [sponsorHuid, setSponsorHuid] = useState('');
  const [reason, setReason] = useState('');
  return (
    <ActionForm
      onSubmit={() => {
        run((key) => reassignGuest(api(), guest.guestId, etag, sponsorHuid.trim(), reason.trim() || undefined, key), (g) => `Moved to sponsor ${g.sponsorHuid}.`, {
          done: () => {
            setSponsorHuid('');
            setReason('');
          },
        });
      }}
    >
      <h3>Move to another sponsor (HMS IT)</h3>
      <Field id="reassign-sponsor" label="New sponsor's HUID" hint="An active HMS or HSDM faculty or staff member." error={fields.sponsorHuid}>
        {(p) => <input {...p} type="text" inputMode="numeric" autoComplete="off" value={sponsorHuid} onChange={(e) => setSponsorHuid(e.target.value)} />}
      </Field>
      <HistoryReason id="it-reason" value={reason} onChange={setReason} />
      <button type="submit" disabled={busy}>
        Move to this sponsor
      </button>
    </ActionForm>
  );
}

function EndIt({ guest, etag, busy, run, expire, cancel }: ActionProps & { expire: boolean; cancel: boolean }) {
  const [reason, setReason] = useState('');
  // One question at a time: while one is asked, the other way to end it is out of the way.
  const [asking, setAsking] = useState<'expire' | 'cancel'>();
  const ask = (which: 'expire' | 'cancel') => (on: boolean) => setAsking(on ? which : undefined);
  return (
    <div className="action danger-zone">
      <h3>End it</h3>
      <div className="buttons">
        {expire && asking !== 'cancel' ? (
          <Confirm
            label="Expire the account now"
            confirm="Expiring disables the account at once. The sponsor can still restore it within 30 days of the end date."
            busy={busy}
            onAsk={ask('expire')}
            onConfirm={() => run((key) => expireGuest(api(), guest.guestId, etag, reason.trim() || undefined, key), () => 'Expired: the account is disabled. The sponsor and the guest are told.')}
          >
            <HistoryReason id="expire-reason" value={reason} onChange={setReason} />
          </Confirm>
        ) : null}
        {cancel && asking !== 'expire' ? (
          <Confirm
            label={guest.accountId ? 'Cancel the account' : 'Cancel the request'}
            confirm="This cannot be undone: a new request is needed afterwards."
            busy={busy}
            onAsk={ask('cancel')}
            onConfirm={() => run((key) => cancelGuest(api(), guest.guestId, etag, undefined, key), () => 'Cancelled.')}
          />
        ) : null}
      </div>
    </div>
  );
}

/** HMS IT's reason for an act, kept in the history. */
function HistoryReason({ id, value, onChange }: { id: string; value: string; onChange: (value: string) => void }) {
  return (
    <Field id={id} label="Reason (optional, kept in the history)">
      {(p) => <input {...p} type="text" maxLength={1000} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

/** An action's form: submitting it runs the action (the API checks the fields, and says which are wrong). */
function ActionForm({ onSubmit, children }: { onSubmit: () => void; children: ReactNode }) {
  return (
    <form
      className="action"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}

function Confirm({ label, confirm, busy, onConfirm, onAsk, children }: { label: string; confirm: string; busy: boolean; onConfirm: () => void; onAsk?: (asking: boolean) => void; children?: ReactNode }) {
  const [asking, setAskingHere] = useState(false);
  const setAsking = (on: boolean) => {
    setAskingHere(on);
    onAsk?.(on);
  };
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
