/**
 * The O2 lifecycle's tasks (functions/o2-task.ts dispatches to these; their names, payloads and
 * answers are in shared/o2/app/contract.ts), as shared/guest/app/tasks.ts is for the guest lifecycle. Each reads
 * the O2 account from DynamoDB, asks the domain what is due, and writes the result back with one
 * conditional change (shared/o2/app/changes.ts) whose status comes from shared/o2/domain/transitions.ts. Each is safe to run
 * again: a retried or resumed task finds its own earlier work (emails are recorded by name in
 * `sent` and go out once, at least once: see docs/design.md).
 *
 * Where an active account's O2 login is made: in setUpO2 (shared/o2/app/login.ts), directory first, then
 * ACTIVE, then the "active" email — on-Quad by Setup here, off-Quad by the RC Core's completion in the
 * API (completeO2, shared/o2/app/o2.ts), which then wakes WaitForRcCore. RcCoreDue and Setup, finding
 * an account ACTIVE, only make sure of it (finishActivation: the uid number, the directory, the
 * "active" email if still owed), so a completion whose email failed is finished by the lifecycle.
 */
import type { O2Account, O2Status, O2WaitStep } from '../domain/model.ts';
import { HMS_ACCOUNT_RECHECK_MS, labRegistrationStep, rcCoreStep } from '../domain/rules.ts';
import { o2Can, o2IsFinal, o2StatusChange, o2Transition } from '../domain/transitions.ts';
import { METRIC_NAMES } from '../../core/ports.ts';
import type { O2Deps as Deps } from '../../app/deps.ts';
import { emails } from './emails.ts';
import { horizonOf, seconds } from '../../core/app/horizon.ts';
import { setUpO2 } from './login.ts';
import { changeO2, changeO2WithRetry, recordO2Sent } from './changes.ts';
import { HMS_ACCOUNT_CHECK, LAB_CHECK, O2_DECISION, O2_FAILURE_OUTCOME, O2_TASK_NAMES, O2_TASK_PAYLOAD_VERSION, O2_WAKE, RC_CORE_CHECK, SETUP_ROUTE, type O2Decision, type O2TaskResult, type O2Wake, type TaskError, type O2Tasks } from './contract.ts';
import { dispatcher } from '../../core/app/tasks.ts';
import { nextFailure } from '../../core/domain/failures.ts';
import { hmsAccountOf } from './hms-account.ts';
import { APPROVAL_EXPIRES_AFTER_MS, APPROVAL_REMINDER_AFTER_MS, approvalExpired, approvalTimeouts, type ApprovalTimeouts } from '../../guest/public.ts';

import { finishActivation, handOver, HMS_ACCOUNT_LINK_GRACE_MS, lapse, load, o2ActivationOwed, o2DecisionOf, sendLapsedEmail, WORKFLOW } from './task-support.ts';
import { expire, notice, plan } from './schedule.ts';

export { HMS_ACCOUNT_LINK_GRACE_MS, o2ActivationOwed, o2DecisionOf } from './task-support.ts';
export { expire, notice, plan } from './schedule.ts';
// --- CheckHmsAccount -----------------------------------------------------------------------------

/** The approval timeouts of an account waiting for its PI's decision since `approvalRequestedAt`. */
const timeoutsOf = (o: O2Account, now: Date): ApprovalTimeouts => approvalTimeouts(new Date(o.approvalRequestedAt ?? o.createdAt), now);

/**
 * Rules "O2: sponsoring PI" and "No HMS account": an O2 account waiting for its HMS account (the
 * chained guest account) goes on once it is active (PENDING_PI_APPROVAL, the account ID and end date
 * recorded), waits for it (woken by the guest lifecycle, or checked again daily), lapses when the
 * guest request ended without an account; then, by status, the approval, the setup, the schedule.
 */
export async function checkHmsAccount(deps: Deps, o2AccountId: string, executionStartTime: string): Promise<O2TaskResult<'checkHmsAccount'>> {
  const now = deps.clock.now();
  let o = await load(deps, o2AccountId);
  if (o.status === 'PENDING_HMS_ACCOUNT') {
    const hms = await hmsAccountOf(deps, o, now);
    if (hms.state !== 'active') {
      const unlinked = !o.guestId && now.getTime() - Date.parse(o.createdAt) >= HMS_ACCOUNT_LINK_GRACE_MS;
      if ((hms.state === 'none' && hms.guest) || unlinked) {
        await lapse(deps, o, 'no-hms-account');
        return { result: HMS_ACCOUNT_CHECK.closed };
      }
      const horizon = horizonOf(executionStartTime);
      if (now.getTime() >= horizon) return { result: HMS_ACCOUNT_CHECK.continue, nextExecutionName: await handOver(deps, o) };
      const wait = Math.min(HMS_ACCOUNT_RECHECK_MS, horizon - now.getTime());
      await changeO2(deps, o, WORKFLOW, 'hms-account-checked', { ...o2StatusChange(o.status, 'hms-account-check'), dueAt: new Date(now.getTime() + wait).toISOString() }, { hmsAccount: hms.state });
      return { result: HMS_ACCOUNT_CHECK.pending, timeoutSeconds: seconds(wait) };
    }
    const patch: Partial<O2Account> = { status: o2Transition(o.status, 'hms-account-ready'), accountId: hms.accountId, endDate: hms.endDate, dueAt: now.toISOString() };
    if (o.approval?.decision !== 'approve') patch.approvalRequestedAt = now.toISOString();
    o = await changeO2(deps, o, WORKFLOW, 'hms-account-ready', patch, { accountId: hms.accountId ?? null });
  }
  switch (o.status) {
    case 'PENDING_PI_APPROVAL':
      return o.approval?.decision === 'approve' ? { result: HMS_ACCOUNT_CHECK.approved } : { result: HMS_ACCOUNT_CHECK.approval, approval: timeoutsOf(o, now) };
    case 'PENDING_LAB_REGISTRATION':
    case 'PENDING_RC_CORE':
    case 'RENEWAL_REQUESTED':
      return { result: HMS_ACCOUNT_CHECK.setup };
    case 'ACTIVE':
      return { result: o2ActivationOwed(o) ? HMS_ACCOUNT_CHECK.setup : HMS_ACCOUNT_CHECK.active };
    case 'EXPIRED':
      return { result: HMS_ACCOUNT_CHECK.active };
    default:
      // Over (denied, lapsed, cancelled, failed): an owed "lapsed" email, and nothing due any more.
      o = await sendLapsedEmail(deps, o);
      if (o.dueAt || o.taskToken) await changeO2(deps, o, WORKFLOW, 'closed', { dueAt: undefined, taskToken: undefined, waitingFor: undefined });
      return { result: HMS_ACCOUNT_CHECK.closed };
  }
}

// --- the callback steps --------------------------------------------------------------------------

/** The status each callback step waits in. */
const WAITS_IN: { readonly [S in O2WaitStep]: readonly O2Status[] } = {
  'hms-account': ['PENDING_HMS_ACCOUNT'],
  approval: ['PENDING_PI_APPROVAL'],
  'approval-reminder': ['PENDING_PI_APPROVAL'],
  'lab-registration': ['PENDING_LAB_REGISTRATION'],
  'rc-core': ['PENDING_RC_CORE', 'RENEWAL_REQUESTED'],
};

/** What the step is woken with when what it waits for happened already; undefined while it must wait. */
async function stepOutcome(deps: Deps, o: O2Account, step: O2WaitStep): Promise<O2Wake | O2Decision | undefined> {
  const ready: O2Wake = { outcome: O2_WAKE.ready };
  if (step === 'approval' || step === 'approval-reminder') {
    const outcome = o2DecisionOf(o);
    return outcome === O2_DECISION.pending ? undefined : { outcome };
  }
  if (!WAITS_IN[step].includes(o.status)) return ready;
  if (step === 'hms-account') {
    const hms = await hmsAccountOf(deps, o, deps.clock.now());
    return hms.state === 'active' || (hms.state === 'none' && hms.guest) ? ready : undefined;
  }
  if (step === 'lab-registration') {
    const lab = await deps.o2.getLab(o.labId);
    return !lab || lab.registration.status === 'registered' ? ready : undefined;
  }
  return undefined;
}

/** Until when an approval step waits (the reconciler's dueAt). */
function approvalDue(o: O2Account, step: O2WaitStep): string | undefined {
  const from = Date.parse(o.approvalRequestedAt ?? o.createdAt);
  if (step === 'approval') return new Date(from + APPROVAL_REMINDER_AFTER_MS).toISOString();
  if (step === 'approval-reminder') return new Date(from + APPROVAL_EXPIRES_AFTER_MS).toISOString();
  return undefined;
}

/**
 * Every callback step: the task token and what it waits for kept on the account (the API wakes it
 * with wakeO2), then the step's email, once; woken at once when what it waits for happened already
 * (before the token was stored, or while it was being stored).
 */
export async function awaitStep(deps: Deps, o2AccountId: string, taskToken: string, step: O2WaitStep): Promise<O2TaskResult<'awaitStep'>> {
  const first = await load(deps, o2AccountId);
  const waiting = (cur: O2Account) => (step === 'approval' || step === 'approval-reminder' ? o2DecisionOf(cur) === O2_DECISION.pending : WAITS_IN[step].includes(cur.status));
  let o: O2Account | undefined = first;
  if (!(await stepOutcome(deps, first, step))) {
    o = await changeO2WithRetry(
      deps,
      o2AccountId,
      WORKFLOW,
      'waiting',
      (cur) => {
        if (!waiting(cur) || (cur.taskToken === taskToken && cur.waitingFor === step)) return undefined;
        const due = approvalDue(cur, step);
        return { taskToken, waitingFor: step, ...(due ? { dueAt: due } : {}) };
      },
      { step },
    );
  }
  // What it waits for may have happened meanwhile (a lab registered while the token was being stored): looked at again.
  const outcome = o ? await stepOutcome(deps, o, step) : { outcome: O2_DECISION.closed };
  if (outcome) {
    await deps.o2Workflow.resume(taskToken, outcome);
    await changeO2WithRetry(deps, o2AccountId, WORKFLOW, 'woken', (cur) => (cur.taskToken === taskToken ? { taskToken: undefined, waitingFor: undefined } : undefined), { step });
    return { waiting: false };
  }
  await sendStepEmails(deps, o!, step);
  return { waiting: true };
}

/** The email each step sends once: the approval request (and reminder) to the sponsor; the lab's registration to the RC Core (once per lab) and to the PI; the setup to the RC Core. */
async function sendStepEmails(deps: Deps, o: O2Account, step: O2WaitStep): Promise<void> {
  if (step === 'approval' || step === 'approval-reminder') {
    const name = step === 'approval' ? 'approval-request' : 'approval-reminder';
    if (o.sent?.includes(name)) return;
    const [sponsor, requester, lab] = await Promise.all([deps.people.person(o.piHuid), deps.people.person(o.requestedBy), deps.o2.getLab(o.labId)]);
    if (!sponsor) throw new Error(`Sponsor ${o.piHuid} is no longer in the people directory`);
    if (!lab) throw new Error(`Lab ${o.labId} does not exist`);
    await deps.mailer.send(emails.o2ApprovalRequest(o, sponsor, requester, lab, deps.links, step === 'approval-reminder'));
    await recordO2Sent(deps, o, WORKFLOW, name);
    return;
  }
  if (step === 'lab-registration') {
    let lab = await deps.o2.getLab(o.labId);
    if (!lab) throw new Error(`Lab ${o.labId} does not exist`);
    const pi = await deps.people.person(lab.piHuid);
    // The RC Core is asked once per lab, whichever of its O2 accounts waits first: noted on the lab
    // without a new version (its ETag stays for the RC Core's registration), recorded on this account.
    if (!lab.registrationRequestedAt) {
      await deps.mailer.send(emails.o2LabRegistrationToRcCore(lab, pi, deps.links, 0));
      for (let tries = 0; lab && !lab.registrationRequestedAt && tries < 3; tries++) {
        if (await deps.o2.noteRegistrationRequested(lab, deps.clock.now().toISOString())) break;
        lab = await deps.o2.getLab(o.labId);
      }
      o = await recordO2Sent(deps, o, WORKFLOW, 'lab-registration-rc-core', {}, { to: 'rc-core' });
    }
    const sponsor = pi ?? (await deps.people.person(o.piHuid));
    if (sponsor && lab && !o.sent?.includes('lab-registration-pi')) {
      await deps.mailer.send(emails.o2LabRegistrationToPi(o, lab, sponsor, deps.links, 0));
      await recordO2Sent(deps, o, WORKFLOW, 'lab-registration-pi');
    }
    return;
  }
  if (step === 'rc-core' && o.status === 'PENDING_RC_CORE') {
    // A renewal's request to the RC Core is the renewal email itself (renewO2, with the PI in copy).
    const name = `rc-core-setup:${rcCoreMarks(o).requestedAt.toISOString()}`;
    if (o.sent?.includes(name)) return;
    const [lab, sponsor] = await Promise.all([deps.o2.getLab(o.labId), deps.people.person(o.piHuid)]);
    await deps.mailer.send(emails.o2RcCoreSetup(o, lab, sponsor, deps.links, 'setup'));
    await recordO2Sent(deps, o, WORKFLOW, name);
  }
}

// --- ExpirePiApproval ----------------------------------------------------------------------------

/** Rule "O2: sponsoring PI" (deadlines, as for guests): 14 days without a decision, the request lapses ('approval-expired'), and the requester, user and PI are told. */
export async function expireApproval(deps: Deps, o2AccountId: string): Promise<O2TaskResult<'expireApproval'>> {
  const now = deps.clock.now();
  let o = await load(deps, o2AccountId);
  const outcome = o2DecisionOf(o);
  if (outcome === O2_DECISION.lapsed) await sendLapsedEmail(deps, o);
  if (outcome !== O2_DECISION.pending) return { outcome };
  if (!approvalExpired(new Date(o.approvalRequestedAt ?? o.createdAt), now)) return { outcome: O2_DECISION.pending };
  o = await lapse(deps, o, 'approval-expired');
  return { outcome: O2_DECISION.lapsed };
}

// --- Setup ---------------------------------------------------------------------------------------

/**
 * Rules "On-Quad" and "Off-Quad": an approved account of an on-Quad lab is set up now (ACTIVE, its
 * uid number, the directory, the "active" email); of an off-Quad lab not registered with the RC Core
 * it waits for the registration (PENDING_LAB_REGISTRATION); of a registered one (or a renewal) for
 * the RC Core (PENDING_RC_CORE).
 */
export async function setup(deps: Deps, o2AccountId: string): Promise<O2TaskResult<'setup'>> {
  const now = deps.clock.now();
  const o = await load(deps, o2AccountId);
  switch (o.status) {
    case 'PENDING_PI_APPROVAL': {
      if (o.approval?.decision !== 'approve') throw new Error(`O2 account ${o2AccountId} is not approved`);
      if (o.quad.onQuad) {
        const hms = await hmsAccountOf(deps, o, now);
        const accountId = o.accountId ?? hms.accountId;
        if (!accountId) throw new Error(`O2 account ${o2AccountId} has no HMS account ID to set up`);
        const active = await setUpO2(deps, o, WORKFLOW, 'activate', { accountId, endDate: hms.endDate ?? o.endDate }, { taskToken: undefined, waitingFor: undefined, dueAt: now.toISOString() });
        await finishActivation(deps, active);
        return { route: SETUP_ROUTE.active };
      }
      const lab = await deps.o2.getLab(o.labId);
      if (!lab) throw new Error(`Lab ${o.labId} does not exist`);
      if (lab.registration.status !== 'registered') {
        await changeO2(deps, o, WORKFLOW, 'awaiting-lab-registration', { status: o2Transition(o.status, 'await-lab-registration'), labWaitingSince: now.toISOString(), labReminders: 0, dueAt: now.toISOString() });
        return { route: SETUP_ROUTE.lab };
      }
      await changeO2(deps, o, WORKFLOW, 'sent-to-rc-core', { status: o2Transition(o.status, 'send-to-rc-core'), rcCoreRequestedAt: now.toISOString(), dueAt: now.toISOString() });
      return { route: SETUP_ROUTE.rcCore };
    }
    case 'PENDING_LAB_REGISTRATION': {
      const lab = await deps.o2.getLab(o.labId);
      if (lab?.registration.status !== 'registered') return { route: SETUP_ROUTE.lab };
      await changeO2(deps, o, WORKFLOW, 'lab-registered', { status: o2Transition(o.status, 'lab-registered'), rcCoreRequestedAt: now.toISOString(), taskToken: undefined, waitingFor: undefined, dueAt: now.toISOString() });
      return { route: SETUP_ROUTE.rcCore };
    }
    case 'PENDING_RC_CORE':
    case 'RENEWAL_REQUESTED':
      return { route: SETUP_ROUTE.rcCore };
    case 'ACTIVE':
      await finishActivation(deps, o);
      return { route: SETUP_ROUTE.active };
    case 'EXPIRED':
      return { route: SETUP_ROUTE.active };
    case 'PENDING_HMS_ACCOUNT':
      throw new Error(`O2 account ${o2AccountId} is still waiting for its HMS account`);
    default:
      return { route: SETUP_ROUTE.closed };
  }
}

// --- LabRegistrationDue --------------------------------------------------------------------------

/**
 * Rule "Off-Quad" (deadlines): registered yet (Setup sends the account on to the RC Core)? Else the
 * weekly reminder to the RC Core and the PI (7, 14, 21, 28 days), or the lapse at 30 days with the
 * email saying why; and how long to wait for the registration until then.
 */
export async function labRegistrationDue(deps: Deps, o2AccountId: string): Promise<O2TaskResult<'labRegistrationDue'>> {
  const now = deps.clock.now();
  let o = await load(deps, o2AccountId);
  if (o.status !== 'PENDING_LAB_REGISTRATION') {
    await sendLapsedEmail(deps, o);
    return { result: o2IsFinal(o.status) || o.status === 'EXPIRED' ? LAB_CHECK.closed : LAB_CHECK.registered };
  }
  const lab = await deps.o2.getLab(o.labId);
  if (!lab) throw new Error(`Lab ${o.labId} does not exist`);
  if (lab.registration.status === 'registered') return { result: LAB_CHECK.registered };
  const since = new Date(o.labWaitingSince ?? o.updatedAt);
  let step = labRegistrationStep(since, o.labReminders ?? 0, now);
  if (step.action === 'lapse') {
    await lapse(deps, o, 'lab-not-registered');
    return { result: LAB_CHECK.closed };
  }
  if (step.action === 'remind') {
    const n = (o.labReminders ?? 0) + 1;
    const name = `lab-reminder-${n}`;
    if (!o.sent?.includes(name)) {
      const pi = await deps.people.person(lab.piHuid);
      await deps.mailer.send(emails.o2LabRegistrationToRcCore(lab, pi, deps.links, n));
      if (pi) await deps.mailer.send(emails.o2LabRegistrationToPi(o, lab, pi, deps.links, n));
      o = await recordO2Sent(deps, o, WORKFLOW, name, { labReminders: n, ...o2StatusChange(o.status, 'lab-reminder') }, { reminder: n });
    }
    step = labRegistrationStep(since, Math.max(n, o.labReminders ?? 0), now);
  }
  const due = new Date(now.getTime() + step.timeoutSeconds * 1000).toISOString();
  if (o.dueAt !== due) await changeO2(deps, o, WORKFLOW, 'lab-registration-awaited', { dueAt: due });
  return { result: LAB_CHECK.waiting, timeoutSeconds: step.timeoutSeconds };
}

// --- RcCoreDue -----------------------------------------------------------------------------------

/** When the RC Core was asked (the renewal, for a renewal), and the reminder and escalation of that request. */
function rcCoreMarks(o: O2Account): { requestedAt: Date; rcCoreRemindedAt?: string; rcCoreEscalatedAt?: string } {
  const requested = (o.status === 'RENEWAL_REQUESTED' ? o.renewal?.at : undefined) ?? o.rcCoreRequestedAt ?? o.updatedAt;
  const since = (at: string | undefined) => (at && at >= requested ? at : undefined);
  const reminded = since(o.rcCoreRemindedAt);
  const escalated = since(o.rcCoreEscalatedAt);
  return { requestedAt: new Date(requested), ...(reminded ? { rcCoreRemindedAt: reminded } : {}), ...(escalated ? { rcCoreEscalatedAt: escalated } : {}) };
}

/**
 * Rule "Off-Quad" (RC Core): completed (the O2 login made and the user told: finishActivation)? Else
 * the reminder to the RC Core after 3 working days, HMS IT told after 10 (the alert
 * `o2-rc-core-overdue`), then a look every week; and how long to wait for the completion until then.
 */
export async function rcCoreDue(deps: Deps, o2AccountId: string, executionStartTime: string): Promise<O2TaskResult<'rcCoreDue'>> {
  const now = deps.clock.now();
  let o = await load(deps, o2AccountId);
  if (o.status === 'ACTIVE') {
    await finishActivation(deps, o);
    return { result: RC_CORE_CHECK.completed };
  }
  if (o.status !== 'PENDING_RC_CORE' && o.status !== 'RENEWAL_REQUESTED') return { result: RC_CORE_CHECK.closed };
  let marks = rcCoreMarks(o);
  let step = rcCoreStep(marks.requestedAt, marks, now);
  if (step.action === 'remind') {
    const name = `rc-core-reminder:${marks.requestedAt.toISOString()}`;
    if (!o.sent?.includes(name)) {
      const [lab, sponsor] = await Promise.all([deps.o2.getLab(o.labId), deps.people.person(o.piHuid)]);
      await deps.mailer.send(emails.o2RcCoreSetup(o, lab, sponsor, deps.links, 'reminder'));
      o = await recordO2Sent(deps, o, WORKFLOW, name, { rcCoreRemindedAt: now.toISOString(), ...o2StatusChange(o.status, 'rc-core-reminder') });
    }
    marks = rcCoreMarks(o);
    step = rcCoreStep(marks.requestedAt, marks, now);
  }
  if (step.action === 'escalate') {
    await deps.alerts.raise('o2-rc-core-overdue', { o2AccountId, labId: o.labId, userHuid: o.userHuid, status: o.status, requestedAt: marks.requestedAt.toISOString() });
    o = (await changeO2WithRetry(deps, o2AccountId, WORKFLOW, 'rc-core-overdue', (cur) => (rcCoreMarks(cur).rcCoreEscalatedAt ? undefined : { rcCoreEscalatedAt: now.toISOString() }))) ?? o;
    marks = rcCoreMarks(o);
    step = rcCoreStep(marks.requestedAt, marks, now);
  }
  const horizon = horizonOf(executionStartTime);
  if (now.getTime() >= horizon) return { result: RC_CORE_CHECK.continue, nextExecutionName: await handOver(deps, o) };
  const wait = Math.min(step.timeoutSeconds * 1000, horizon - now.getTime());
  const due = new Date(now.getTime() + wait).toISOString();
  if (o.dueAt !== due) await changeO2(deps, o, WORKFLOW, 'rc-core-awaited', { dueAt: due });
  return { result: RC_CORE_CHECK.waiting, timeoutSeconds: seconds(wait) };
}

// --- RecordO2Failure -----------------------------------------------------------------------------

/**
 * As the guest lifecycle's: recorded on the O2 account (`failure`) with `dueAt` an hour ahead for the
 * reconciler; FAILED at the third failure in a row (or at once, a permanent failure of the account
 * directory); a transient one of the directory never counts and ends the execution waiting for it.
 */
export async function recordFailure(deps: Deps, o2AccountId: string, error: TaskError): Promise<O2TaskResult<'recordFailure'>> {
  const now = deps.clock.now();
  let transient = false;
  const o = await changeO2WithRetry(deps, o2AccountId, WORKFLOW, 'failed', (cur) => {
    const { failure, fails, retryAt } = nextFailure(cur.failure, 'o2-lifecycle', error, now);
    transient = failure.kind === 'transient';
    if (!fails) return { failure, dueAt: retryAt };
    return o2Can(cur.status, 'fail') ? { failure, status: o2Transition(cur.status, 'fail'), dueAt: undefined, taskToken: undefined, waitingFor: undefined } : { failure, dueAt: undefined };
  });
  deps.metrics.count(METRIC_NAMES.lifecycleFailure);
  const deferred = transient && o !== undefined && o.status !== 'FAILED';
  return { recorded: Boolean(o), status: o?.status, outcome: deferred ? O2_FAILURE_OUTCOME.deferred : O2_FAILURE_OUTCOME.failed };
}

// --- dispatch ------------------------------------------------------------------------------------

/** Runs one task of the O2 state machine: each by the name the definition sends (contract.ts). */
export const runO2Task = dispatcher<O2Tasks, 'o2AccountId', Deps>(
  { version: O2_TASK_PAYLOAD_VERSION, names: O2_TASK_NAMES },
  {
    checkHmsAccount: (deps, p) => checkHmsAccount(deps, p.o2AccountId, p.executionStartTime),
    awaitStep: (deps, p) => awaitStep(deps, p.o2AccountId, p.taskToken, p.step),
    expireApproval: (deps, p) => expireApproval(deps, p.o2AccountId),
    setup: (deps, p) => setup(deps, p.o2AccountId),
    labRegistrationDue: (deps, p) => labRegistrationDue(deps, p.o2AccountId),
    rcCoreDue: (deps, p) => rcCoreDue(deps, p.o2AccountId, p.executionStartTime),
    plan: (deps, p) => plan(deps, p.o2AccountId, p.executionStartTime, p.iteration ?? 0),
    notice: (deps, p) => notice(deps, p.o2AccountId, p.noticeDate),
    expire: (deps, p) => expire(deps, p.o2AccountId),
    recordFailure: (deps, p) => recordFailure(deps, p.o2AccountId, p.error ?? {}),
  },
);

