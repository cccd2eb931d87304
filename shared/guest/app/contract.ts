/**
 * The contract between the lifecycle state machine (workflows/guest.ts) and what it runs
 * (the tasks in shared/guest/app/tasks.ts, through functions/lifecycle-task.ts), and with what starts
 * and wakes its executions (the API's use cases, the reconciler): each task's name, the fields the
 * definition sends it, what it answers, and the answers the definition's Choice states test. Both
 * sides import this, so a renamed task, a new field or a new answer that one side has not followed
 * is a compile error. No CDK and no AWS SDK here.
 */
import type { IsoDate } from '../../core/domain/dates.ts';
import type { GuestStatus } from '../domain/model.ts';
import type { ApprovalTimeouts, ScheduleStep } from '../domain/rules.ts';
import { EXECUTION_PHASE, executionInputOf, FAILURE_OUTCOME, taskNames, type ExecutionInputOf, type FailureOutcome, type FieldAt, type FieldPath, type PayloadOf, type TaskError } from '../../core/app/tasks.ts';

export { FAILURE_OUTCOME, type FailureOutcome, type FieldAt, type FieldPath, type TaskError };

/**
 * Version of every payload the lifecycle sends (`v`: execution input and task payloads). An
 * execution keeps the definition it started with, so task handlers accept every version up to this
 * one and refuse newer ones; a new field must be optional. Bump it only with a handler that still
 * reads the old shape.
 */
export const TASK_PAYLOAD_VERSION = 1;

/** CheckHsr's `result`, tested by the HsrReady? Choice. */
export const HSR_CHECK = {
  /** No active HSR covering the end date yet: WaitForHsr, then check again. */
  pending: 'pending',
  /** The HSR is there and the sponsor's decision is awaited: RequestApproval (or RemindApproval, by `approval.stage`). */
  ok: 'ok',
  /** Approved already (submitted by the sponsor, or a restart with the activation email still owed): Provision. */
  approved: 'approved',
  /** Provisioned already: the schedule. */
  provisioned: 'provisioned',
  /** 14 days without an HSR: HSR_TIMEOUT, closed. */
  timeout: 'timeout',
  /** Nothing left to do (denied, cancelled, ...): closed. */
  closed: 'closed',
} as const;
export type HsrCheck = (typeof HSR_CHECK)[keyof typeof HSR_CHECK];

/** Which approval step to wait in (CheckHsr's `approval.stage`, from the domain's approvalTimeouts). */
export const APPROVAL_STAGE = { request: 'request', remind: 'remind' } as const satisfies { [S in ApprovalTimeouts['stage']]: S };

/**
 * Where a request stands once the approval step wakes (`outcome`, tested by the Decided? Choice):
 * what the API sends the waiting step (SendTaskSuccess), what RequestApproval sends it when the
 * request was decided before it waited, and what ExpireApproval answers.
 */
export const APPROVAL_OUTCOME = {
  approved: 'approved',
  denied: 'denied',
  cancelled: 'cancelled',
  expired: 'expired',
  pending: 'pending',
  closed: 'closed',
} as const;
export type ApprovalOutcome = (typeof APPROVAL_OUTCOME)[keyof typeof APPROVAL_OUTCOME];
export type ApprovalDecision = { outcome: ApprovalOutcome };

/**
 * PlanSchedule's `action`, tested by the NextStep? Choice: the domain's next schedule step
 * (ScheduleStep), or `continue` (hand over to a new execution before this one grows old).
 */
export const PLAN_ACTION = {
  notice: 'notice',
  expire: 'expire',
  wait: 'wait',
  done: 'done',
  continue: 'continue',
} as const satisfies { [A in ScheduleStep['action'] | 'continue']: A };
export type PlanAction = (typeof PLAN_ACTION)[keyof typeof PLAN_ACTION];

/** What PlanSchedule answers with each action, besides the loop count. */
interface PlanFields {
  notice: { noticeDate: IsoDate };
  expire: Record<never, never>;
  /** Until when (a Step Functions timestamp). */
  wait: { at: string };
  done: { reason: string };
  /**
   * The successor's execution name, recorded on the guest first, and its first wait (a Step
   * Functions timestamp, within its horizon; the guest's `dueAt`): it begins there, with no plan.
   */
  continue: { nextExecutionName: string; at: string };
}
export type PlanResult = { [A in PlanAction]: { action: A; iteration: number } & PlanFields[A] }[PlanAction];

type NoFields = Record<never, never>;

/** Each task: the fields the definition sends it (besides `v`, `task`, `guestId`), and what it answers. */
export type LifecycleTasks = {
  /** CheckHsr: is there an HSR yet, and which step is next. */
  checkHsr: {
    input: NoFields;
    result: { result: typeof HSR_CHECK.pending; nextCheckAt: string; approval: ApprovalTimeouts } | { result: Exclude<HsrCheck, 'pending'>; approval: ApprovalTimeouts };
  };
  /**
   * RequestApproval and RemindApproval, callback steps: what the task answers is not used; the
   * step's output is the ApprovalDecision it is woken with.
   */
  requestApproval: {
    input: { taskToken: string; reminder: boolean };
    result: { waiting: false; outcome: ApprovalOutcome } | { waiting: true; emailSent: boolean };
  };
  /** ExpireApproval: 14 days without a decision. */
  expireApproval: { input: NoFields; result: ApprovalDecision };
  /**
   * Provision: account ID, entitlements, activation email; then the schedule's first plan, in the
   * same invocation (issue 21: the execution goes on at NextStep?, the plan in `$.plan`).
   */
  provision: { input: { executionStartTime: string }; result: { status: GuestStatus } & PlanResult };
  /** PlanSchedule: what is next for a provisioned account (the loop count comes back one higher). */
  plan: { input: { executionStartTime: string; iteration: number }; result: PlanResult };
  /** SendExpiryNotice: the notice of that date, if still due. */
  notice: { input: { noticeDate: IsoDate }; result: { sent: boolean; reason?: string } };
  /** Expire: the account expires, unless an extension moved its end date (expireIfDue). */
  expire: { input: NoFields; result: { expired: boolean; reason?: string } };
  /** RecordFailure: the failure on the guest, FAILED at the third (or at once, a permanent one); `outcome` tested by Deferred?. */
  recordFailure: { input: { error: TaskError }; result: { recorded: boolean; status: GuestStatus | undefined; outcome: FailureOutcome } };
};
export type TaskName = keyof LifecycleTasks;
/** Every task name, at run time: the handler refuses any other. */
export const TASK_NAMES = taskNames<LifecycleTasks>({
  checkHsr: true,
  requestApproval: true,
  expireApproval: true,
  provision: true,
  plan: true,
  notice: true,
  expire: true,
  recordFailure: true,
});
/** The fields of a task's payload the definition fills in, besides `v`, `task` and `guestId`. */
export type TaskFields<K extends TaskName> = LifecycleTasks[K]['input'];
/** Every task's payload, by name. */
export type TaskPayload<K extends TaskName = TaskName> = PayloadOf<LifecycleTasks, 'guestId', K>;
export type TaskResult<K extends TaskName = TaskName> = LifecycleTasks[K]['result'];

/** Where an execution begins: at CheckHsr (the default), or at the schedule of a provisioned account. */
export { EXECUTION_PHASE };
export type ExecutionInput = ExecutionInputOf<'guestId'>;

/** The input of a new execution for the guest: from the start, or (phase `schedule`) at its schedule. */
export const executionInput = executionInputOf(TASK_PAYLOAD_VERSION, 'guestId');

/** What the definition keeps in an execution's state for its Choice and Wait states, by key (`$.hsr`, ...). */
export interface LifecycleState {
  /** CheckHsr's answer. */
  hsr: TaskResult<'checkHsr'>;
  /** The approval step's output, or ExpireApproval's answer. */
  decision: ApprovalDecision;
  /** PlanSchedule's answer. */
  plan: TaskResult<'plan'>;
  /** RecordFailure's answer. */
  failure: TaskResult<'recordFailure'>;
}
export type StateKey = keyof LifecycleState;
