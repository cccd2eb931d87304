/**
 * The O2 lifecycle state machine (issue 14), built from CDK chainables, one execution per O2
 * account, on the conventions of the guest lifecycle (workflows/guest.ts):
 *
 *   CheckHmsAccount ─pending→ WaitForHmsAccount (callback, ≤ 1 day) ─→ CheckHmsAccount
 *      └─approval→ RequestPiApproval (callback, 7 d) ─timeout→ RemindPiApproval (7 d) ─timeout→ ExpirePiApproval
 *   PiDecided? ─approved→ Setup ─Route?→ lab:     LabRegistrationDue ⇄ WaitForLabRegistration (callback) ─registered→ Setup
 *                                       rc-core: RcCoreDue ⇄ WaitForRcCore (callback) ─completed→ the schedule
 *                                       active:  the schedule
 *   the schedule: PlanO2 ⇄ {WaitUntilO2Due, SendO2Notice, ExpireO2} → Closed
 *
 * Every decision about dates lives in the domain (shared/o2/domain/rules.ts); the tasks
 * (shared/o2/app/tasks.ts) read the O2 account from DynamoDB each time: the table, not the
 * execution, is the source of truth, and the reconciler restarts a lost execution from it. What each
 * task is called, is sent and answers is the contract in shared/o2/app/contract.ts: the payloads and
 * Choice conditions below are typed by it. Callback steps keep their task token on the account; the
 * API wakes them (wakeO2) when what they wait for happens, and their timeouts (from the task that
 * precedes them) make the lifecycle look again on its own. Waits that may be long (the HMS account,
 * the RC Core, the schedule) hand over to a new execution at the horizon (continue-as-new).
 */
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Errors, IntegrationPattern, JsonPath, type IChainable, type IStateMachine, type TaskStateBase, Timeout } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { O2WaitStep } from '../shared/o2/domain/model.ts';
import {
  HMS_ACCOUNT_CHECK,
  LAB_CHECK,
  O2_APPROVAL_STAGE,
  O2_DECISION,
  O2_TASK_PAYLOAD_VERSION,
  o2ExecutionInput,
  RC_CORE_CHECK,
  SETUP_ROUTE,
  type HmsAccountCheck,
  type LabCheck,
  type O2DecisionOutcome,
  type O2LifecycleState,
  type O2Tasks,
  type RcCoreCheck,
  type SetupRoute,
} from '../shared/o2/app/contract.ts';
import { SEND_RATE_BUSY } from '../shared/core/domain/errors.ts';
import { BACKOFF, contractPaths, LifecycleDefinition, RETRYABLE, SEND_RATE_RETRY } from './core.ts';

/** State names, shared with tests. */
export const O2_STATE = {
  Start: 'Start',
  CheckHmsAccount: 'CheckHmsAccount',
  HmsAccount: 'HmsAccount?',
  WaitForHmsAccount: 'WaitForHmsAccount',
  ContinueFromHmsCheck: 'ContinueFromHmsCheck',
  RequestPiApproval: 'RequestPiApproval',
  RemindPiApproval: 'RemindPiApproval',
  ExpirePiApproval: 'ExpirePiApproval',
  PiDecided: 'PiDecided?',
  Setup: 'Setup',
  Route: 'Route?',
  LabRegistrationDue: 'LabRegistrationDue',
  LabRegistered: 'LabRegistered?',
  WaitForLabRegistration: 'WaitForLabRegistration',
  RcCoreDue: 'RcCoreDue',
  RcCoreDone: 'RcCoreDone?',
  WaitForRcCore: 'WaitForRcCore',
  ContinueFromRcCore: 'ContinueFromRcCore',
  StartO2Schedule: 'StartO2Schedule',
  PlanO2: 'PlanO2',
  NextO2Step: 'NextO2Step?',
  WaitUntilO2Due: 'WaitUntilO2Due',
  SendO2Notice: 'SendO2Notice',
  ExpireO2: 'ExpireO2',
  ContinueO2Schedule: 'ContinueO2Schedule',
  Closed: 'Closed',
  RecordO2Failure: 'RecordO2Failure',
  O2Deferred: 'O2Deferred?',
  WaitingForDirectory: 'WaitingForDirectory',
  O2LifecycleFailed: 'O2LifecycleFailed',
} as const;
type StateName = (typeof O2_STATE)[keyof typeof O2_STATE];

/** The callback steps: which wait each is (awaitStep's `step`). */
export const O2_CALLBACK_STEPS = {
  [O2_STATE.WaitForHmsAccount]: 'hms-account',
  [O2_STATE.RequestPiApproval]: 'approval',
  [O2_STATE.RemindPiApproval]: 'approval-reminder',
  [O2_STATE.WaitForLabRegistration]: 'lab-registration',
  [O2_STATE.WaitForRcCore]: 'rc-core',
} as const satisfies Partial<Record<StateName, O2WaitStep>>;

export interface O2LifecycleProps {
  /** The Lambda function that runs every O2 lifecycle task (functions/o2-task.ts). */
  readonly taskFunction: IFunction;
  /** This state machine itself, for continue-as-new (referenced by name to avoid a cycle). */
  readonly self: IStateMachine;
}

/** The contract in JSONPath, for tests: what the definition sends and tests. */
export const { taskPayload: o2TaskPayload, statePath: o2StatePath, stateIs: o2StateIs } = contractPaths<O2Tasks, O2LifecycleState>(O2_TASK_PAYLOAD_VERSION, 'o2AccountId');

export class O2LifecycleDefinition extends LifecycleDefinition<O2Tasks, O2LifecycleState> {
  constructor(scope: Construct, id: string, props: O2LifecycleProps) {
    super(scope, id, props, {
      version: O2_TASK_PAYLOAD_VERSION,
      executionInput: (o2AccountId, phase) => o2ExecutionInput(o2AccountId, phase),
      // The core states as deployed for O2 (Start, Closed and WaitingForDirectory keep the core's names).
      names: {
        plan: O2_STATE.PlanO2,
        nextStep: O2_STATE.NextO2Step,
        waitUntilDue: O2_STATE.WaitUntilO2Due,
        notice: O2_STATE.SendO2Notice,
        expire: O2_STATE.ExpireO2,
        continueSchedule: O2_STATE.ContinueO2Schedule,
        startSchedule: O2_STATE.StartO2Schedule,
        recordFailure: O2_STATE.RecordO2Failure,
        deferred: O2_STATE.O2Deferred,
        failed: O2_STATE.O2LifecycleFailed,
      },
      words: { idKey: 'o2AccountId', record: 'the O2 account', id: 'the O2 account ID', failedError: 'O2LifecycleFailed', replanWhy: 'the HMS account may have moved its end' },
    });
  }

  protected build(schedule: IChainable): IChainable {
    const checkHms = this.task(O2_STATE.CheckHmsAccount, 'checkHmsAccount', { executionStartTime: JsonPath.stringAt('$$.Execution.StartTime') }, 'hms');
    const setup = this.setup(schedule);
    const approval = this.approval(setup, checkHms);
    this.hmsCheck(checkHms, { setup, schedule, ...approval });
    return this.startChoice(schedule, checkHms);
  }

  /**
   * A callback step (awaitStep, `.waitForTaskToken`): its timeout read from the state (what the task
   * before it answered), woken by the API; on States.Timeout on to `onTimeout`, any other failure
   * caught into RecordO2Failure.
   */
  private callback(state: keyof typeof O2_CALLBACK_STEPS, timeoutPath: string, onTimeout: IChainable, resultKey?: 'decision'): TaskStateBase {
    return new LambdaInvoke(this, state, {
      lambdaFunction: this.taskFunction,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: this.payload('awaitStep', { taskToken: JsonPath.taskToken, step: O2_CALLBACK_STEPS[state] }),
      // The approval steps' output is the O2Decision they are woken with; the others' is not used.
      resultPath: resultKey ? `$.${resultKey}` : JsonPath.DISCARD,
      taskTimeout: Timeout.at(timeoutPath),
      comment: `Wait (task token on the O2 account) for: ${O2_CALLBACK_STEPS[state]}.`,
    })
      .addRetry({ errors: [SEND_RATE_BUSY], ...SEND_RATE_RETRY })
      .addRetry({ errors: RETRYABLE.filter((e) => e !== Errors.TASKS_FAILED), ...BACKOFF })
      .addCatch(onTimeout, { errors: [Errors.TIMEOUT], resultPath: '$.timeout' })
      .addCatch(this.recordFailure, { errors: [Errors.ALL], resultPath: '$.error' });
  }

  // --- setup: on-Quad now, off-Quad through the lab's registration and the RC Core ---------------
  private setup(schedule: IChainable): TaskStateBase {
    const setup = this.task(O2_STATE.Setup, 'setup', {}, 'setup');

    const labDue = this.task(O2_STATE.LabRegistrationDue, 'labRegistrationDue', {}, 'lab');
    const waitForLab = this.callback(O2_STATE.WaitForLabRegistration, this.statePath('lab', 'timeoutSeconds'), labDue);
    waitForLab.next(labDue);
    const onLab: { readonly [R in LabCheck]: IChainable } = {
      [LAB_CHECK.waiting]: waitForLab,
      [LAB_CHECK.registered]: setup,
      [LAB_CHECK.closed]: this.closed,
    };
    labDue.next(this.choiceOn(O2_STATE.LabRegistered, 'lab', 'result', onLab));

    const rcCoreDue = this.task(O2_STATE.RcCoreDue, 'rcCoreDue', { executionStartTime: JsonPath.stringAt('$$.Execution.StartTime') }, 'rcCore');
    const waitForRcCore = this.callback(O2_STATE.WaitForRcCore, this.statePath('rcCore', 'timeoutSeconds'), rcCoreDue);
    waitForRcCore.next(rcCoreDue);
    const onRcCore: { readonly [R in RcCoreCheck]: IChainable } = {
      [RC_CORE_CHECK.waiting]: waitForRcCore,
      [RC_CORE_CHECK.completed]: schedule,
      [RC_CORE_CHECK.continue]: this.continueAsNew(O2_STATE.ContinueFromRcCore, this.statePath('rcCore', 'nextExecutionName')),
      [RC_CORE_CHECK.closed]: this.closed,
    };
    rcCoreDue.next(this.choiceOn(O2_STATE.RcCoreDone, 'rcCore', 'result', onRcCore));

    const onRoute: { readonly [R in SetupRoute]: IChainable } = {
      [SETUP_ROUTE.lab]: labDue,
      [SETUP_ROUTE.rcCore]: rcCoreDue,
      [SETUP_ROUTE.active]: schedule,
      [SETUP_ROUTE.closed]: this.closed,
    };
    setup.next(this.choiceOn(O2_STATE.Route, 'setup', 'route', onRoute));
    return setup;
  }

  // --- approval ---------------------------------------------------------------------------------
  /** RequestPiApproval, then RemindPiApproval, then ExpirePiApproval, each on to PiDecided?. */
  private approval(setup: IChainable, checkHms: IChainable): { request: IChainable; remind: IChainable } {
    const expireApproval = this.task(O2_STATE.ExpirePiApproval, 'expireApproval', {}, 'decision');
    const onDecision: { readonly [D in O2DecisionOutcome]: IChainable } = {
      [O2_DECISION.approved]: setup,
      // Not decided and not expired yet (woken early): CheckHmsAccount answers the step to wait in.
      [O2_DECISION.pending]: checkHms,
      [O2_DECISION.denied]: this.closed,
      [O2_DECISION.lapsed]: this.closed,
      [O2_DECISION.cancelled]: this.closed,
      [O2_DECISION.closed]: this.closed,
    };
    const decided = this.choiceOn(O2_STATE.PiDecided, 'decision', 'outcome', onDecision);
    const remind = this.callback(O2_STATE.RemindPiApproval, this.statePath('hms', 'approval.remindTimeoutSeconds'), expireApproval, 'decision');
    const request = this.callback(O2_STATE.RequestPiApproval, this.statePath('hms', 'approval.requestTimeoutSeconds'), remind, 'decision');
    request.next(decided);
    remind.next(decided);
    expireApproval.next(decided);
    return { request, remind };
  }

  // --- the HMS account --------------------------------------------------------------------------
  private hmsCheck(checkHms: TaskStateBase, next: { setup: IChainable; schedule: IChainable; request: IChainable; remind: IChainable }): void {
    const waitForHms = this.callback(O2_STATE.WaitForHmsAccount, this.statePath('hms', 'timeoutSeconds'), checkHms);
    waitForHms.next(checkHms);
    const onResult: { readonly [R in HmsAccountCheck]: IChainable } = {
      [HMS_ACCOUNT_CHECK.pending]: waitForHms,
      [HMS_ACCOUNT_CHECK.approval]: next.request,
      [HMS_ACCOUNT_CHECK.approved]: next.setup,
      [HMS_ACCOUNT_CHECK.setup]: next.setup,
      [HMS_ACCOUNT_CHECK.active]: next.schedule,
      [HMS_ACCOUNT_CHECK.continue]: this.continueAsNew(O2_STATE.ContinueFromHmsCheck, this.statePath('hms', 'nextExecutionName')),
      [HMS_ACCOUNT_CHECK.closed]: this.closed,
    };
    // Past the first 7 days (a restarted lifecycle), the approval step to wait in is the reminder.
    const atReminder = this.stateIs('hms', 'approval.stage', O2_APPROVAL_STAGE.remind);
    checkHms.next(this.choiceOn(O2_STATE.HmsAccount, 'hms', 'result', onResult, { [HMS_ACCOUNT_CHECK.approval]: [atReminder, next.remind] }));
  }
}
