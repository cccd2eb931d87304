/**
 * The actions the person may take on an O2 account now (shared/o2/domain/access.ts and transitions
 * decide; web/src/o2/rules.ts leaves out what the API would refuse), each a form with its outcome
 * next to it; what the last one did is said above them all, as the form it came from may no longer
 * be offered.
 */
import { useState, type ReactNode } from 'react';
import { ApiError } from '../api/client.ts';
import { cancelO2, completeO2, decideO2, renewO2, retainO2, type O2Account } from '../api/o2.ts';
import { api } from '../api.ts';
import { today as businessToday } from '../clock.ts';
import { FormOutcomeView, useFormAction } from '../kit/FormProblem.tsx';
import { ActionsBox } from '../kit/resource.tsx';
import { Field } from '../kit/ui.tsx';
import { formatDate } from '../text.ts';
import type { O2ActionName } from './rules.ts';
import { o2Step, RC_CORE_CONTACT } from './text.ts';
import type { FieldWords } from '../kit/words.ts';

/** After an action: its answer shown at once, then the lifecycle's next steps as they land. */
export type Applied = (o2: O2Account, etag: string, settled: (a: O2Account) => boolean) => Promise<O2Account | undefined>;

/** The actions' fields as their forms call them, for their errors. */
const WORDS: Record<string, FieldWords> = {
  reason: { what: 'the reason' },
  unixUsername: { what: 'the Unix username' },
  note: { what: 'the note' },
  hmsSponsorHuid: { what: "the HMS sponsor's HUID", kind: 'huid' },
};

/** What every action's form needs: the account as read, its ETag, and what to do with an answer or a 412. */
interface ActionProps {
  o2: O2Account;
  etag: string;
  /** Shows what the action did (in words, from the account as it is now) and follows the lifecycle until `settled`. */
  after: (answer: { o2: O2Account; etag: string }, text: (a: O2Account) => string, settled: (a: O2Account) => boolean) => Promise<void>;
  /** A 412 (someone else changed it meanwhile): read it again. */
  stale: (err: unknown) => void;
}

function Action({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <div className="action" aria-labelledby={`${id}-heading`} role="group">
      <h3 id={`${id}-heading`}>{title}</h3>
      {children}
    </div>
  );
}

export function O2Actions({ o2, etag, allowed, relations, onApplied, onStale }: { o2: O2Account; etag: string; allowed: Set<O2ActionName>; relations: readonly string[]; onApplied: Applied; onStale: () => void }) {
  const [done, setDone] = useState<{ text: string; n: number }>();
  const props: ActionProps = {
    o2,
    etag,
    stale: (err) => {
      if (err instanceof ApiError && err.status === 412) onStale();
    },
    after: async (answer, text, settled) => {
      setDone((d) => ({ text: text(answer.o2), n: (d?.n ?? 0) + 1 }));
      const latest = await onApplied(answer.o2, answer.etag, settled);
      if (latest) setDone((d) => ({ text: text(latest), n: (d?.n ?? 0) + 1 }));
    },
  };
  return (
    <ActionsBox id="o2-actions-heading" outcome={done?.text}>
      {allowed.size === 0 ? <p>Nothing for you to do on this O2 account now.</p> : null}
      {allowed.has('decide') ? <Decide {...props} /> : null}
      {allowed.has('complete') ? <Complete {...props} /> : null}
      {allowed.has('renew') ? <Renew {...props} /> : null}
      {allowed.has('retain') ? <Retain {...props} you={relations.includes('user')} /> : null}
      {allowed.has('cancel') ? <Cancel {...props} /> : null}
    </ActionsBox>
  );
}

function Decide({ o2, etag, after, stale }: ActionProps) {
  const decide = useFormAction(WORDS);
  const [reason, setReason] = useState('');
  const answer = (decision: 'approve' | 'deny') =>
    void decide.run(
      () => decideO2(api(), o2.o2AccountId, etag, { decision, ...(reason.trim() ? { reason: reason.trim() } : {}) }),
      (a) => {
        if (decision === 'approve') {
          void after(a, (x) => (x.status === 'ACTIVE' ? 'Approved: the O2 account is active.' : `Approved. ${o2Step(x, { user: x.userName, pi: 'The PI', lab: 'The lab' }, businessToday()).title}.`), (x) => x.status !== 'PENDING_PI_APPROVAL');
        } else {
          void after(a, () => 'Denied. The user has been told.', (x) => x.status === 'DENIED');
        }
        return undefined;
      },
      stale,
    );
  return (
    <Action id="o2-decide" title="Approve or deny the O2 account">
      <p>
        For {o2.userName}, requested {o2.requestedBy === o2.userHuid ? 'by the user' : `by ${o2.names[o2.requestedBy] ?? o2.requestedBy}`}.{o2.justification ? ` Justification: “${o2.justification}”.` : ''}
      </p>
      <Field id="o2-decision-reason" label="Reason (optional)" hint="Sent to the user if you deny the request." error={decide.fields.reason}>
        {(p) => <textarea {...p} rows={2} maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <FormOutcomeView outcome={decide.outcome} id="o2-decide" />
      <div className="buttons">
        <button type="button" className="button-primary" disabled={decide.busy} onClick={() => answer('approve')}>
          Approve
        </button>
        <button type="button" className="button-danger" disabled={decide.busy} onClick={() => answer('deny')}>
          Deny
        </button>
      </div>
    </Action>
  );
}

function Complete({ o2, etag, after, stale }: ActionProps) {
  const complete = useFormAction(WORDS);
  const [unixUsername, setUnixUsername] = useState(o2.accountId ?? '');
  const renewal = o2.status === 'RENEWAL_REQUESTED';
  return (
    <Action id="o2-complete" title={renewal ? 'Complete the renewal (RC Core)' : 'Complete the setup (RC Core)'}>
      <p>
        {renewal
          ? 'Once the HMS ID and the O2 account are renewed, record it here: the user is emailed how to log in, and the account joins the o2 group of the directory again.'
          : 'Once the O2 account exists on the cluster, record it here: the user is emailed how to log in, and the account joins the o2 group of the directory.'}
      </p>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void complete.run(
            () => completeO2(api(), o2.o2AccountId, etag, { unixUsername: unixUsername.trim() }),
            (a) => {
              void after(a, (x) => (x.status === 'ACTIVE' ? `Completed: the O2 account is active; ${o2.userName} logs in as ${x.accountId ?? unixUsername}.` : 'Completed.'), (x) => x.status === 'ACTIVE');
              return undefined;
            },
            stale,
          );
        }}
      >
        <Field id="o2-unix-username" label="Unix username" hint={`The user's HMS account ID${o2.accountId ? ` (${o2.accountId})` : ''}: it is the O2 login.`} error={complete.fields.unixUsername}>
          {(p) => <input {...p} type="text" autoComplete="off" spellCheck={false} value={unixUsername} onChange={(e) => setUnixUsername(e.target.value)} />}
        </Field>
        <FormOutcomeView outcome={complete.outcome} id="o2-complete" />
        <button type="submit" className="button-primary" disabled={complete.busy}>
          Mark as completed
        </button>
      </form>
    </Action>
  );
}

function Renew({ o2, etag, after, stale }: ActionProps) {
  const renew = useFormAction(WORDS);
  const [note, setNote] = useState('');
  return (
    <Action id="o2-renew" title="Renew the O2 account">
      <p>
        This emails the RC Core (<a href={`mailto:${RC_CORE_CONTACT}`}>{RC_CORE_CONTACT}</a>) with the lab&apos;s PI in cc, which opens a request with the HMS RC Core to renew the HMS ID
        and the O2 account.
      </p>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void renew.run(
            () => renewO2(api(), o2.o2AccountId, etag, note.trim() ? { note: note.trim() } : {}),
            (a) => {
              void after(a, () => `Renewal requested: ${RC_CORE_CONTACT} was emailed with the PI in cc.`, () => true);
              return undefined;
            },
            stale,
          );
        }}
      >
        <Field id="o2-renew-note" label="Note to the RC Core (optional)" error={renew.fields.note}>
          {(p) => <textarea {...p} rows={2} maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} />}
        </Field>
        <FormOutcomeView outcome={renew.outcome} id="o2-renew" />
        <button type="submit" className="button-primary" disabled={renew.busy}>
          Ask the RC Core to renew
        </button>
      </form>
    </Action>
  );
}

function Retain({ o2, etag, after, stale, you }: ActionProps & { you: boolean }) {
  const retain = useFormAction(WORDS);
  const [hmsSponsor, setHmsSponsor] = useState('');
  return (
    <Action id="o2-retain" title="Keep O2 when leaving HMS">
      <p>
        When {you ? 'your' : `${o2.userName}'s`} HMS appointment ends{o2.endDate ? ` on ${formatDate(o2.endDate)}` : ''}, the HMS account continues as a sponsored guest account from the next
        day, with the same HMS account ID{o2.accountId ? ` (${o2.accountId})` : ''}, so O2 and HMS storage stay without a gap. The PI sponsors it, or the HMS sponsor named here.
      </p>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void retain.run(
            () => retainO2(api(), o2.o2AccountId, etag, hmsSponsor.trim() ? { hmsSponsorHuid: hmsSponsor.trim() } : {}),
            (a) => {
              void after(a, (x) => (x.retain ? `Kept: the guest account starts on ${formatDate(x.retain.startDate)} with the same HMS account ID.` : 'Requested.'), () => true);
              return undefined;
            },
            stale,
          );
        }}
      >
        <Field id="o2-retain-sponsor" label="HMS sponsor's HUID (optional)" hint="Only if the PI is not an HMS sponsor (not HMS faculty), and only that sponsor or a delegate they named may name them." error={retain.fields.hmsSponsorHuid}>
          {(p) => <input {...p} type="text" inputMode="numeric" autoComplete="off" value={hmsSponsor} onChange={(e) => setHmsSponsor(e.target.value)} />}
        </Field>
        <FormOutcomeView outcome={retain.outcome} id="o2-retain" />
        <button type="submit" disabled={retain.busy}>
          Keep O2 after leaving HMS
        </button>
      </form>
    </Action>
  );
}

function Cancel({ o2, etag, after, stale }: ActionProps) {
  const cancel = useFormAction(WORDS);
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <Action id="o2-cancel" title="End it">
        <button type="button" className="button-danger" onClick={() => setConfirming(true)}>
          {o2.status === 'ACTIVE' ? 'Cancel the O2 account' : 'Cancel the request'}
        </button>
      </Action>
    );
  }
  return (
    <Action id="o2-cancel" title="End it">
      <div className="confirm">
        <Field id="o2-cancel-reason" label="Reason (optional, kept in the history)" error={cancel.fields.reason}>
          {(p) => <input {...p} type="text" maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        <FormOutcomeView outcome={cancel.outcome} id="o2-cancel" />
        <p>{o2.status === 'ACTIVE' ? 'The O2 login is removed. This cannot be undone: a new request is needed afterwards.' : 'This cannot be undone: a new request is needed afterwards.'}</p>
        <div className="buttons">
          <button
            type="button"
            className="button-danger"
            disabled={cancel.busy}
            onClick={() =>
              void cancel.run(
                () => cancelO2(api(), o2.o2AccountId, etag, reason.trim() ? { reason: reason.trim() } : {}),
                (a) => {
                  setConfirming(false);
                  void after(a, () => 'Cancelled.', () => true);
                  return undefined;
                },
                stale,
              )
            }
          >
            Yes, cancel it
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            No, keep it
          </button>
        </div>
      </div>
    </Action>
  );
}
