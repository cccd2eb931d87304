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
import { Duration, type IResolvable } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  Fail,
  IntegrationPattern,
  JsonPath,
  type IChainable,
  type IStateMachine,
  Pass,
  Succeed,
  TaskInput,
  type TaskStateBase,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke, StepFunctionsStartExecution } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { DIRECTORY_ERRORS } from '../shared/core/domain/errors.ts';
import type { O2WaitStep } from '../shared/o2/domain/model.ts';
import {
  HMS_ACCOUNT_CHECK,
  LAB_CHECK,
  O2_APPROVAL_STAGE,
  O2_DECISION,
  O2_EXECUTION_PHASE,
  O2_FAILURE_OUTCOME,
  O2_PLAN_ACTION,
  O2_TASK_PAYLOAD_VERSION,
  o2ExecutionInput,
  RC_CORE_CHECK,
  SETUP_ROUTE,
  type FieldAt,
  type FieldPath,
  type HmsAccountCheck,
  type LabCheck,
  type O2DecisionOutcome,
  type O2ExecutionInput,
  type O2LifecycleState,
  type O2PlanAction,
  type O2StateKey,
  type O2TaskFields,
  type O2TaskName,
  type O2TaskResult,
  type RcCoreCheck,
  type SetupRoute,
} from '../shared/o2/app/contract.ts';

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
  CountO2Iteration: 'CountO2Iteration',
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

/** As the guest lifecycle's: throttling, service faults and task failures are retried with backoff. */
const RETRYABLE = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  Errors.TASKS_FAILED,
];
const BACKOFF = { interval: Duration.seconds(2), maxAttempts: 6, backoffRate: 2 };
const DIRECTORY_TRANSIENT_BACKOFF = { interval: Duration.seconds(1), maxAttempts: 3, backoffRate: 2 };

// --- the contract, in JSONPath --------------------------------------------------------------

type PayloadValue<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : IResolvable;
type PayloadFields<K extends O2TaskName> = { [F in keyof O2TaskFields<K>]: PayloadValue<O2TaskFields<K>[F]> };
type Exactly<F, Fields> = F & { [X in Exclude<keyof F, keyof Fields>]: never };

/** The payload of task `task`: the contract's version, the task's name, the O2 account, and the task's own fields. */
export function o2TaskPayload<K extends O2TaskName, F extends PayloadFields<K>>(task: K, fields: Exactly<F, PayloadFields<K>>): TaskInput {
  return TaskInput.fromObject({ v: O2_TASK_PAYLOAD_VERSION, task, o2AccountId: JsonPath.stringAt('$.o2AccountId'), ...fields });
}

/** `$.key.path` of the execution state, for a field the contract says is there. */
export function o2StatePath<K extends O2StateKey, P extends FieldPath<O2LifecycleState[K]>>(key: K, path: P): string {
  return `$.${key}.${path}`;
}

/** A Choice condition: `$.key.path` equals `value`, one of the answers the contract gives there. */
export function o2StateIs<K extends O2StateKey, P extends FieldPath<O2LifecycleState[K]>>(key: K, path: P, value: FieldAt<O2LifecycleState[K], P> & string): Condition {
  return Condition.stringEquals(o2StatePath(key, path), value);
}

const inputPath = (field: FieldPath<O2ExecutionInput>) => `$.${field}`;

type ResultKey<K extends O2TaskName> = { [S in O2StateKey]: [O2TaskResult<K>] extends [O2LifecycleState[S]] ? S : never }[O2StateKey];
const at = (key: O2StateKey) => `$.${key}`;

export class O2LifecycleDefinition extends Construct {
  readonly definitionBody: DefinitionBody;
  private readonly taskFunction: IFunction;
  private readonly self: IStateMachine;
  private readonly recordFailure: TaskStateBase;
  private readonly closed: Succeed;

  constructor(scope: Construct, id: string, props: O2LifecycleProps) {
    super(scope, id);
    this.taskFunction = props.taskFunction;
    this.self = props.self;
    this.recordFailure = this.failurePath();
    this.closed = new Succeed(this, O2_STATE.Closed);
    const schedule = this.scheduleLoop();
    const checkHms = this.task(O2_STATE.CheckHmsAccount, 'checkHmsAccount', { executionStartTime: JsonPath.stringAt('$$.Execution.StartTime') }, 'hms');
    const setup = this.setup(schedule);
    const approval = this.approval(setup, checkHms);
    this.hmsCheck(checkHms, { setup, schedule, ...approval });
    this.definitionBody = DefinitionBody.fromChainable(this.start(schedule, checkHms));
  }

  /** A Lambda task of the contract: retried with backoff, caught into RecordO2Failure. */
  private task<K extends O2TaskName, F extends PayloadFields<K>>(state: StateName, task: K, fields: Exactly<F, PayloadFields<K>>, result?: ResultKey<K>): TaskStateBase {
    return new LambdaInvoke(this, state, {
      lambdaFunction: this.taskFunction,
      payloadResponseOnly: true,
      payload: o2TaskPayload<K, F>(task, fields),
      resultPath: result ? at(result) : JsonPath.DISCARD,
      taskTimeout: Timeout.duration(Duration.minutes(2)),
    })
      .addRetry({ errors: [...DIRECTORY_ERRORS.permanent], maxAttempts: 0, backoffRate: 2 })
      .addRetry({ errors: [...DIRECTORY_ERRORS.transient], ...DIRECTORY_TRANSIENT_BACKOFF })
      .addRetry({ errors: RETRYABLE, ...BACKOFF })
      .addCatch(this.recordFailure, { errors: [Errors.ALL], resultPath: '$.error' });
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
      payload: o2TaskPayload('awaitStep', { taskToken: JsonPath.taskToken, step: O2_CALLBACK_STEPS[state] }),
      // The approval steps' output is the O2Decision they are woken with; the others' is not used.
      resultPath: resultKey ? at(resultKey) : JsonPath.DISCARD,
      taskTimeout: Timeout.at(timeoutPath),
      comment: `Wait (task token on the O2 account) for: ${O2_CALLBACK_STEPS[state]}.`,
    })
      .addRetry({ errors: RETRYABLE.filter((e) => e !== Errors.TASKS_FAILED), ...BACKOFF })
      .addCatch(onTimeout, { errors: [Errors.TIMEOUT], resultPath: '$.timeout' })
      .addCatch(this.recordFailure, { errors: [Errors.ALL], resultPath: '$.error' });
  }

  /** A Choice on one field of the state: a branch for every answer the contract lists there (those going to Closed left to the default). */
  private choiceOn<K extends O2StateKey, P extends FieldPath<O2LifecycleState[K]>>(
    state: StateName,
    key: K,
    path: P,
    branches: { readonly [V in FieldAt<O2LifecycleState[K], P> & string]: IChainable },
    narrower: { readonly [V in FieldAt<O2LifecycleState[K], P> & string]?: readonly [Condition, IChainable] } = {},
  ): Choice {
    const choice = new Choice(this, state);
    for (const [value, next] of Object.entries(branches) as [FieldAt<O2LifecycleState[K], P> & string, IChainable][]) {
      const narrow = narrower[value];
      if (narrow) choice.when(Condition.and(o2StateIs(key, path, value), narrow[0]), narrow[1]);
      if (next !== this.closed) choice.when(o2StateIs(key, path, value), next);
    }
    return choice.otherwise(this.closed);
  }

  /** Continue-as-new: start the successor (named by the task, recorded on the account first) and end. */
  private continueAsNew(state: StateName, namePath: string, phase?: typeof O2_EXECUTION_PHASE.schedule): TaskStateBase {
    const start = new StepFunctionsStartExecution(this, state, {
      stateMachine: this.self,
      integrationPattern: IntegrationPattern.REQUEST_RESPONSE,
      name: JsonPath.stringAt(namePath),
      input: TaskInput.fromObject(o2ExecutionInput(JsonPath.stringAt('$.o2AccountId'), phase)),
      associateWithParent: true,
      resultPath: JsonPath.DISCARD,
      comment: 'Hand over to a fresh execution well before the one-year and 25,000-event limits.',
    })
      .addRetry({ errors: ['StepFunctions.ExecutionAlreadyExistsException'], maxAttempts: 0 })
      .addRetry({ errors: [Errors.ALL], ...BACKOFF })
      .addCatch(this.recordFailure, { errors: [Errors.ALL], resultPath: '$.error' });
    start.next(this.closed);
    return start;
  }

  // --- failure path ---------------------------------------------------------------------------
  private failurePath(): TaskStateBase {
    const recordFailure = new LambdaInvoke(this, O2_STATE.RecordO2Failure, {
      lambdaFunction: this.taskFunction,
      payloadResponseOnly: true,
      payload: o2TaskPayload('recordFailure', { error: JsonPath.objectAt('$.error') }),
      resultPath: at('failure'),
      comment: 'Record the failure on the O2 account (the reconciler resumes it) and end as failed, which raises the alarm; a transient failure of the account directory ends waiting for it instead.',
    }).addRetry({ errors: RETRYABLE, ...BACKOFF });
    const failed = new Fail(this, O2_STATE.O2LifecycleFailed, { error: 'O2LifecycleFailed', causePath: '$.error.Cause' });
    const waiting = new Succeed(this, O2_STATE.WaitingForDirectory, {
      comment: 'The account directory did not answer (recorded on the O2 account, not counted toward FAILED): the reconciler starts the lifecycle again when it is due.',
    });
    recordFailure.next(new Choice(this, O2_STATE.O2Deferred).when(o2StateIs('failure', 'outcome', O2_FAILURE_OUTCOME.deferred), waiting).otherwise(failed));
    return recordFailure;
  }

  // --- schedule loop: notices and expiry --------------------------------------------------------
  private scheduleLoop(): Pass {
    const plan = this.task(
      O2_STATE.PlanO2,
      'plan',
      { executionStartTime: JsonPath.stringAt('$$.Execution.StartTime'), iteration: JsonPath.numberAt('$.iteration') },
      'plan',
    );
    const countIteration = new Pass(this, O2_STATE.CountO2Iteration, {
      parameters: { 'o2AccountId.$': '$.o2AccountId', 'iteration.$': o2StatePath('plan', 'iteration'), 'plan.$': at('plan') },
      comment: 'Keep the state small: only what the next step needs.',
    });
    const waitUntilDue = new Wait(this, O2_STATE.WaitUntilO2Due, {
      time: WaitTime.timestampPath(o2StatePath('plan', 'at')),
      comment: 'Sleep until the next notice or the expiry; on waking, plan again (the HMS account may have moved its end).',
    });
    const sendNotice = this.task(O2_STATE.SendO2Notice, 'notice', { noticeDate: JsonPath.stringAt(o2StatePath('plan', 'noticeDate')) });
    const expire = this.task(O2_STATE.ExpireO2, 'expire', {});
    const onAction: { readonly [A in O2PlanAction]: IChainable } = {
      [O2_PLAN_ACTION.notice]: sendNotice.next(plan),
      [O2_PLAN_ACTION.expire]: expire.next(plan),
      [O2_PLAN_ACTION.wait]: waitUntilDue.next(plan),
      [O2_PLAN_ACTION.continue]: this.continueAsNew(O2_STATE.ContinueO2Schedule, o2StatePath('plan', 'nextExecutionName'), O2_EXECUTION_PHASE.schedule),
      [O2_PLAN_ACTION.done]: this.closed,
    };
    plan.next(countIteration).next(this.choiceOn(O2_STATE.NextO2Step, 'plan', 'action', onAction));
    const startSchedule = new Pass(this, O2_STATE.StartO2Schedule, {
      parameters: { 'o2AccountId.$': '$.o2AccountId', iteration: 0 },
      comment: 'Begin the schedule with a small state: the O2 account ID and a loop count.',
    });
    startSchedule.next(plan);
    return startSchedule;
  }

  // --- setup: on-Quad now, off-Quad through the lab's registration and the RC Core ---------------
  private setup(schedule: IChainable): TaskStateBase {
    const setup = this.task(O2_STATE.Setup, 'setup', {}, 'setup');

    const labDue = this.task(O2_STATE.LabRegistrationDue, 'labRegistrationDue', {}, 'lab');
    const waitForLab = this.callback(O2_STATE.WaitForLabRegistration, o2StatePath('lab', 'timeoutSeconds'), labDue);
    waitForLab.next(labDue);
    const onLab: { readonly [R in LabCheck]: IChainable } = {
      [LAB_CHECK.waiting]: waitForLab,
      [LAB_CHECK.registered]: setup,
      [LAB_CHECK.closed]: this.closed,
    };
    labDue.next(this.choiceOn(O2_STATE.LabRegistered, 'lab', 'result', onLab));

    const rcCoreDue = this.task(O2_STATE.RcCoreDue, 'rcCoreDue', { executionStartTime: JsonPath.stringAt('$$.Execution.StartTime') }, 'rcCore');
    const waitForRcCore = this.callback(O2_STATE.WaitForRcCore, o2StatePath('rcCore', 'timeoutSeconds'), rcCoreDue);
    waitForRcCore.next(rcCoreDue);
    const onRcCore: { readonly [R in RcCoreCheck]: IChainable } = {
      [RC_CORE_CHECK.waiting]: waitForRcCore,
      [RC_CORE_CHECK.completed]: schedule,
      [RC_CORE_CHECK.continue]: this.continueAsNew(O2_STATE.ContinueFromRcCore, o2StatePath('rcCore', 'nextExecutionName')),
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
    const remind = this.callback(O2_STATE.RemindPiApproval, o2StatePath('hms', 'approval.remindTimeoutSeconds'), expireApproval, 'decision');
    const request = this.callback(O2_STATE.RequestPiApproval, o2StatePath('hms', 'approval.requestTimeoutSeconds'), remind, 'decision');
    request.next(decided);
    remind.next(decided);
    expireApproval.next(decided);
    return { request, remind };
  }

  // --- the HMS account --------------------------------------------------------------------------
  private hmsCheck(checkHms: TaskStateBase, next: { setup: IChainable; schedule: IChainable; request: IChainable; remind: IChainable }): void {
    const waitForHms = this.callback(O2_STATE.WaitForHmsAccount, o2StatePath('hms', 'timeoutSeconds'), checkHms);
    waitForHms.next(checkHms);
    const onResult: { readonly [R in HmsAccountCheck]: IChainable } = {
      [HMS_ACCOUNT_CHECK.pending]: waitForHms,
      [HMS_ACCOUNT_CHECK.approval]: next.request,
      [HMS_ACCOUNT_CHECK.approved]: next.setup,
      [HMS_ACCOUNT_CHECK.setup]: next.setup,
      [HMS_ACCOUNT_CHECK.active]: next.schedule,
      [HMS_ACCOUNT_CHECK.continue]: this.continueAsNew(O2_STATE.ContinueFromHmsCheck, o2StatePath('hms', 'nextExecutionName')),
      [HMS_ACCOUNT_CHECK.closed]: this.closed,
    };
    // Past the first 7 days (a restarted lifecycle), the approval step to wait in is the reminder.
    const atReminder = o2StateIs('hms', 'approval.stage', O2_APPROVAL_STAGE.remind);
    checkHms.next(this.choiceOn(O2_STATE.HmsAccount, 'hms', 'result', onResult, { [HMS_ACCOUNT_CHECK.approval]: [atReminder, next.remind] }));
  }

  // --- start ------------------------------------------------------------------------------------
  private start(schedule: IChainable, checkHms: IChainable): IChainable {
    return new Choice(this, O2_STATE.Start)
      .when(Condition.and(Condition.isPresent(inputPath('phase')), Condition.stringEquals(inputPath('phase'), O2_EXECUTION_PHASE.schedule)), schedule)
      .otherwise(checkHms);
  }
}
