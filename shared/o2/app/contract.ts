/**
 * The contract between the O2 lifecycle state machine (workflows/o2.ts) and what it runs
 * (the tasks in shared/o2/app/tasks.ts, through functions/o2-task.ts), and with what starts and
 * wakes its executions (the API's use cases, the reconciler): as shared/guest/app/contract.ts is for the
 * guest lifecycle. Both sides import this, so a renamed task, a field one side does not know, or a
 * Choice on a value no task answers is a compile error. No CDK and no AWS SDK here.
 */
import type { IsoDate } from '../../core/domain/dates.ts';
import type { O2Status, O2WaitStep } from '../domain/model.ts';
import type { O2ScheduleStep } from '../domain/rules.ts';
import { EXECUTION_PHASE, executionInputOf, FAILURE_OUTCOME, taskNames, type ExecutionInputOf, type FailureOutcome, type FieldAt, type FieldPath, type PayloadOf, type TaskError } from '../../core/app/tasks.ts';
import { type ApprovalTimeouts } from '../../guest/public.ts';

export type { FieldAt, FieldPath, TaskError };

/** Version of every payload the O2 lifecycle sends (`v`); the handler accepts every version up to it. */
export const O2_TASK_PAYLOAD_VERSION = 1;

/** CheckHmsAccount's `result`, tested by the HmsAccount? Choice. */
export const HMS_ACCOUNT_CHECK = {
  /** The HMS account is not active yet: WaitForHmsAccount (woken by the activation, or at the next daily check). */
  pending: 'pending',
  /** The HMS account is active and the PI's decision is awaited: RequestPiApproval (or RemindPiApproval, by `approval.stage`). */
  approval: 'approval',
  /** Approved already (asked by the PI, or decided meanwhile): Setup. */
  approved: 'approved',
  /** Being set up (waiting for the lab's registration or the RC Core, or a renewal): Setup. */
  setup: 'setup',
  /** Active or expired: the schedule. */
  active: 'active',
  /** Nothing left to do (denied, lapsed, cancelled, ...). */
  closed: 'closed',
  /** Waited as long as one execution may: hand over to a new one. */
  continue: 'continue',
} as const;
export type HmsAccountCheck = (typeof HMS_ACCOUNT_CHECK)[keyof typeof HMS_ACCOUNT_CHECK];

/** Which approval step to wait in. */
export const O2_APPROVAL_STAGE = { request: 'request', remind: 'remind' } as const satisfies { [S in ApprovalTimeouts['stage']]: S };

/** What the approval steps are woken with (`outcome`, tested by the PiDecided? Choice), and what ExpirePiApproval answers. */
export const O2_DECISION = { approved: 'approved', denied: 'denied', lapsed: 'lapsed', cancelled: 'cancelled', pending: 'pending', closed: 'closed' } as const;
export type O2DecisionOutcome = (typeof O2_DECISION)[keyof typeof O2_DECISION];
export type O2Decision = { outcome: O2DecisionOutcome };

/** What the other waits are woken with (the API, when what they wait for happened): the step then checks again. */
export const O2_WAKE = { ready: 'ready' } as const;
export type O2Wake = { outcome: typeof O2_WAKE.ready };

/** Setup's `route`, tested by the Route? Choice: where an approved account goes. */
export const SETUP_ROUTE = {
  /** Off-Quad, the lab not registered: wait for the RC Core to register it (up to 30 days). */
  lab: 'lab',
  /** Off-Quad, the lab registered (or a renewal): wait for the RC Core to complete the setup. */
  rcCore: 'rc-core',
  /** On-Quad: set up at once. */
  active: 'active',
  closed: 'closed',
} as const;
export type SetupRoute = (typeof SETUP_ROUTE)[keyof typeof SETUP_ROUTE];

/** LabRegistrationDue's `result`, tested by the LabRegistered? Choice. */
export const LAB_CHECK = { waiting: 'waiting', registered: 'registered', closed: 'closed' } as const;
export type LabCheck = (typeof LAB_CHECK)[keyof typeof LAB_CHECK];

/** RcCoreDue's `result`, tested by the RcCoreDone? Choice. */
export const RC_CORE_CHECK = { waiting: 'waiting', completed: 'completed', closed: 'closed', continue: 'continue' } as const;
export type RcCoreCheck = (typeof RC_CORE_CHECK)[keyof typeof RC_CORE_CHECK];

/** PlanO2's `action`, tested by the NextO2Step? Choice: the domain's O2ScheduleStep actions, or `continue`. */
export const O2_PLAN_ACTION = { notice: 'notice', expire: 'expire', wait: 'wait', done: 'done', continue: 'continue' } as const satisfies {
  [A in O2ScheduleStep['action'] | 'continue']: A;
};
export type O2PlanAction = (typeof O2_PLAN_ACTION)[keyof typeof O2_PLAN_ACTION];

interface O2PlanFields {
  notice: { noticeDate: IsoDate };
  expire: Record<never, never>;
  wait: { at: string };
  done: { reason: string };
  /** The successor's name, recorded first, and its first wait (within its horizon; the account's `dueAt`): it begins there, with no plan. */
  continue: { nextExecutionName: string; at: string };
}
export type O2PlanResult = { [A in O2PlanAction]: { action: A; iteration: number } & O2PlanFields[A] }[O2PlanAction];

/** RecordO2Failure's `outcome`, tested by the O2Deferred? Choice: the core's (as the guest lifecycle's). */
export const O2_FAILURE_OUTCOME = FAILURE_OUTCOME;
export type O2FailureOutcome = FailureOutcome;

type NoFields = Record<never, never>;

/** Each task: the fields the definition sends it (besides `v`, `task`, `o2AccountId`), and what it answers. */
export type O2Tasks = {
  /** CheckHmsAccount: is the HMS account the O2 account rests on active, and what is next. */
  checkHmsAccount: {
    input: { executionStartTime: string };
    result:
      | { result: typeof HMS_ACCOUNT_CHECK.pending; timeoutSeconds: number }
      | { result: typeof HMS_ACCOUNT_CHECK.approval; approval: ApprovalTimeouts }
      | { result: typeof HMS_ACCOUNT_CHECK.continue; nextExecutionName: string }
      | { result: Exclude<HmsAccountCheck, 'pending' | 'approval' | 'continue'> };
  };
  /**
   * Every callback step (WaitForHmsAccount, RequestPiApproval, RemindPiApproval,
   * WaitForLabRegistration, WaitForRcCore): the token kept on the account, the step's email sent
   * once; woken at once when what it waits for happened already. What the task answers is not used.
   */
  awaitStep: { input: { taskToken: string; step: O2WaitStep }; result: { waiting: boolean } };
  /** ExpirePiApproval: 14 days without a decision: the request lapses. */
  expireApproval: { input: NoFields; result: O2Decision };
  /**
   * Setup: an approved account goes to the lab's registration, the RC Core, or (on-Quad) is set up
   * now; an active one whose O2 login or "active" email is still owed gets them here. The waits that
   * follow begin with their `…Due` task (LabRegistrationDue, RcCoreDue), which says how long to wait.
   */
  setup: { input: NoFields; result: { route: SetupRoute } };
  /** LabRegistrationDue: registered yet? Else the weekly reminder, or the lapse after 30 days. */
  labRegistrationDue: { input: NoFields; result: { result: typeof LAB_CHECK.waiting; timeoutSeconds: number } | { result: typeof LAB_CHECK.registered | typeof LAB_CHECK.closed } };
  /** RcCoreDue: completed yet? Else the reminder after 3 working days, HMS IT told after 10. */
  rcCoreDue: {
    input: { executionStartTime: string };
    result:
      | { result: typeof RC_CORE_CHECK.waiting; timeoutSeconds: number }
      | { result: typeof RC_CORE_CHECK.continue; nextExecutionName: string }
      | { result: typeof RC_CORE_CHECK.completed | typeof RC_CORE_CHECK.closed };
  };
  /** PlanO2: what is next for an active account (the loop count comes back one higher). */
  plan: { input: { executionStartTime: string; iteration: number }; result: O2PlanResult };
  /** SendO2Notice: the notice of that date to the user and the PI, if still due. */
  notice: { input: { noticeDate: IsoDate }; result: { sent: boolean; reason?: string } };
  /** ExpireO2: the O2 account expires with its HMS account. */
  expire: { input: NoFields; result: { expired: boolean; reason?: string } };
  /** RecordO2Failure: the failure on the account; FAILED at the third (or at once, a permanent one). */
  recordFailure: { input: { error: TaskError }; result: { recorded: boolean; status: O2Status | undefined; outcome: O2FailureOutcome } };
};
export type O2TaskName = keyof O2Tasks;
export const O2_TASK_NAMES = taskNames<O2Tasks>({
  checkHmsAccount: true,
  awaitStep: true,
  expireApproval: true,
  setup: true,
  labRegistrationDue: true,
  rcCoreDue: true,
  plan: true,
  notice: true,
  expire: true,
  recordFailure: true,
});
export type O2TaskFields<K extends O2TaskName> = O2Tasks[K]['input'];
export type O2TaskPayload<K extends O2TaskName = O2TaskName> = PayloadOf<O2Tasks, 'o2AccountId', K>;
export type O2TaskResult<K extends O2TaskName = O2TaskName> = O2Tasks[K]['result'];

/** Where an execution begins: at CheckHmsAccount (the default), or at the schedule of an active account. */
export const O2_EXECUTION_PHASE = EXECUTION_PHASE;
export type O2ExecutionInput = ExecutionInputOf<'o2AccountId'>;

/** The input of a new execution for the O2 account: from the start, or (phase `schedule`) at its schedule. */
export const o2ExecutionInput = executionInputOf(O2_TASK_PAYLOAD_VERSION, 'o2AccountId');

/** An O2 account's executions are named `o2-<o2AccountId>-<generation>`. */
export const o2ExecutionName = (o2AccountId: string, generation: number) => `o2-${o2AccountId}-${generation}`;

/** What the definition keeps in an execution's state, by key. */
export interface O2LifecycleState {
  hms: O2TaskResult<'checkHmsAccount'>;
  decision: O2Decision;
  setup: O2TaskResult<'setup'>;
  lab: O2TaskResult<'labRegistrationDue'>;
  rcCore: O2TaskResult<'rcCoreDue'>;
  plan: O2TaskResult<'plan'>;
  failure: O2TaskResult<'recordFailure'>;
}
export type O2StateKey = keyof O2LifecycleState;
