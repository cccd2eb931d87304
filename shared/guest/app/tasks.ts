/**
 * The lifecycle tasks the state machine runs (functions/lifecycle-task.ts dispatches to these;
 * their names, payloads and answers are in shared/guest/app/contract.ts).
 * Each reads the guest from DynamoDB and is safe to run again: a retried or resumed task finds its
 * own earlier work and does not repeat it (emails are at-least-once: see docs/design.md).
 */
import { compareDates } from '../../core/domain/dates.ts';
import { DirectoryConflictError } from '../../core/domain/errors.ts';
import type { Guest, GuestStatus } from '../domain/model.ts';
import type { HsrRecord } from '../../core/domain/people.ts';
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
  type ApprovalTimeouts,
} from '../domain/rules.ts';
import { can, isOpenRequest, isProvisioned, transition } from '../domain/transitions.ts';
import { adoptRetainedAccount, syncAccount } from './account.ts';
import { activationOwed, issueActivation, sendActivationCopy } from './activation.ts';
import { change, changeWithRetry } from './changes.ts';
import type { GuestDeps as Deps } from '../../app/deps.ts';
import { emails } from './emails.ts';
import { expireAccount } from './expiry.ts';
import {
  APPROVAL_OUTCOME,
  APPROVAL_STAGE,
  FAILURE_OUTCOME,
  HSR_CHECK,
  PLAN_ACTION,
  TASK_NAMES,
  TASK_PAYLOAD_VERSION,
  type ApprovalDecision,
  type ApprovalOutcome,
  type TaskError,
  type TaskResult,
  type LifecycleTasks,
} from './contract.ts';
import { dispatcher } from '../../core/app/tasks.ts';
import { CONTINUE_AFTER_ITERATIONS, CONTINUE_AFTER_MS, sfnTimestamp } from '../../core/app/horizon.ts';

export { CONTINUE_AFTER_MS };
import { nextFailure } from '../../core/domain/failures.ts';
import { guestMoved } from './events.ts';
import { recordSent } from './sent.ts';
import { METRIC_NAMES } from '../../core/ports.ts';

const WORKFLOW = 'workflow';
/** Where the request stands, as the approval step is told. */
function outcomeOf(g: Guest | undefined): ApprovalOutcome {
  if (!g) return APPROVAL_OUTCOME.closed;
  if (g.approval?.decision === 'approve' && g.status !== 'CANCELLED') return APPROVAL_OUTCOME.approved;
  if (g.status === 'DENIED') return APPROVAL_OUTCOME.denied;
  if (g.status === 'CANCELLED') return APPROVAL_OUTCOME.cancelled;
  if (g.status === 'APPROVAL_EXPIRED') return APPROVAL_OUTCOME.expired;
  if (isOpenRequest(g.status)) return APPROVAL_OUTCOME.pending;
  return APPROVAL_OUTCOME.closed;
}

/** The approval timeouts CheckHsr answers when no approval step follows. */
const NO_APPROVAL: ApprovalTimeouts = { stage: APPROVAL_STAGE.request, requestTimeoutSeconds: 1, remindTimeoutSeconds: 1 };

async function load(deps: Deps, guestId: string): Promise<Guest> {
  const g = await deps.guests.get(guestId);
  if (!g) throw new Error(`Guest ${guestId} does not exist`);
  return g;
}

/** Rule "HSR first": is there an active HSR covering the end date? Wait for it daily, for up to 14 days. */
export async function checkHsr(deps: Deps, guestId: string): Promise<TaskResult<'checkHsr'>> {
  const now = deps.clock.now();
  let g = await load(deps, guestId);
  // A lifecycle restarted after Provision failed half-way (the reconciler starts it here): finish it.
  if (activationOwed(g)) return { result: HSR_CHECK.approved, approval: NO_APPROVAL };
  if (isProvisioned(g.status)) return { result: HSR_CHECK.provisioned, approval: NO_APPROVAL };
  if (!isOpenRequest(g.status)) return { result: HSR_CHECK.closed, approval: NO_APPROVAL };
  if (can(g.status, 'hsr-found')) {
    const hsr = await deps.hsr.hsr(g.guestHuid);
    if (hsrState(hsr, g.endDate) !== 'ok') {
      const { timedOut, nextCheckAt } = hsrWaitOutcome(new Date(g.hsrWaitingSince ?? g.createdAt), now);
      if (timedOut) {
        g = await change(deps, g, WORKFLOW, 'hsr-timeout', { status: transition(g.status, 'hsr-timeout'), dueAt: undefined, hsrCheckedAt: now.toISOString() });
        const requester = await deps.people.person(g.submittedBy);
        if (requester) await deps.mailer.send(emails.hsrTimeout(g, requester.email));
        await guestMoved(deps, g);
        return { result: HSR_CHECK.timeout, approval: NO_APPROVAL };
      }
      await change(deps, g, WORKFLOW, 'hsr-checked', { hsrCheckedAt: now.toISOString(), dueAt: nextCheckAt.toISOString() });
      return { result: HSR_CHECK.pending, nextCheckAt: sfnTimestamp(nextCheckAt), approval: NO_APPROVAL };
    }
    const patch: Partial<Guest> = {
      status: transition(g.status, 'hsr-found'),
      hsrCheckedAt: now.toISOString(),
      guestName: `${hsr!.firstName} ${hsr!.lastName}`,
      guestEmail: hsr!.personalEmail,
    };
    if (!g.approval) patch.approvalRequestedAt = now.toISOString();
    patch.dueAt = nextDueAt({ ...g, ...patch }, now);
    g = await change(deps, g, WORKFLOW, 'hsr-found', patch);
  }
  if (g.approval?.decision === 'approve') return { result: HSR_CHECK.approved, approval: NO_APPROVAL };
  return { result: HSR_CHECK.ok, approval: approvalTimeouts(new Date(g.approvalRequestedAt ?? g.createdAt), now) };
}

/** Rule "Sponsor approval": ask the sponsor (or remind them), remember the task token, and wait for the decision. */
export async function requestApproval(deps: Deps, guestId: string, taskToken: string, reminder: boolean): Promise<TaskResult<'requestApproval'>> {
  const stage = reminder ? 'reminder' : 'request';
  let sent = false;
  const g = await changeWithRetry(deps, guestId, WORKFLOW, reminder ? 'approval-reminder' : 'approval-requested', (cur) => {
    if (outcomeOf(cur) !== APPROVAL_OUTCOME.pending) return undefined;
    return { approvalTaskToken: taskToken, dueAt: nextDueAt(cur, deps.clock.now()) };
  });
  const outcome = outcomeOf(g);
  if (outcome !== APPROVAL_OUTCOME.pending) {
    // Decided before the token was stored: wake the step at once.
    await deps.workflow.resume(taskToken, { outcome } satisfies ApprovalDecision);
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

/** Rule "Sponsor approval": 14 days without a decision: APPROVAL_EXPIRED, and the requester is told. */
export async function expireApproval(deps: Deps, guestId: string): Promise<TaskResult<'expireApproval'>> {
  const now = deps.clock.now();
  let g = await load(deps, guestId);
  const outcome = outcomeOf(g);
  if (outcome !== APPROVAL_OUTCOME.pending) return { outcome };
  if (!approvalExpired(new Date(g.approvalRequestedAt ?? g.createdAt), now)) return { outcome: APPROVAL_OUTCOME.pending };
  g = await change(deps, g, WORKFLOW, 'approval-expired', { status: transition(g.status, 'approval-expired'), dueAt: undefined, approvalTaskToken: undefined });
  const requester = await deps.people.person(g.submittedBy);
  if (requester) await deps.mailer.send(emails.approvalExpired(g, requester.email));
  await guestMoved(deps, g);
  return { outcome: APPROVAL_OUTCOME.expired };
}

/**
 * Rules "Activation email", "Services per guest", "No HMS email for hospital guests", "No Digital
 * Library" and "O2": account ID, entitlements, activation code and the activation email.
 */
export async function provision(deps: Deps, guestId: string): Promise<{ status: GuestStatus }> {
  const now = deps.clock.now();
  let g = await load(deps, guestId);
  if (g.retainedAccountId) return provisionRetained(deps, g);
  if (can(g.status, 'provision') && outcomeOf(g) === APPROVAL_OUTCOME.approved) {
    const [hsr, sponsor] = await Promise.all([deps.hsr.hsr(g.guestHuid), deps.people.person(g.sponsorHuid)]);
    if (!hsr) throw new Error(`No HSR record for guest HUID ${g.guestHuid}`);
    if (!sponsor) throw new Error(`Sponsor ${g.sponsorHuid} is no longer in the people directory`);
    const patch: Partial<Guest> = {
      status: transition(g.status, 'provision'),
      entitlements: computeEntitlements(g.services, sponsor, { o2AccountId: g.o2AccountId }),
      guestName: `${hsr.firstName} ${hsr.lastName}`,
      guestEmail: hsr.personalEmail,
      approvalTaskToken: undefined,
    };
    // The account exists in the directory (disabled, with its groups) before the table says provisioned.
    patch.accountId = await createAccount(deps, { ...g, ...patch }, hsr);
    patch.dueAt = nextDueAt({ ...g, ...patch }, now);
    g = await change(deps, g, WORKFLOW, 'provisioned', patch);
    deps.metrics.count(METRIC_NAMES.provisioned);
  }
  // The activation email is owed until it is recorded as sent: a retry after the guest's email
  // failed sends a new code; after only the sponsor's copy failed, only the copy.
  if (activationOwed(g)) {
    // Never an email for an account that does not exist: a restarted Provision (the directory was
    // down, or the user was removed by hand) makes it exist first.
    await syncAccount(deps, g);
    if (g.activationSentTo?.includes('guest')) await sendActivationCopy(deps, g, WORKFLOW);
    else await issueActivation(deps, g, WORKFLOW, 'activation-issued');
  }
  return { status: g.status };
}

/**
 * Rule "Leaving HMS": an approved request keeping a leaving person's own HMS account
 * (`retainedAccountId`) is provisioned as that account (`provision-retained`): ACTIVE at once with
 * the same account ID, no activation code; the account ID reserved for this guest in the table, and
 * the directory user taken over (externalId, end date, sponsor) and made what the guest says. Then
 * the retainedAccount email to the person with the sponsor in copy (recorded as the activation
 * email is: `activationSentAt`), and the O2 account resting on it told. Run again, it does only
 * what is still owed.
 */
async function provisionRetained(deps: Deps, guest: Guest): Promise<{ status: GuestStatus }> {
  const now = deps.clock.now();
  let g = guest;
  const accountId = g.retainedAccountId!;
  if (can(g.status, 'provision-retained') && outcomeOf(g) === APPROVAL_OUTCOME.approved) {
    const [hsr, sponsor, person] = await Promise.all([deps.hsr.hsr(g.guestHuid), deps.people.person(g.sponsorHuid), deps.people.person(g.guestHuid)]);
    if (!sponsor) throw new Error(`Sponsor ${g.sponsorHuid} is no longer in the people directory`);
    if (!(await deps.guests.reserveAccountId(accountId, g.guestId))) {
      throw new DirectoryConflictError(`The HMS account ID ${accountId} that guest ${g.guestId} keeps is held by another guest here.`);
    }
    const patch: Partial<Guest> = {
      status: transition(g.status, 'provision-retained'),
      accountId,
      entitlements: computeEntitlements(g.services, sponsor, { o2AccountId: g.o2AccountId }),
      activatedAt: now.toISOString(),
      approvalTaskToken: undefined,
    };
    if (hsr) Object.assign(patch, { guestName: `${hsr.firstName} ${hsr.lastName}`, guestEmail: hsr.personalEmail });
    else if (!g.guestEmail && person?.email) patch.guestEmail = person.email;
    // The directory user is this guest's, active with its groups, before the table says ACTIVE.
    await adoptRetainedAccount(deps, { ...g, ...patch });
    patch.dueAt = nextDueAt({ ...g, ...patch }, now);
    g = await change(deps, g, WORKFLOW, 'provisioned-retained', patch, { accountId });
    deps.metrics.count(METRIC_NAMES.provisioned);
    await guestMoved(deps, g);
  }
  if (g.status === 'ACTIVE' && !g.activationSentAt) {
    const sponsor = await deps.people.person(g.sponsorHuid);
    await deps.mailer.send(emails.retainedAccount(g, sponsor, deps.links));
    g = await recordSent(deps, g, WORKFLOW, 'retained-account-email-sent', (cur) =>
      cur.activationSentAt ? undefined : { activationSentAt: deps.clock.now().toISOString(), activationSentTo: sponsor ? ['guest', 'sponsor'] : ['guest'] },
    );
  }
  return { status: g.status };
}

/**
 * The guest's user in the account directory, created disabled with the groups of its entitlements,
 * under a free HMS account ID: the answer is the account ID it has. A user this guest already has
 * (an earlier attempt whose answer was lost, or whose table write failed) is the one used; a
 * userName the directory reports taken at create time moves on to the next candidate.
 */
async function createAccount(deps: Deps, guest: Guest, hsr: HsrRecord): Promise<string> {
  const own = await deps.accounts.findByExternalId(guest.guestId);
  if (own) {
    if (!(await deps.guests.reserveAccountId(own.userName, guest.guestId))) {
      throw new DirectoryConflictError(`The directory user of guest ${guest.guestId} is ${own.userName}, an account ID another guest holds here.`);
    }
    await syncAccount(deps, { ...guest, accountId: own.userName }, { hsr });
    return own.userName;
  }
  const letters = accountIdLetters(hsr.firstName, hsr.lastName);
  const taken = new Set<string>();
  for (let tries = 0; tries < MAX_ACCOUNT_ID_CONFLICTS; tries++) {
    const accountId = await reserveAccountId(deps, guest.guestId, letters, taken);
    try {
      const userName = (await syncAccount(deps, { ...guest, accountId }, { hsr })).user?.userName ?? accountId;
      if (userName !== accountId && !(await deps.guests.reserveAccountId(userName, guest.guestId))) {
        throw new DirectoryConflictError(`The directory user of guest ${guest.guestId} is ${userName}, an account ID another guest holds here.`);
      }
      return userName;
    } catch (err) {
      if (!(err instanceof DirectoryConflictError)) throw err;
      // Taken in the directory by a user that is not this guest's (created between the check and now): the next one.
      taken.add(accountId);
    }
  }
  throw new DirectoryConflictError(`${MAX_ACCOUNT_ID_CONFLICTS} HMS account IDs in a row were taken in the directory at create time for guest ${guest.guestId}.`);
}

/** Account IDs in a row found taken in the directory at create time before provisioning gives up (a permanent failure). */
const MAX_ACCOUNT_ID_CONFLICTS = 20;

/**
 * A free HMS account ID for the guest, always: the candidates (rules.ts, accountIdCandidates) are
 * read 100 at a time in one batch (one this guest reserved already is taken again), and the free ones tried in order with a conditional write (a
 * parallel provisioning may take one first). Ends on a free ID however full the space is: all
 * thousand three-digit IDs taken costs ten batched reads before the four-digit ones. "Free" means
 * free in the HMS account directory too (a user there holding it that is not this guest's is
 * skipped), and not among `skip` (IDs the directory refused at create time).
 */
export async function reserveAccountId(deps: Pick<Deps, 'guests' | 'random' | 'accounts'>, guestId: string, letters: string, skip: ReadonlySet<string> = new Set()): Promise<string> {
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
      if (skip.has(candidate) || (holder && holder !== guestId)) continue;
      const user = await deps.accounts.findByUserName(candidate);
      if (user && user.externalId !== guestId) continue;
      if (holder === guestId || (await deps.guests.reserveAccountId(candidate, guestId))) return candidate;
    }
  }
}

/**
 * Rules "Expiry notices" and "Disabled at expiry", in one invocation (issue 21): what is due now is
 * done here (the day's notice, the expiry), then what is next is planned, so that a notice day
 * costs the execution one task and no second round trip. A plan still answers `notice` or `expire`
 * after ACTS_PER_PLAN acts in a row (never, by the rules: one notice a day, one expiry), and the
 * definition keeps those branches for it.
 */
export async function plan(deps: Deps, guestId: string, executionStartTime: string, iteration: number): Promise<TaskResult<'plan'>> {
  for (let acts = 0; ; acts++) {
    const next = await planOnce(deps, guestId, executionStartTime, iteration);
    if (acts >= ACTS_PER_PLAN || (next.action !== PLAN_ACTION.notice && next.action !== PLAN_ACTION.expire)) return next;
    if (next.action === PLAN_ACTION.notice) await notice(deps, guestId, next.noticeDate);
    else await expireIfDue(deps, guestId);
  }
}

/** The most a plan does before it answers: a notice and an expiry due at once, and one more. */
export const ACTS_PER_PLAN = 3;

/** What is next for a provisioned account, and when, without doing it (the plan acts on `notice` and `expire`). */
export async function planOnce(deps: Deps, guestId: string, executionStartTime: string, iteration: number): Promise<TaskResult<'plan'>> {
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
      // The successor's first wait, planned here: it starts waiting at once (no plan of its own) and
      // its horizon begins now or a moment later, so the wait ends within it.
      const first = new Date(Math.min(step.until.getTime(), now.getTime() + CONTINUE_AFTER_MS));
      await change(deps, g, WORKFLOW, 'continued-as-new', { execution: { name, generation }, dueAt: first.toISOString() });
      return { action: PLAN_ACTION.continue, nextExecutionName: name, at: sfnTimestamp(first), iteration: next };
    }
    const until = new Date(Math.min(step.until.getTime(), horizon));
    const due = until.toISOString();
    if (g.dueAt !== due) g = await change(deps, g, WORKFLOW, 'scheduled', { dueAt: due });
    return { action: PLAN_ACTION.wait, at: sfnTimestamp(until), iteration: next };
  }
  if (step.action === 'done') {
    if (g.dueAt) await change(deps, g, WORKFLOW, 'closed', { dueAt: undefined });
    return { action: PLAN_ACTION.done, reason: step.reason, iteration: next };
  }
  if (step.action === 'notice') return { action: PLAN_ACTION.notice, noticeDate: step.noticeDate, iteration: next };
  return { action: PLAN_ACTION.expire, iteration: next };
}

/** Rule "Expiry notices": one expiry notice to the sponsor for `noticeDate`, once (see docs/design.md for the window where it may be twice). */
export async function notice(deps: Deps, guestId: string, noticeDate: string): Promise<TaskResult<'notice'>> {
  const now = deps.clock.now();
  const g = await load(deps, guestId);
  const step = nextScheduleStep(g, now);
  if (step.action !== 'notice' || step.noticeDate !== noticeDate) return { sent: false, reason: 'not due any more' };
  const sponsor = await deps.people.person(g.sponsorHuid);
  if (!sponsor) throw new Error(`Sponsor ${g.sponsorHuid} is no longer in the people directory`);
  await deps.mailer.send(emails.expiryNotice(g, sponsor, deps.links, noticeDate));
  deps.metrics.count(METRIC_NAMES.noticeSent);
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

/** Rule "Disabled at expiry": at the end of the end date, unless an extension moved it. */
export async function expireIfDue(deps: Deps, guestId: string): Promise<TaskResult<'expire'>> {
  const g = await load(deps, guestId);
  if (can(g.status, 'expire') && deps.clock.now().getTime() < expiryInstant(g.endDate).getTime()) {
    return { expired: false, reason: 'extended' };
  }
  const out = await expireAccount(deps, g, WORKFLOW);
  return { expired: out.status === 'EXPIRED' };
}

/**
 * Recorded on the guest and visible in the API; after MAX_FAILURES in a row the guest is FAILED
 * (the transition 'fail'). A recorded email (recordSent) is progress: it clears the failure, ending
 * the streak. The account directory's failures are classed (shared/core/domain/errors.ts): a transient
 * one (an outage, throttling) is recorded but never counts toward FAILED — the reconciler starts the
 * lifecycle again the next morning, and again, until the directory answers; a permanent one (a
 * change no retry can make) makes the guest FAILED at once: nothing downstream runs, an operator looks.
 */
export async function recordFailure(deps: Deps, guestId: string, error: TaskError): Promise<TaskResult<'recordFailure'>> {
  const now = deps.clock.now();
  let transient = false;
  const g = await changeWithRetry(deps, guestId, WORKFLOW, 'failed', (cur) => {
    const { failure, fails, retryAt } = nextFailure(cur.failure, 'lifecycle', error, now);
    transient = failure.kind === 'transient';
    if (!fails) return { failure, dueAt: retryAt };
    // A guest whose lifecycle is over already (cancelled meanwhile, ...) keeps its status.
    return can(cur.status, 'fail') ? { failure, status: transition(cur.status, 'fail'), dueAt: undefined } : { failure, dueAt: undefined };
  });
  deps.metrics.count(METRIC_NAMES.lifecycleFailure);
  if (g?.status === 'FAILED') await guestMoved(deps, g);
  const deferred = transient && g !== undefined && g.status !== 'FAILED';
  return { recorded: Boolean(g), status: g?.status, outcome: deferred ? FAILURE_OUTCOME.deferred : FAILURE_OUTCOME.failed };
}

/** Runs one task of the state machine: each by the name the definition sends (contract.ts). */
export const runTask = dispatcher<LifecycleTasks, 'guestId', Deps>(
  { version: TASK_PAYLOAD_VERSION, names: TASK_NAMES },
  {
    checkHsr: (deps, p) => checkHsr(deps, p.guestId),
    requestApproval: (deps, p) => requestApproval(deps, p.guestId, p.taskToken, p.reminder),
    expireApproval: (deps, p) => expireApproval(deps, p.guestId),
    provision: async (deps, p) => ({ ...(await provision(deps, p.guestId)), ...(await plan(deps, p.guestId, p.executionStartTime, 0)) }),
    plan: (deps, p) => plan(deps, p.guestId, p.executionStartTime, p.iteration ?? 0),
    notice: (deps, p) => notice(deps, p.guestId, p.noticeDate),
    expire: (deps, p) => expireIfDue(deps, p.guestId),
    recordFailure: (deps, p) => recordFailure(deps, p.guestId, p.error ?? {}),
  },
);
