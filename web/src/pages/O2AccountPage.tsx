/**
 * One O2 account (the emails' links lead here: the PI's approval, the user's "active" email, the
 * RC Core's completion and renewal requests): where it is and what comes next in plain words, how
 * to log in once active, the lab and why it is on- or off-Quad, the actions the person may take now
 * (and only those), and the timeline of its history.
 */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError } from '../api/client.ts';
import { cancelO2, completeO2, decideO2, getLab, getO2, o2History, renewO2, retainO2, type Lab, type O2Account, type O2HistoryItem } from '../api/o2.ts';
import { api, describeError } from '../api.ts';
import { today as businessToday } from '../clock.ts';
import { Alert, Field, Loading, Page } from '../components/ui.tsx';
import { FormOutcomeView, useFormAction } from '../components/FormProblem.tsx';
import { Link, navState } from '../router.tsx';

/** The message the previous page left ("Requested…"), once: the account moves on, and a reload must not repeat it. */
function consumeFlash(): string | undefined {
  const flash = navState().flash;
  if (flash) history.replaceState(null, '');
  return flash;
}
import { labGroups, o2Actions, o2Relations, type O2ActionName } from '../o2-rules.ts';
import { useSession } from '../session.tsx';
import { formatDate, formatInstant } from '../text.ts';
import { institutionKind, O2_BADGE, O2_LOGIN_HOST, O2_STATUS_LABELS, o2ActionLabel, o2EmailLabel, o2Step, quadReason, RC_CORE_CONTACT, registrationText, type O2Names } from '../o2-text.ts';

type State =
  | { kind: 'loading' }
  | { kind: 'missing' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; o2: O2Account; etag: string; history: O2HistoryItem[]; lab: Lab | undefined };

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function O2StatusBadge({ o2 }: { o2: Pick<O2Account, 'status'> }) {
  return <span className={`badge ${O2_BADGE[o2.status]}`}>{O2_STATUS_LABELS[o2.status]}</span>;
}

export function O2AccountPage({ o2AccountId }: { o2AccountId: string }) {
  const { me } = useSession();
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [flash] = useState(() => consumeFlash());
  const current = useRef(0);

  /** Reads the account, its history and its lab (when the person may read the lab) again; the latest read wins. */
  const load = useCallback(async (): Promise<O2Account | undefined> => {
    const n = ++current.current;
    try {
      const [{ o2, etag }, history] = await Promise.all([getO2(api(), o2AccountId), o2History(api(), o2AccountId)]);
      // The user of an account may not read the lab's record (its PI, managers, the RC Core may): the account says what they need.
      const lab = await getLab(api(), o2.labId).then(
        (r) => r.lab,
        () => undefined,
      );
      if (n === current.current) setState({ kind: 'ready', o2, etag, history, lab });
      return o2;
    } catch (err) {
      if (n !== current.current) return undefined;
      if (err instanceof ApiError && err.status === 404) setState({ kind: 'missing' });
      else setState({ kind: 'error', message: describeError(err) });
      return undefined;
    }
  }, [o2AccountId]);

  useEffect(() => {
    void load();
  }, [load, attempt]);

  /** After an action: the answer at once, then the lifecycle's next steps as they land (a few seconds at most). */
  const applied = useCallback(
    async (o2: O2Account, etag: string, settled: (a: O2Account) => boolean) => {
      setState((s) => (s.kind === 'ready' ? { ...s, o2, etag } : s));
      let latest = await load();
      for (let i = 0; i < 10 && latest && !settled(latest); i++) {
        await wait(1000);
        latest = await load();
      }
      return latest;
    },
    [load],
  );

  if (state.kind === 'loading') return <Loading what="the O2 account" />;
  if (state.kind === 'missing') {
    return (
      <Page title="O2 account not found">
        <p>There is no O2 account at this address that you may see. An O2 account is shown to its user, the sponsoring PI, the lab&apos;s managers, the RC Core and HMS IT.</p>
        <p>
          Go to <Link to="/o2">My O2</Link>.
        </p>
      </Page>
    );
  }
  if (state.kind === 'error') {
    return (
      <Page title="O2 account">
        <Alert kind="error" title="We could not load this O2 account">
          <p>{state.message}</p>
          <p>
            <button type="button" onClick={() => setAttempt((n) => n + 1)}>
              Try again
            </button>{' '}
            If it keeps failing, contact HMS IT.
          </p>
        </Alert>
      </Page>
    );
  }

  const { o2, etag, history, lab } = state;
  const today = businessToday();
  const managerOf = labGroups(me, lab);
  const allowed = o2Actions(me, o2, today, managerOf);
  const relations = o2Relations(me, o2, managerOf);
  // Who completed a setup is RC Core staff (a renewal clears the account's own completion record).
  const rcCore = new Set(history.filter((e) => e.action === 'completed').map((e) => e.actor));
  const youOr = (huid: string, otherwise: string) => (huid === me.huid ? `you (${me.name ?? huid})` : otherwise);
  /** A person by name where the API gave one (the people this O2 account names), else by HUID. */
  const nameOf = (huid: string): string => (o2.names[huid] ? `${o2.names[huid]} (HUID ${huid})` : `HUID ${huid}`);
  /** A person in the details: the row says the role. */
  const named = (huid: string): string => (huid === o2.userHuid ? `${o2.userName} (HUID ${huid})` : youOr(huid, nameOf(huid)));
  /** A person in the timeline: with the role. */
  const who = (huid: string): string =>
    huid === o2.userHuid
      ? huid === me.huid
        ? `you (${o2.userName})`
        : o2.userName
      : youOr(
          huid,
          huid === o2.piHuid
            ? `the sponsoring PI, ${nameOf(huid)}`
            : huid === o2.labPiHuid
              ? `the lab's PI, ${nameOf(huid)}`
              : huid === o2.completion?.by || rcCore.has(huid)
                ? `the RC Core, ${nameOf(huid)}`
                : nameOf(huid),
        );
  const piIsYou = o2.piHuid === me.huid;
  const names: O2Names = {
    user: o2.userHuid === me.huid ? 'You' : o2.userName,
    userIsYou: o2.userHuid === me.huid,
    pi: piIsYou ? 'You' : relations.includes('user') ? `Your sponsoring PI (HUID ${o2.piHuid})` : `The sponsoring PI (HUID ${o2.piHuid})`,
    piIsYou,
    lab: lab ? `The lab “${lab.name}” (${lab.institution})` : 'The lab',
  };
  const step = o2Step(o2, names, today);
  const you = relations.includes('user');

  return (
    <Page title={you ? 'Your O2 account' : `O2 account for ${o2.userName}`}>
      {flash ? (
        <Alert kind="success">
          <p>{flash}</p>
        </Alert>
      ) : null}
      <div className="status-line">
        <O2StatusBadge o2={o2} />
        {step.title !== O2_STATUS_LABELS[o2.status] ? (
          <p>
            <strong>{step.title}</strong>
          </p>
        ) : null}
      </div>
      <div className="step">
        <p>{step.text}</p>
        {o2.status === 'PENDING_LAB_REGISTRATION' && relations.includes('rc-core') ? (
          <p>
            Register the lab in the <Link to="/rc-core">RC Core queue</Link>.
          </p>
        ) : null}
        {o2.status === 'ACTIVE' && step.login ? (
          <div className="login-box">
            <p>
              Log in to <strong>{O2_LOGIN_HOST}</strong> as <strong>{step.login}</strong> (your HMS account ID, which is also the Unix username), with the HMS account&apos;s
              password:
            </p>
            <pre>
              <code>
                ssh {step.login}@{O2_LOGIN_HOST}
              </code>
            </pre>
          </div>
        ) : null}
      </div>

      <O2Actions o2={o2} etag={etag} allowed={allowed} relations={relations} onApplied={applied} onStale={() => void load()} />

      <div className="columns">
        <section aria-labelledby="o2-details-heading">
          <h2 id="o2-details-heading">Details</h2>
          <dl className="details">
            <dt>User</dt>
            <dd>
              {o2.userName} (HUID {o2.userHuid})
            </dd>
            <dt>HMS account ID</dt>
            <dd>{o2.accountId ?? 'Not yet: the user has no HMS account yet'}</dd>
            <dt>Sponsoring PI</dt>
            <dd>{named(o2.piHuid)}</dd>
            {o2.requestedBy !== o2.piHuid ? (
              <>
                <dt>Requested by</dt>
                <dd>{o2.requestedBy === o2.userHuid ? 'The user' : named(o2.requestedBy)}</dd>
              </>
            ) : null}
            <dt>Requested</dt>
            <dd>{formatInstant(o2.createdAt)}</dd>
            {o2.justification ? (
              <>
                <dt>Justification</dt>
                <dd className="prewrap">{o2.justification}</dd>
              </>
            ) : null}
            {o2.hmsSponsorHuid ? (
              <>
                <dt>HMS sponsor</dt>
                <dd>{named(o2.hmsSponsorHuid)} (sponsors the HMS guest account)</dd>
              </>
            ) : null}
            {o2.guestId ? (
              <>
                <dt>HMS guest account</dt>
                <dd>
                  {relations.includes('sponsor') || relations.includes('hms-it') ? <Link to={`/guests/${o2.guestId}`}>The guest account O2 rests on</Link> : 'A sponsored HMS guest account'}
                </dd>
              </>
            ) : null}
            {o2.approval ? (
              <>
                <dt>Decision</dt>
                <dd>
                  {o2.approval.decision === 'approve' ? 'Approved' : 'Denied'} by {who(o2.approval.by)} on {formatInstant(o2.approval.at)}
                  {o2.approval.bySubmission ? ', by requesting it' : ''}
                  {o2.approval.reason ? `: “${o2.approval.reason}”` : ''}
                </dd>
              </>
            ) : null}
            {o2.completion ? (
              <>
                <dt>Set up by the RC Core</dt>
                <dd>
                  {formatInstant(o2.completion.at)} by {who(o2.completion.by)}, Unix username <code>{o2.completion.unixUsername}</code>
                </dd>
              </>
            ) : null}
            {o2.posix ? (
              <>
                <dt>Home directory on O2</dt>
                <dd>
                  <code>{o2.posix.homeDirectory}</code>
                </dd>
              </>
            ) : null}
            {o2.endDate ? (
              <>
                <dt>Ends</dt>
                <dd>{formatDate(o2.endDate)}, with the HMS account</dd>
              </>
            ) : null}
            {o2.renewal ? (
              <>
                <dt>Renewal requested</dt>
                <dd>
                  {formatInstant(o2.renewal.at)} by {named(o2.renewal.by)}
                  {o2.renewal.note ? `: “${o2.renewal.note}”` : ''}
                </dd>
              </>
            ) : null}
            {o2.retain ? (
              <>
                <dt>Kept when leaving HMS</dt>
                <dd>
                  Guest account from {formatDate(o2.retain.startDate)}, requested {formatInstant(o2.retain.at)} by {named(o2.retain.by)}
                </dd>
              </>
            ) : null}
          </dl>
        </section>

        <section aria-labelledby="o2-lab-heading">
          <h2 id="o2-lab-heading">Lab</h2>
          <dl className="details">
            {lab ? (
              <>
                <dt>Name</dt>
                <dd>{lab.name}</dd>
                <dt>Institution</dt>
                <dd>
                  {lab.institution}, {institutionKind(lab.institution)}
                </dd>
                <dt>Lab&apos;s PI</dt>
                <dd>{named(lab.piHuid)}</dd>
                <dt>RC Core registration</dt>
                <dd>{registrationText(lab)}</dd>
                {lab.registration.status === 'registered' ? (
                  <>
                    <dt>Billing contact</dt>
                    <dd>
                      {lab.registration.billingContact.name} ({lab.registration.billingContact.email})
                    </dd>
                  </>
                ) : null}
              </>
            ) : null}
            <dt>On-Quad or off-Quad</dt>
            <dd>
              <strong>{o2.quad.onQuad ? 'On-Quad' : 'Off-Quad'}</strong>
              <span className="sub">{quadReason(o2.quad.reason)}</span>
            </dd>
          </dl>
        </section>
      </div>

      <O2Timeline items={history} who={who} />
    </Page>
  );
}

type Applied = (o2: O2Account, etag: string, settled: (a: O2Account) => boolean) => Promise<O2Account | undefined>;

function Action({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <div className="action" aria-labelledby={`${id}-heading`} role="group">
      <h3 id={`${id}-heading`}>{title}</h3>
      {children}
    </div>
  );
}

/** The actions the person may take now (shared/o2/domain/rules.ts), each a form with its own outcome next to it. */
function O2Actions({ o2, etag, allowed, relations, onApplied, onStale }: { o2: O2Account; etag: string; allowed: Set<O2ActionName>; relations: readonly string[]; onApplied: Applied; onStale: () => void }) {
  const decide = useFormAction();
  const complete = useFormAction();
  const renew = useFormAction();
  const retain = useFormAction();
  const cancel = useFormAction();
  const [reason, setReason] = useState('');
  const [unixUsername, setUnixUsername] = useState(o2.accountId ?? '');
  const [note, setNote] = useState('');
  const [hmsSponsor, setHmsSponsor] = useState('');
  const [cancelReason, setCancelReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const stale = (err: unknown) => {
    if (err instanceof ApiError && err.status === 412) onStale();
  };
  // What the last action did: above the forms, as the form it came from may no longer be offered.
  const [done, setDone] = useState<{ text: string; n: number }>();
  const after = async (answer: { o2: O2Account; etag: string }, text: (a: O2Account) => string, settled: (a: O2Account) => boolean) => {
    setDone((d) => ({ text: text(answer.o2), n: (d?.n ?? 0) + 1 }));
    const latest = await onApplied(answer.o2, answer.etag, settled);
    if (latest) setDone((d) => ({ text: text(latest), n: (d?.n ?? 0) + 1 }));
  };

  const offered = [...allowed];
  return (
    <section className="actions" aria-labelledby="o2-actions-heading">
      <h2 id="o2-actions-heading">What you can do</h2>
      <div aria-live="polite" role="status" className="outcome">
        {done ? <p className="alert alert-success">{done.text}</p> : null}
      </div>
      {offered.length === 0 ? <p>Nothing for you to do on this O2 account now.</p> : null}

      {allowed.has('decide') ? (
        <Action id="o2-decide" title="Approve or deny the O2 account">
          <p>
            For {o2.userName}, requested {o2.requestedBy === o2.userHuid ? 'by the user' : `by ${o2.requestedBy}`}.{o2.justification ? ` Justification: “${o2.justification}”.` : ''}
          </p>
          <Field id="o2-decision-reason" label="Reason (optional)" hint="Sent to the user if you deny the request." error={decide.fields.reason}>
            {(p) => <textarea {...p} rows={2} maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} />}
          </Field>
          <FormOutcomeView outcome={decide.outcome} id="o2-decide" />
          <div className="buttons">
            <button
              type="button"
              className="button-primary"
              disabled={decide.busy}
              onClick={() =>
                void decide.run(
                  () => decideO2(api(), o2.o2AccountId, etag, { decision: 'approve', ...(reason.trim() ? { reason: reason.trim() } : {}) }),
                  (a) => {
                    void after(a, (x) => (x.status === 'ACTIVE' ? 'Approved: the O2 account is active.' : `Approved. ${o2Step(x, { user: x.userName, pi: 'The PI', lab: 'The lab' }, businessToday()).title}.`), (x) => x.status !== 'PENDING_PI_APPROVAL');
                    return undefined;
                  },
                  stale,
                )
              }
            >
              Approve
            </button>
            <button
              type="button"
              className="button-danger"
              disabled={decide.busy}
              onClick={() =>
                void decide.run(
                  () => decideO2(api(), o2.o2AccountId, etag, { decision: 'deny', ...(reason.trim() ? { reason: reason.trim() } : {}) }),
                  (a) => {
                    void after(a, () => 'Denied. The user has been told.', (x) => x.status === 'DENIED');
                    return undefined;
                  },
                  stale,
                )
              }
            >
              Deny
            </button>
          </div>
        </Action>
      ) : null}

      {allowed.has('complete') ? (
        <Action id="o2-complete" title={o2.status === 'RENEWAL_REQUESTED' ? 'Complete the renewal (RC Core)' : 'Complete the setup (RC Core)'}>
          <p>
            {o2.status === 'RENEWAL_REQUESTED'
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
      ) : null}

      {allowed.has('renew') ? (
        <Action id="o2-renew" title="Renew the O2 account">
          <p>
            This emails the RC Core (<a href={`mailto:${RC_CORE_CONTACT}`}>{RC_CORE_CONTACT}</a>) with the lab&apos;s PI in cc, which opens a request with the HMS RC Core to renew
            the HMS ID and the O2 account.
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
      ) : null}

      {allowed.has('retain') ? (
        <Action id="o2-retain" title="Keep O2 when leaving HMS">
          <p>
            When {relations.includes('user') ? 'your' : `${o2.userName}'s`} HMS appointment ends{o2.endDate ? ` on ${formatDate(o2.endDate)}` : ''}, the HMS account continues as a sponsored guest
            account from the next day, with the same HMS account ID{o2.accountId ? ` (${o2.accountId})` : ''}, so O2 and HMS storage stay without a gap. The PI sponsors it, or the HMS
            sponsor named here.
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
            <Field id="o2-retain-sponsor" label="HMS sponsor's HUID (optional)" hint="Only if the PI is not an HMS sponsor (not HMS faculty)." error={retain.fields.hmsSponsorHuid}>
              {(p) => <input {...p} type="text" inputMode="numeric" autoComplete="off" value={hmsSponsor} onChange={(e) => setHmsSponsor(e.target.value)} />}
            </Field>
            <FormOutcomeView outcome={retain.outcome} id="o2-retain" />
            <button type="submit" disabled={retain.busy}>
              Keep O2 after leaving HMS
            </button>
          </form>
        </Action>
      ) : null}

      {allowed.has('cancel') ? (
        <Action id="o2-cancel" title="End it">
          {confirming ? (
            <div className="confirm">
              <Field id="o2-cancel-reason" label="Reason (optional, kept in the history)" error={cancel.fields.reason}>
                {(p) => <input {...p} type="text" maxLength={1000} value={cancelReason} onChange={(e) => setCancelReason(e.target.value)} />}
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
                      () => cancelO2(api(), o2.o2AccountId, etag, cancelReason.trim() ? { reason: cancelReason.trim() } : {}),
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
          ) : (
            <button type="button" className="button-danger" onClick={() => setConfirming(true)}>
              {o2.status === 'ACTIVE' ? 'Cancel the O2 account' : 'Cancel the request'}
            </button>
          )}
        </Action>
      ) : null}
    </section>
  );
}

/** Book-keeping of the lifecycle that changes nothing the page shows (waiting on a task token, woken from one, the schedule). */
const QUIET = new Set(['scheduled', 'closed', 'hms-account-checked', 'waiting', 'woken', 'lab-registration-awaited', 'rc-core-awaited']);
/** The RC Core registering the lab wakes the account (a quiet event, by the person who did it): the move it makes is theirs, not the system's. */
const registeredBy = (e: O2HistoryItem) => (e.action === 'woken' && e.detail?.step === 'lab-registration' && /^\d{8}$/.test(e.actor) ? e.actor : undefined);

/** Each event with the person it is told as by: a move out of the lab's registration wait by the one who registered the lab. */
function actorsOf(items: O2HistoryItem[]): Map<number, string> {
  const out = new Map<number, string>();
  let registrar: string | undefined;
  for (const e of items) {
    registrar = registeredBy(e) ?? registrar;
    const moves = e.before?.status === 'PENDING_LAB_REGISTRATION' && e.after?.status && e.after.status !== 'PENDING_LAB_REGISTRATION';
    out.set(e.seq, moves && registrar && !/^\d{8}$/.test(e.actor) ? registrar : e.actor);
    if (moves) registrar = undefined;
  }
  return out;
}
const ACTORS: Record<string, string> = { workflow: 'the system', reconciler: 'the daily check' };

/** The O2 account's history, oldest first: who did what, and the status it moved to. */
function O2Timeline({ items, who }: { items: O2HistoryItem[]; who: (huid: string) => string }) {
  const shown = items.filter((e) => !QUIET.has(e.action));
  const actors = actorsOf(items);
  return (
    <section aria-labelledby="o2-timeline-heading">
      <h2 id="o2-timeline-heading">Timeline</h2>
      {shown.length === 0 ? (
        <p>Nothing has happened yet.</p>
      ) : (
        <ol className="timeline">
          {shown.map((e) => {
            const before = e.before?.status;
            const after = e.after?.status;
            const status = before && after && before !== after ? `${O2_STATUS_LABELS[before]} → ${O2_STATUS_LABELS[after]}` : null;
            const by = actors.get(e.seq) ?? e.actor;
            const actor = /^\d{8}$/.test(by) ? who(by) : (ACTORS[by] ?? by);
            const reason = e.detail?.reason;
            return (
              <li key={e.seq}>
                <time dateTime={e.at}>{formatInstant(e.at)}</time>
                <p className="what">
                  <strong>{e.action === 'email-sent' ? o2EmailLabel(e.detail?.email) : o2ActionLabel(e.action)}</strong> <span className="by">by {actor}</span>
                </p>
                {status || reason ? (
                  <ul className="changes">
                    {status ? <li>{status}</li> : null}
                    {reason ? <li>Reason: “{reason}”</li> : null}
                  </ul>
                ) : null}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
