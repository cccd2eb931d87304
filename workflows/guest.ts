/**
 * The guest lifecycle state machine, built from CDK chainables. One execution per guest lifecycle:
 *
 *   CheckHsr ─pending→ WaitForHsr ─→ CheckHsr            (daily, up to 14 days → HSR_TIMEOUT)
 *      └─ok→ RequestApproval (.waitForTaskToken, 7 d) ─timeout→ RemindApproval (7 d) ─timeout→ ExpireApproval
 *      └─submitted by the sponsor→ Provision
 *   Decided? ─approved→ Provision → PlanSchedule ⇄ {WaitUntilDue, SendExpiryNotice, Expire} → Closed
 *
 * Every decision about dates lives in the domain (shared/guest/domain/rules.ts); the tasks read the guest
 * from DynamoDB each time, so the table, not the execution, is the source of truth. What each task
 * is called, what it is sent and what it answers is the contract in shared/guest/app/contract.ts,
 * which the task handler implements: the payloads and the Choice conditions below are typed by it.
 * Payloads carry `v` so that an execution started on an older definition keeps working after a deploy.
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
import {
  APPROVAL_OUTCOME,
  APPROVAL_STAGE,
  EXECUTION_PHASE,
  FAILURE_OUTCOME,
  executionInput,
  HSR_CHECK,
  PLAN_ACTION,
  TASK_PAYLOAD_VERSION,
  type ExecutionInput,
  type FieldAt,
  type FieldPath,
  type HsrCheck,
  type LifecycleState,
  type PlanAction,
  type StateKey,
  type TaskFields,
  type TaskName,
  type TaskResult,
} from '../shared/guest/app/contract.ts';

/** State names, shared with tests and the local runner. */
export const STATE = {
  Start: 'Start',
  CheckHsr: 'CheckHsr',
  HsrReady: 'HsrReady?',
  WaitForHsr: 'WaitForHsr',
  RequestApproval: 'RequestApproval',
  RemindApproval: 'RemindApproval',
  ExpireApproval: 'ExpireApproval',
  Decided: 'Decided?',
  Provision: 'Provision',
  StartSchedule: 'StartSchedule',
  PlanSchedule: 'PlanSchedule',
  CountIteration: 'CountIteration',
  NextStep: 'NextStep?',
  WaitUntilDue: 'WaitUntilDue',
  SendExpiryNotice: 'SendExpiryNotice',
  Expire: 'Expire',
  ContinueAsNew: 'ContinueAsNew',
  Closed: 'Closed',
  RecordFailure: 'RecordFailure',
  Deferred: 'Deferred?',
  WaitingForDirectory: 'WaitingForDirectory',
  LifecycleFailed: 'LifecycleFailed',
} as const;
type StateName = (typeof STATE)[keyof typeof STATE];

export const APPROVAL_STEP_TIMEOUT = Duration.days(7);

export interface GuestLifecycleProps {
  /** The Lambda function that runs every lifecycle task (functions/lifecycle-task.ts). */
  readonly taskFunction: IFunction;
  /** This state machine itself, for continue-as-new (referenced by name to avoid a cycle). */
  readonly self: IStateMachine;
}

/** Errors worth retrying on every Lambda task: throttling, service faults and task failures. */
const RETRYABLE = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  Errors.TASKS_FAILED,
];
const BACKOFF = { interval: Duration.seconds(2), maxAttempts: 6, backoffRate: 2 };
/**
 * The account directory's failures (shared/core/domain/errors.ts): a transient one is retried a few
 * times more (the adapter retried already; a longer outage is the reconciler's, the next morning,
 * and never counts toward FAILED); a permanent one not at all: no retry can make that change.
 */
const DIRECTORY_TRANSIENT_BACKOFF = { interval: Duration.seconds(1), maxAttempts: 3, backoffRate: 2 };

// --- the contract, in JSONPath --------------------------------------------------------------

/** A payload field as the definition fills it in: a JSONPath reference (JsonPath.stringAt, ...) or a literal. */
type PayloadValue<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : IResolvable;
type PayloadFields<K extends TaskName> = { [F in keyof TaskFields<K>]: PayloadValue<TaskFields<K>[F]> };
/** Exactly the fields of the task's input: one it does not read is a compile error, like one missing. */
type Exactly<F, Fields> = F & { [X in Exclude<keyof F, keyof Fields>]: never };

/** The payload of task `task`: the contract's version, the task's name, the guest, and the task's own fields. */
export function taskPayload<K extends TaskName, F extends PayloadFields<K>>(task: K, fields: Exactly<F, PayloadFields<K>>): TaskInput {
  return TaskInput.fromObject({ v: TASK_PAYLOAD_VERSION, task, guestId: JsonPath.stringAt('$.guestId'), ...fields });
}

/** `$.key.path` of the execution state, for a field the contract says is there. */
export function statePath<K extends StateKey, P extends FieldPath<LifecycleState[K]>>(key: K, path: P): string {
  return `$.${key}.${path}`;
}

/** A Choice condition: `$.key.path` equals `value`, one of the answers the contract gives there. */
export function stateIs<K extends StateKey, P extends FieldPath<LifecycleState[K]>>(key: K, path: P, value: FieldAt<LifecycleState[K], P> & string): Condition {
  return Condition.stringEquals(statePath(key, path), value);
}

/** `$.field` of the execution's input. */
const inputPath = (field: FieldPath<ExecutionInput>) => `$.${field}`;

/** Where in the state a task's answer is kept: only under a key whose contract type it is. */
type ResultKey<K extends TaskName> = { [S in StateKey]: [TaskResult<K>] extends [LifecycleState[S]] ? S : never }[StateKey];
const at = (key: StateKey) => `$.${key}`;

export class GuestLifecycleDefinition extends Construct {
  readonly definitionBody: DefinitionBody;
  private readonly taskFunction: IFunction;
  /** Where every failure that outlasts its retries goes: RecordFailure, then LifecycleFailed. */
  private readonly recordFailure: TaskStateBase;
  private readonly closed: Succeed;

  constructor(scope: Construct, id: string, props: GuestLifecycleProps) {
    super(scope, id);
    this.taskFunction = props.taskFunction;
    this.recordFailure = this.failurePath();
    this.closed = new Succeed(this, STATE.Closed);
    const schedule = this.scheduleLoop(props.self);
    const provision = this.provisioning(schedule);
    const approval = this.approval(provision);
    const checkHsr = this.hsrCheck({ provision, schedule, ...approval });
    this.definitionBody = DefinitionBody.fromChainable(this.start(schedule, checkHsr));
  }

  /** A Lambda task of the contract: retried with backoff, caught into RecordFailure. */
  private task<K extends TaskName, F extends PayloadFields<K>>(state: StateName, task: K, fields: Exactly<F, PayloadFields<K>>, result?: ResultKey<K>): TaskStateBase {
    return new LambdaInvoke(this, state, {
      lambdaFunction: this.taskFunction,
      payloadResponseOnly: true,
      payload: taskPayload<K, F>(task, fields),
      resultPath: result ? at(result) : JsonPath.DISCARD,
      taskTimeout: Timeout.duration(Duration.minutes(2)),
    })
      .addRetry({ errors: [...DIRECTORY_ERRORS.permanent], maxAttempts: 0, backoffRate: 2 })
      .addRetry({ errors: [...DIRECTORY_ERRORS.transient], ...DIRECTORY_TRANSIENT_BACKOFF })
      .addRetry({ errors: RETRYABLE, ...BACKOFF })
      .addCatch(this.recordFailure, { errors: [Errors.ALL], resultPath: '$.error' });
  }

  /**
   * A Choice on one field of the state: a branch for every answer the contract lists there (those
   * going to Closed are left to the default), in order; `narrower` adds, just before an answer's
   * branch, one for that answer with a further condition.
   */
  private choiceOn<K extends StateKey, P extends FieldPath<LifecycleState[K]>>(
    state: StateName,
    key: K,
    path: P,
    branches: { readonly [V in FieldAt<LifecycleState[K], P> & string]: IChainable },
    narrower: { readonly [V in FieldAt<LifecycleState[K], P> & string]?: readonly [Condition, IChainable] } = {},
  ): Choice {
    const choice = new Choice(this, state);
    for (const [value, next] of Object.entries(branches) as [FieldAt<LifecycleState[K], P> & string, IChainable][]) {
      const narrow = narrower[value];
      if (narrow) choice.when(Condition.and(stateIs(key, path, value), narrow[0]), narrow[1]);
      if (next !== this.closed) choice.when(stateIs(key, path, value), next);
    }
    return choice.otherwise(this.closed);
  }

  // --- failure path ---------------------------------------------------------------------------
  private failurePath(): TaskStateBase {
    const recordFailure = new LambdaInvoke(this, STATE.RecordFailure, {
      lambdaFunction: this.taskFunction,
      payloadResponseOnly: true,
      payload: taskPayload('recordFailure', { error: JsonPath.objectAt('$.error') }),
      resultPath: at('failure'),
      comment: 'Record the failure on the guest (the reconciler resumes it) and end as failed, which raises the alarm; a transient failure of the account directory ends waiting for it instead.',
    }).addRetry({ errors: RETRYABLE, ...BACKOFF });
    const failed = new Fail(this, STATE.LifecycleFailed, { error: 'GuestLifecycleFailed', causePath: '$.error.Cause' });
    const waiting = new Succeed(this, STATE.WaitingForDirectory, {
      comment: 'The account directory did not answer (recorded on the guest, not counted toward FAILED): the reconciler starts the lifecycle again when it is due.',
    });
    recordFailure.next(new Choice(this, STATE.Deferred).when(stateIs('failure', 'outcome', FAILURE_OUTCOME.deferred), waiting).otherwise(failed));
    return recordFailure;
  }

  // --- schedule loop: notices and expiry --------------------------------------------------------
  /** PlanSchedule ⇄ {WaitUntilDue, SendExpiryNotice, Expire}, ContinueAsNew; returns its entry, StartSchedule. */
  private scheduleLoop(self: IStateMachine): Pass {
    const plan = this.task(
      STATE.PlanSchedule,
      'plan',
      { executionStartTime: JsonPath.stringAt('$$.Execution.StartTime'), iteration: JsonPath.numberAt('$.iteration') },
      'plan',
    );
    const countIteration = new Pass(this, STATE.CountIteration, {
      parameters: {
        'guestId.$': '$.guestId',
        'iteration.$': statePath('plan', 'iteration'),
        'plan.$': at('plan'),
      },
      comment: 'Keep the state small: only what the next step needs.',
    });
    const waitUntilDue = new Wait(this, STATE.WaitUntilDue, {
      time: WaitTime.timestampPath(statePath('plan', 'at')),
      comment: 'Sleep until the next notice or the expiry; on waking, plan again (the end date may have moved).',
    });
    const sendNotice = this.task(STATE.SendExpiryNotice, 'notice', { noticeDate: JsonPath.stringAt(statePath('plan', 'noticeDate')) });
    const expire = this.task(STATE.Expire, 'expire', {});
    const continueAsNew = new StepFunctionsStartExecution(this, STATE.ContinueAsNew, {
      stateMachine: self,
      integrationPattern: IntegrationPattern.REQUEST_RESPONSE,
      name: JsonPath.stringAt(statePath('plan', 'nextExecutionName')),
      input: TaskInput.fromObject(executionInput(JsonPath.stringAt('$.guestId'), EXECUTION_PHASE.schedule)),
      associateWithParent: true,
      resultPath: JsonPath.DISCARD,
      comment: 'Hand over to a fresh execution well before the one-year and 25,000-event limits.',
    })
      .addRetry({ errors: ['StepFunctions.ExecutionAlreadyExistsException'], maxAttempts: 0 })
      .addRetry({ errors: [Errors.ALL], ...BACKOFF })
      .addCatch(this.recordFailure, { errors: [Errors.ALL], resultPath: '$.error' });
    continueAsNew.next(this.closed);

    const onAction: { readonly [A in PlanAction]: IChainable } = {
      [PLAN_ACTION.notice]: sendNotice.next(plan),
      [PLAN_ACTION.expire]: expire.next(plan),
      [PLAN_ACTION.wait]: waitUntilDue.next(plan),
      [PLAN_ACTION.continue]: continueAsNew,
      [PLAN_ACTION.done]: this.closed,
    };
    plan.next(countIteration).next(this.choiceOn(STATE.NextStep, 'plan', 'action', onAction));

    const startSchedule = new Pass(this, STATE.StartSchedule, {
      parameters: { 'guestId.$': '$.guestId', iteration: 0 },
      comment: 'Begin the schedule with a small state: the guest ID and a loop count.',
    });
    startSchedule.next(plan);
    return startSchedule;
  }

  // --- provisioning -----------------------------------------------------------------------------
  private provisioning(schedule: IChainable): TaskStateBase {
    const provision = this.task(STATE.Provision, 'provision', {});
    provision.next(schedule);
    return provision;
  }

  // --- approval ---------------------------------------------------------------------------------
  /** RequestApproval, then RemindApproval, then ExpireApproval, each on to Decided?. */
  private approval(provision: IChainable): { request: IChainable; remind: IChainable } {
    const step = (state: StateName, reminder: boolean, timeoutPath: string) =>
      new LambdaInvoke(this, state, {
        lambdaFunction: this.taskFunction,
        integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: taskPayload('requestApproval', { reminder, taskToken: JsonPath.taskToken }),
        // The step's output is the ApprovalDecision it is woken with, kept where Decided? reads it.
        resultPath: at('decision'),
        taskTimeout: Timeout.at(timeoutPath),
        comment: reminder
          ? 'Remind the sponsor and wait up to 7 more days for the decision (14 days in all).'
          : 'Ask the sponsor to approve and wait up to 7 days for the decision.',
      }).addRetry({ errors: RETRYABLE.filter((e) => e !== Errors.TASKS_FAILED), ...BACKOFF });

    const expireApproval = this.task(STATE.ExpireApproval, 'expireApproval', {}, 'decision');
    const decided = new Choice(this, STATE.Decided).when(stateIs('decision', 'outcome', APPROVAL_OUTCOME.approved), provision).otherwise(this.closed);
    const remind = step(STATE.RemindApproval, true, statePath('hsr', 'approval.remindTimeoutSeconds'))
      .addCatch(expireApproval, { errors: [Errors.TIMEOUT], resultPath: '$.timeout' })
      .addCatch(this.recordFailure, { errors: [Errors.ALL], resultPath: '$.error' });
    const request = step(STATE.RequestApproval, false, statePath('hsr', 'approval.requestTimeoutSeconds'))
      .addCatch(remind, { errors: [Errors.TIMEOUT], resultPath: '$.timeout' })
      .addCatch(this.recordFailure, { errors: [Errors.ALL], resultPath: '$.error' });
    request.next(decided);
    remind.next(decided);
    expireApproval.next(decided);
    return { request, remind };
  }

  // --- HSR check --------------------------------------------------------------------------------
  /** CheckHsr, with WaitForHsr while the HSR is pending, then on to approval, Provision or the schedule. */
  private hsrCheck(next: { provision: IChainable; schedule: IChainable; request: IChainable; remind: IChainable }): TaskStateBase {
    const checkHsr = this.task(STATE.CheckHsr, 'checkHsr', {}, 'hsr');
    const waitForHsr = new Wait(this, STATE.WaitForHsr, {
      time: WaitTime.timestampPath(statePath('hsr', 'nextCheckAt')),
      comment: 'No active HSR covering the end date yet: check again tomorrow (for up to 14 days).',
    });
    const onResult: { readonly [R in HsrCheck]: IChainable } = {
      [HSR_CHECK.pending]: waitForHsr.next(checkHsr),
      [HSR_CHECK.approved]: next.provision,
      [HSR_CHECK.ok]: next.request,
      [HSR_CHECK.provisioned]: next.schedule,
      [HSR_CHECK.timeout]: this.closed,
      [HSR_CHECK.closed]: this.closed,
    };
    // Past the first 7 days (a restarted lifecycle), the approval step to wait in is the reminder.
    const atReminder = stateIs('hsr', 'approval.stage', APPROVAL_STAGE.remind);
    checkHsr.next(this.choiceOn(STATE.HsrReady, 'hsr', 'result', onResult, { [HSR_CHECK.ok]: [atReminder, next.remind] }));
    return checkHsr;
  }

  // --- start ------------------------------------------------------------------------------------
  /** From the start (CheckHsr), or (phase `schedule`: a provisioned account's new execution) at the schedule. */
  private start(schedule: IChainable, checkHsr: IChainable): IChainable {
    return new Choice(this, STATE.Start)
      .when(Condition.and(Condition.isPresent(inputPath('phase')), Condition.stringEquals(inputPath('phase'), EXECUTION_PHASE.schedule)), schedule)
      .otherwise(checkHsr);
  }
}
