/**
 * The lifecycle tasks the state machine runs (functions/lifecycle-task.ts dispatches to these).
 * Each reads the guest from DynamoDB and is safe to run again: a retried or resumed task finds its
 * own earlier work and does not repeat it (emails are at-least-once: see docs/design.md).
 */
import { compareDates } from '../domain/dates.ts';
import type { Guest } from '../domain/model.ts';
import {
  accountIdCandidates,
  accountIdLetters,
  approvalExpired,
  approvalTimeouts,
  computeEntitlements,
  expiryInstant,
  hsrState,
  hsrWaitOutcome,
  nextDueAt,
  nextScheduleStep,
  restoreDeadline,
} from '../domain/rules.ts';
import { change, changeWithRetry } from './changes.ts';
import type { Deps } from './deps.ts';
import { emails } from './emails.ts';
import { issueActivation, sendActivationCopy } from './guests.ts';
import { recordSent } from './sent.ts';

import { TASK_INPUT_VERSION } from './task-version.ts';

export { TASK_INPUT_VERSION };
const WORKFLOW = 'workflow';
/**
 * The continue-as-new horizon: an execution hands over to a new one this long after it started
 * (the hard limit is one year), and no Wait of an execution lasts past it (see plan).
 */
export const CONTINUE_AFTER_MS = 300 * 86_400_000;
/**
 * ...or after this many schedule loops (each is 11 to 14 history events: PlanSchedule 5,
 * CountIteration 2, NextStep? 2, then WaitUntilDue 2 or a notice/expiry task 5; the limit is 25,000).
 */
export const CONTINUE_AFTER_ITERATIONS = 1_000;

/** Step Functions timestamps: RFC 3339 with an uppercase Z, whole seconds (rounded up, never early). */
export function sfnTimestamp(d: Date): string {
  return new Date(Math.ceil(d.getTime() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export type TaskInput =
  | { v: number; task: 'checkHsr'; guestId: string }
  | { v: number; task: 'requestApproval'; guestId: string; taskToken: string; reminder: boolean }
  | { v: number; task: 'expireApproval'; guestId: string }
  | { v: number; task: 'provision'; guestId: string }
  | { v: number; task: 'plan'; guestId: string; executionStartTime: string; iteration: number }
  | { v: number; task: 'notice'; guestId: string; noticeDate: string }
  | { v: number; task: 'expire'; guestId: string }
  | { v: number; task: 'recordFailure'; guestId: string; error: { Error?: string; Cause?: string } };

type Outcome = 'approved' | 'denied' | 'cancelled' | 'expired' | 'pending' | 'closed';

function outcomeOf(g: Guest | undefined): Outcome {
  if (!g) return 'closed';
  if (g.approval?.decision === 'approve' && g.status !== 'CANCELLED') return 'approved';
  if (g.status === 'DENIED') return 'denied';
  if (g.status === 'CANCELLED') return 'cancelled';
  if (g.status === 'APPROVAL_EXPIRED') return 'expired';
  if (g.status === 'PENDING_APPROVAL' || g.status === 'PENDING_HSR') return 'pending';
  return 'closed';
}

const NO_APPROVAL = { stage: 'request', requestTimeoutSeconds: 1, remindTimeoutSeconds: 1 };

/** Provisioned, but the activation email has not (all) gone out: Provision still owes it. */
export function activationOwed(g: Pick<Guest, 'status' | 'activationSentAt'>): boolean {
  return g.status === 'PENDING_ACTIVATION' && !g.activationSentAt;
}

async function load(deps: Deps, guestId: string): Promise<Guest> {
  const g = await deps.guests.get(guestId);
  if (!g) throw new Error(`Guest ${guestId} does not exist`);
  return g;
}

/** Rule 3: is there an active HSR covering the end date? Wait for it daily, for up to 14 days. */
export async function checkHsr(deps: Deps, guestId: string) {
  const now = deps.clock.now();
  let g = await load(deps, guestId);
  // A lifecycle restarted after Provision failed half-way (the reconciler starts it here): finish it.
  if (activationOwed(g)) return { result: 'approved', approval: NO_APPROVAL };
  if (['PENDING_ACTIVATION', 'ACTIVE', 'EXPIRED'].includes(g.status)) return { result: 'provisioned', approval: NO_APPROVAL };
  if (g.status !== 'PENDING_HSR' && g.status !== 'PENDING_APPROVAL') return { result: 'closed', approval: NO_APPROVAL };
  if (g.status === 'PENDING_HSR') {
    const hsr = await deps.hsr.hsr(g.guestHuid);
    if (hsrState(hsr, g.endDate) !== 'ok') {
      const { timedOut, nextCheckAt } = hsrWaitOutcome(new Date(g.hsrWaitingSince ?? g.createdAt), now);
      if (timedOut) {
        g = await change(deps, g, WORKFLOW, 'hsr-timeout', { status: 'HSR_TIMEOUT', dueAt: undefined, hsrCheckedAt: now.toISOString() });
        const requester = await deps.people.person(g.submittedBy);
        if (requester) await deps.mailer.send(emails.hsrTimeout(g, requester.email));
        return { result: 'timeout', approval: NO_APPROVAL };
      }
      await change(deps, g, WORKFLOW, 'hsr-checked', { hsrCheckedAt: now.toISOString(), dueAt: nextCheckAt.toISOString() });
      return { result: 'pending', nextCheckAt: sfnTimestamp(nextCheckAt), approval: NO_APPROVAL };
    }
    const patch: Partial<Guest> = {
      status: 'PENDING_APPROVAL',
      hsrCheckedAt: now.toISOString(),
      guestName: `${hsr!.firstName} ${hsr!.lastName}`,
      guestEmail: hsr!.personalEmail,
    };
    if (!g.approval) patch.approvalRequestedAt = now.toISOString();
    patch.dueAt = nextDueAt({ ...g, ...patch }, now);
    g = await change(deps, g, WORKFLOW, 'hsr-found', patch);
  }
  if (g.approval?.decision === 'approve') return { result: 'approved', approval: NO_APPROVAL };
  return { result: 'ok', approval: approvalTimeouts(new Date(g.approvalRequestedAt ?? g.createdAt), now) };
}

/** Rule 7: ask the sponsor (or remind them), remember the task token, and wait for the decision. */
export async function requestApproval(deps: Deps, guestId: string, taskToken: string, reminder: boolean) {
  const stage = reminder ? 'reminder' : 'request';
  let sent = false;
  const g = await changeWithRetry(deps, guestId, WORKFLOW, reminder ? 'approval-reminder' : 'approval-requested', (cur) => {
    if (outcomeOf(cur) !== 'pending') return undefined;
    return { approvalTaskToken: taskToken, dueAt: nextDueAt(cur, deps.clock.now()) };
  });
  const outcome = outcomeOf(g);
  if (outcome !== 'pending') {
    // Decided before the token was stored: wake the step at once.
    await deps.workflow.resume(taskToken, { outcome });
    return { waiting: false, outcome };
  }
  if (!g!.approvalEmails?.includes(stage)) {
    const [sponsor, requester] = await Promise.all([deps.people.person(g!.sponsorHuid), deps.people.person(g!.submittedBy)]);
    if (!sponsor) throw new Error(`Sponsor ${g!.sponsorHuid} is no longer in the people directory`);
    await deps.mailer.send(emails.approvalRequest(g!, sponsor, requester, deps.links, reminder));
    sent = true;
    await changeWithRetry(deps, guestId, WORKFLOW, 'approval-email-sent', (cur) =>
      cur.approvalEmails?.includes(stage) ? undefined : { approvalEmails: [...(cur.approvalEmails ?? []), stage] },
    );
  }
  return { waiting: true, emailSent: sent };
}

/** Rule 7: 14 days without a decision: APPROVAL_EXPIRED, and the requester is told. */
export async function expireApproval(deps: Deps, guestId: string) {
  const now = deps.clock.now();
  let g = await load(deps, guestId);
  const outcome = outcomeOf(g);
  if (outcome !== 'pending') return { outcome };
  if (!approvalExpired(new Date(g.approvalRequestedAt ?? g.createdAt), now)) return { outcome: 'pending' };
  g = await change(deps, g, WORKFLOW, 'approval-expired', { status: 'APPROVAL_EXPIRED', dueAt: undefined, approvalTaskToken: undefined });
  const requester = await deps.people.person(g.submittedBy);
  if (requester) await deps.mailer.send(emails.approvalExpired(g, requester.email));
  return { outcome: 'expired' };
}

/** Rule 8 and 5: account ID, entitlements, activation code and the activation email. */
export async function provision(deps: Deps, guestId: string) {
  const now = deps.clock.now();
  let g = await load(deps, guestId);
  if (g.status === 'PENDING_APPROVAL' && outcomeOf(g) === 'approved') {
    const [hsr, sponsor] = await Promise.all([deps.hsr.hsr(g.guestHuid), deps.people.person(g.sponsorHuid)]);
    if (!hsr) throw new Error(`No HSR record for guest HUID ${g.guestHuid}`);
    if (!sponsor) throw new Error(`Sponsor ${g.sponsorHuid} is no longer in the people directory`);
    const accountId = g.accountId ?? (await reserveAccountId(deps, guestId, accountIdLetters(hsr.firstName, hsr.lastName)));
    const patch: Partial<Guest> = {
      status: 'PENDING_ACTIVATION',
      accountId,
      entitlements: computeEntitlements(g.services, sponsor),
      guestName: `${hsr.firstName} ${hsr.lastName}`,
      guestEmail: hsr.personalEmail,
      approvalTaskToken: undefined,
    };
    patch.dueAt = nextDueAt({ ...g, ...patch }, now);
    g = await change(deps, g, WORKFLOW, 'provisioned', patch);
  }
  // The activation email is owed until it is recorded as sent: a retry after the guest's email
  // failed sends a new code; after only the sponsor's copy failed, only the copy.
  if (activationOwed(g)) {
    if (g.activationSentTo?.includes('guest')) await sendActivationCopy(deps, g, WORKFLOW);
    else await issueActivation(deps, g, WORKFLOW, 'activation-issued');
  }
  return { status: g.status };
}

/**
 * A free HMS account ID for the guest, always: the candidates (rules.ts, accountIdCandidates) are
 * read 100 at a time in one batch (one this guest reserved already is taken again), and the free ones tried in order with a conditional write (a
 * parallel provisioning may take one first). Ends on a free ID however full the space is: all
 * thousand three-digit IDs taken costs ten batched reads before the four-digit ones.
 */
export async function reserveAccountId(deps: Deps, guestId: string, letters: string): Promise<string> {
  const candidates = accountIdCandidates(letters, deps.random.int(1000));
  for (;;) {
    const batch: string[] = [];
    for (let n = candidates.next(); !n.done; n = candidates.next()) {
      batch.push(n.value);
      if (batch.length === 100) break;
    }
    if (!batch.length) throw new Error(`Every HMS account ID starting with "${letters}" is taken`);
    const holders = await deps.guests.accountHolders(batch);
    for (const candidate of batch) {
      const holder = holders.get(candidate);
      if (holder === guestId || (!holder && (await deps.guests.reserveAccountId(candidate, guestId)))) return candidate;
    }
  }
}

/** Rules 9 and 10: what is next for a provisioned account, and when. */
export async function plan(deps: Deps, guestId: string, executionStartTime: string, iteration: number) {
  const now = deps.clock.now();
  let g = await load(deps, guestId);
  const next = iteration + 1;
  const step = nextScheduleStep(g, now);
  if (step.action === 'wait') {
    // The execution's horizon: no wait goes past it. A wait for something further off (the first
    // notice of an account that starts months from now) ends there, and the plan on waking
    // continues as new: no execution comes near Step Functions' one year, and dueAt (what the
    // reconciler checks) is when this execution acts next.
    const started = Date.parse(executionStartTime);
    if (Number.isNaN(started)) throw new Error(`Not an execution start time: ${String(executionStartTime)}`);
    const horizon = started + CONTINUE_AFTER_MS;
    const oldExecution = now.getTime() >= horizon || iteration >= CONTINUE_AFTER_ITERATIONS;
    if (oldExecution) {
      const generation = (g.execution?.generation ?? 0) + 1;
      const name = `${guestId}-${generation}`;
      await change(deps, g, WORKFLOW, 'continued-as-new', { execution: { name, generation } });
      return { action: 'continue', nextExecutionName: name, iteration: next };
    }
    const until = new Date(Math.min(step.until.getTime(), horizon));
    const due = until.toISOString();
    if (g.dueAt !== due) g = await change(deps, g, WORKFLOW, 'scheduled', { dueAt: due });
    return { action: 'wait', at: sfnTimestamp(until), iteration: next };
  }
  if (step.action === 'done') {
    if (g.dueAt) await change(deps, g, WORKFLOW, 'closed', { dueAt: undefined });
    return { action: 'done', reason: step.reason, iteration: next };
  }
  if (step.action === 'notice') return { action: 'notice', noticeDate: step.noticeDate, iteration: next };
  return { action: 'expire', iteration: next };
}

/** Rule 9: one expiry notice to the sponsor for `noticeDate`, once (see docs/design.md for the window where it may be twice). */
export async function notice(deps: Deps, guestId: string, noticeDate: string) {
  const now = deps.clock.now();
  const g = await load(deps, guestId);
  const step = nextScheduleStep(g, now);
  if (step.action !== 'notice' || step.noticeDate !== noticeDate) return { sent: false, reason: 'not due any more' };
  const sponsor = await deps.people.person(g.sponsorHuid);
  if (!sponsor) throw new Error(`Sponsor ${g.sponsorHuid} is no longer in the people directory`);
  await deps.mailer.send(emails.expiryNotice(g, sponsor, deps.links, noticeDate));
  await recordSent(
    deps,
    g,
    WORKFLOW,
    'expiry-notice-sent',
    (cur) => {
      if (cur.lastNoticeDate && compareDates(cur.lastNoticeDate, noticeDate) >= 0) return undefined;
      const patch: Partial<Guest> = { lastNoticeDate: noticeDate };
      patch.dueAt = nextDueAt({ ...cur, ...patch }, now);
      return patch;
    },
    { noticeDate },
  );
  return { sent: true };
}

/** Rule 10: disable the account, revoke entitlements, tell sponsor and guest. */
export async function expireNow(deps: Deps, guest: Guest, actor: string): Promise<Guest> {
  const now = deps.clock.now();
  let g = guest;
  if (g.status === 'ACTIVE' || g.status === 'PENDING_ACTIVATION') {
    const patch: Partial<Guest> = {
      status: 'EXPIRED',
      expiredAt: now.toISOString(),
      entitlements: g.entitlements.map((e) => ({ ...e, granted: false, reason: e.granted ? 'expired' : e.reason })),
      dueAt: restoreDeadline(g.endDate).toISOString(),
    };
    g = await change(deps, g, actor, 'expired', patch);
  }
  if (g.status === 'EXPIRED' && !g.expiredNoticeSentAt) {
    // One email each to the sponsor and the guest, each recorded as it goes out: a retry sends only what is still owed.
    const sponsor = await deps.people.person(g.sponsorHuid);
    const expiredAt = g.expiredAt;
    const thisExpiry = (cur: Guest) => cur.status === 'EXPIRED' && cur.expiredAt === expiredAt && !cur.expiredNoticeSentAt;
    const recipients = ([['sponsor', sponsor?.email], ['guest', g.guestEmail]] as const).filter(([, to]) => to);
    for (const [who, to] of recipients) {
      if (g.expiredNoticeSentTo?.includes(who)) continue;
      await deps.mailer.send(emails.expired(g, to!, deps.links));
      g = await recordSent(
        deps,
        g,
        actor,
        'expiry-email-sent',
        (cur) => {
          if (!thisExpiry(cur) || cur.expiredNoticeSentTo?.includes(who)) return undefined;
          const sentTo = [...(cur.expiredNoticeSentTo ?? []), who];
          const all = recipients.every(([r]) => sentTo.includes(r));
          return all ? { expiredNoticeSentTo: sentTo, expiredNoticeSentAt: deps.clock.now().toISOString() } : { expiredNoticeSentTo: sentTo };
        },
        { to: who },
      );
    }
    // Nobody to write to (or every email already recorded): the emails are done.
    g = await recordSent(deps, g, actor, 'expiry-email-sent', (cur) => (thisExpiry(cur) ? { expiredNoticeSentAt: deps.clock.now().toISOString() } : undefined));
  }
  return g;
}

export async function expire(deps: Deps, guestId: string) {
  const g = await load(deps, guestId);
  if ((g.status === 'ACTIVE' || g.status === 'PENDING_ACTIVATION') && deps.clock.now().getTime() < expiryInstant(g.endDate).getTime()) {
    return { expired: false, reason: 'extended' };
  }
  const out = await expireNow(deps, g, WORKFLOW);
  return { expired: out.status === 'EXPIRED' };
}

/**
 * Recorded on the guest and visible in the API; after 3 failures in a row the guest is FAILED. A
 * recorded email (recordSent) is progress: it clears the failure, ending the streak.
 */
export const MAX_FAILURES = 3;
export async function recordFailure(deps: Deps, guestId: string, error: { Error?: string; Cause?: string }) {
  const now = deps.clock.now();
  const g = await changeWithRetry(deps, guestId, WORKFLOW, 'failed', (cur) => {
    const count = (cur.failure?.count ?? 0) + 1;
    const failure = { state: 'lifecycle', error: error.Error ?? 'Unknown', at: now.toISOString(), count, ...(error.Cause ? { cause: String(error.Cause).slice(0, 1000) } : {}) };
    return count >= MAX_FAILURES
      ? { failure, status: 'FAILED', dueAt: undefined }
      : { failure, dueAt: new Date(now.getTime() + 3_600_000).toISOString() };
  });
  return { recorded: Boolean(g), status: g?.status };
}

/** Runs one task of the state machine. */
export async function runTask(deps: Deps, input: TaskInput): Promise<Record<string, unknown>> {
  if (typeof input.v !== 'number' || input.v > TASK_INPUT_VERSION) throw new Error(`Unsupported task payload version ${String(input.v)}`);
  switch (input.task) {
    case 'checkHsr':
      return checkHsr(deps, input.guestId);
    case 'requestApproval':
      return requestApproval(deps, input.guestId, input.taskToken, input.reminder);
    case 'expireApproval':
      return expireApproval(deps, input.guestId);
    case 'provision':
      return provision(deps, input.guestId);
    case 'plan':
      return plan(deps, input.guestId, input.executionStartTime, input.iteration ?? 0);
    case 'notice':
      return notice(deps, input.guestId, input.noticeDate);
    case 'expire':
      return expire(deps, input.guestId);
    case 'recordFailure':
      return recordFailure(deps, input.guestId, input.error ?? {});
    default:
      throw new Error(`Unknown task ${(input as { task?: string }).task}`);
  }
}
