/** What the O2 lifecycle's tasks share (shared/o2/app/tasks.ts, schedule.ts): the account read, the hand-over to a new execution, a lapse and its email, the end of an activation. */
import type { LapseReason, O2Account } from '../domain/model.ts';
import { o2IsFinal, o2Transition } from '../domain/transitions.ts';
import type { O2Deps as Deps } from '../../app/deps.ts';
import { emails } from './emails.ts';
import { activeEmailName, posixFor, sendO2Active, syncO2Login } from './login.ts';
import { changeO2, recordO2Sent } from './changes.ts';
import { O2_DECISION, o2ExecutionName, type O2DecisionOutcome } from './contract.ts';
import { hmsAccountOf } from './hms-account.ts';

export const WORKFLOW = 'workflow';
const DAY_MS = 86_400_000;
/**
 * An O2 account waiting for an HMS account with no guest account linked to it yet (the chained
 * request is linked as it is filed): it lapses ('no-hms-account') if none is linked this long after
 * the request.
 */
export const HMS_ACCOUNT_LINK_GRACE_MS = 14 * DAY_MS;

export async function load(deps: Deps, o2AccountId: string): Promise<O2Account> {
  const o = await deps.o2.get(o2AccountId);
  if (!o) throw new Error(`O2 account ${o2AccountId} does not exist`);
  return o;
}

/** Records the successor execution (generation + 1) on the account first, and answers its name. */
export async function handOver(deps: Deps, o: O2Account, dueAt?: Date): Promise<string> {
  const generation = (o.execution?.generation ?? 0) + 1;
  const name = o2ExecutionName(o.o2AccountId, generation);
  await changeO2(deps, o, WORKFLOW, 'continued-as-new', { execution: { name, generation }, ...(dueAt ? { dueAt: dueAt.toISOString() } : {}) });
  return name;
}

/** Where the request stands, as the approval steps are told (O2_DECISION). */
export function o2DecisionOf(o: O2Account | undefined): O2DecisionOutcome {
  if (!o) return O2_DECISION.closed;
  if (o.status === 'DENIED') return O2_DECISION.denied;
  if (o.status === 'CANCELLED') return O2_DECISION.cancelled;
  if (o.status === 'LAPSED') return O2_DECISION.lapsed;
  if (o2IsFinal(o.status)) return O2_DECISION.closed;
  if (o.approval?.decision === 'approve') return O2_DECISION.approved;
  if (o.status === 'PENDING_PI_APPROVAL') return O2_DECISION.pending;
  return O2_DECISION.closed;
}

/** The emails of these people (the people directory), without repeats. */
export async function emailsOf(deps: Deps, huids: readonly string[], extra: readonly string[] = []): Promise<string[]> {
  const people = await Promise.all([...new Set(huids)].map((h) => deps.people.person(h)));
  return [...new Set([...extra, ...people.map((p) => p?.email)].filter((e): e is string => Boolean(e)))];
}

/** The request lapses (and its "lapsed" email, once): 14 days without a decision, 30 without the lab's registration, or no HMS account. */
export async function lapse(deps: Deps, o: O2Account, reason: LapseReason): Promise<O2Account> {
  let cur = o;
  if (cur.status !== 'LAPSED') {
    cur = await changeO2(
      deps,
      cur,
      WORKFLOW,
      'lapsed',
      { status: o2Transition(cur.status, 'lapse'), lapse: { reason, at: deps.clock.now().toISOString() }, taskToken: undefined, waitingFor: undefined, dueAt: undefined },
      { reason },
    );
  }
  return sendLapsedEmail(deps, cur);
}

/** The "lapsed" email of a lapsed request, if still owed: to the requester, the user and the sponsoring PI. */
export async function sendLapsedEmail(deps: Deps, o: O2Account): Promise<O2Account> {
  if (o.status !== 'LAPSED' || !o.lapse || o.sent?.includes('lapsed')) return o;
  const to = await emailsOf(deps, [o.requestedBy, o.piHuid], o.userEmail ? [o.userEmail] : []);
  if (to.length) await deps.mailer.send(emails.o2Lapsed(o, to, o.lapse.reason, deps.links));
  return recordO2Sent(deps, o, WORKFLOW, 'lapsed');
}

/** An active account whose uid number or "active" email is still owed (an activation that failed half-way). */
export function o2ActivationOwed(o: O2Account): boolean {
  return o.status === 'ACTIVE' && (!o.posix || !o.accountId || !o.sent?.includes(activeEmailName(o)));
}

/**
 * Makes sure of an active account's O2 login, each part once: the uid number (kept from an earlier
 * activation), the directory user in `o2` with its POSIX attributes (syncO2Login, from the record),
 * and the "active" email to the user with the PI in copy (sendO2Active, if still owed).
 */
export async function finishActivation(deps: Deps, o: O2Account): Promise<O2Account> {
  const now = deps.clock.now();
  let cur = o;
  if (!cur.posix || !cur.accountId) {
    const accountId = cur.accountId ?? cur.completion?.unixUsername ?? (await hmsAccountOf(deps, cur, now)).accountId;
    if (!accountId) throw new Error(`O2 account ${cur.o2AccountId} is active without an HMS account ID`);
    const posix = await posixFor(deps, cur, accountId);
    cur = await changeO2(deps, cur, WORKFLOW, 'login-assigned', { accountId, posix, activatedAt: cur.activatedAt ?? cur.completion?.at ?? now.toISOString() });
  }
  await syncO2Login(deps, cur);
  return sendO2Active(deps, cur, WORKFLOW);
}

