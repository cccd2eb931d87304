/**
 * What every lifecycle's state machine is built from (CDK chainables), typed by its task contract
 * (shared/<lifecycle>/app/contract.ts): a Lambda task with its retries and its catch into the failure
 * path; a Choice on an answer of the contract; the failure path (RecordFailure → Deferred? →
 * WaitingForDirectory or LifecycleFailed); the schedule loop (Plan ⇄ {Wait, Notice, Expire},
 * continue-as-new); the start (from the beginning, or at the schedule). A lifecycle's definition
 * (workflows/guest.ts, workflows/o2.ts) names its states and adds its own steps.
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
  JitterType,
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
import { FAILURE_OUTCOME, type FieldAt, type FieldPath, type TaskSpec } from '../shared/core/app/tasks.ts';
import { DIRECTORY_ERRORS, SEND_RATE_BUSY } from '../shared/core/domain/errors.ts';

/** Errors worth retrying on every Lambda task: throttling, service faults and task failures. */
export const RETRYABLE = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  Errors.TASKS_FAILED,
];
export const BACKOFF = { interval: Duration.seconds(2), maxAttempts: 6, backoffRate: 2 };
/**
 * Every send-rate slot of the next seconds was taken (shared/adapters/send-rate.ts): waited out, at
 * 30 seconds apart with full jitter, for up to 30 minutes: 25,000 recipients at 14 a second. Before
 * the other retriers, so that it is never counted toward FAILED.
 */
export const SEND_RATE_RETRY = { interval: Duration.seconds(30), maxAttempts: 60, backoffRate: 1, jitterStrategy: JitterType.FULL };
/**
 * The account directory's failures (shared/core/domain/errors.ts): a transient one is retried a few
 * times more (the adapter retried already; a longer outage is the reconciler's, the next morning,
 * and never counts toward FAILED); a permanent one not at all: no retry can make that change.
 */
export const DIRECTORY_TRANSIENT_BACKOFF = { interval: Duration.seconds(1), maxAttempts: 3, backoffRate: 2 };

/** A payload field as the definition fills it in: a JSONPath reference (JsonPath.stringAt, ...) or a literal. */
type PayloadValue<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : IResolvable;
export type PayloadFields<Tasks extends TaskSpec, K extends keyof Tasks> = { [F in keyof Tasks[K]['input']]: PayloadValue<Tasks[K]['input'][F]> };
/** Exactly the fields of the task's input: one it does not read is a compile error, like one missing. */
export type Exactly<F, Fields> = F & { [X in Exclude<keyof F, keyof Fields>]: never };

/** The payload of a task: the contract's version, the task's name, the record's ID (from the state's `idKey`), and the task's own fields. */
export function payloadOf(version: number, idKey: string, task: string, fields: object): TaskInput {
  return TaskInput.fromObject({ v: version, task, [idKey]: JsonPath.stringAt(`$.${idKey}`), ...fields });
}

/** `$.key.path` of the execution state. */
export function pathOf(key: string, path: string): string {
  return `$.${key}.${path}`;
}

/** The states every lifecycle has, by the names its definition gives them. */
export interface CoreStateNames {
  readonly start: string;
  readonly plan: string;
  readonly nextStep: string;
  readonly waitUntilDue: string;
  readonly notice: string;
  readonly expire: string;
  readonly continueSchedule: string;
  readonly startSchedule: string;
  readonly closed: string;
  readonly recordFailure: string;
  readonly deferred: string;
  readonly waitingForDirectory: string;
  readonly failed: string;
}

/**
 * The core states' names unless a lifecycle gives its own: the guest lifecycle's (the first), which
 * it deploys under; O2 names most of its own (deployed so: renaming a state is not a refactor).
 */
export const CORE_STATE_NAMES: CoreStateNames = {
  start: 'Start',
  plan: 'PlanSchedule',
  nextStep: 'NextStep?',
  waitUntilDue: 'WaitUntilDue',
  notice: 'SendExpiryNotice',
  expire: 'Expire',
  continueSchedule: 'ContinueAsNew',
  startSchedule: 'StartSchedule',
  closed: 'Closed',
  recordFailure: 'RecordFailure',
  deferred: 'Deferred?',
  waitingForDirectory: 'WaitingForDirectory',
  failed: 'LifecycleFailed',
};

/** What the words of a lifecycle's states say: the record, its ID's key in the state, and how each says it. */
export interface LifecycleWords {
  /** The record's ID in the execution's state and payloads (`guestId`, `o2AccountId`). */
  readonly idKey: string;
  /** "the guest", "the O2 account". */
  readonly record: string;
  /** "the guest ID", "the O2 account ID". */
  readonly id: string;
  /** The Fail state's error (GuestLifecycleFailed, O2LifecycleFailed). */
  readonly failedError: string;
  /** Why the schedule's Wait plans again on waking. */
  readonly replanWhy: string;
}

/** The plan task's answers every schedule loop has (the domain's next step, or hand over). */
export const SCHEDULE_ACTIONS = ['notice', 'expire', 'wait', 'done', 'continue'] as const;
type ScheduleAction = (typeof SCHEDULE_ACTIONS)[number];

export interface LifecycleDefinitionProps {
  /** The Lambda function that runs every task of the lifecycle. */
  readonly taskFunction: IFunction;
  /** This state machine itself, for continue-as-new (referenced by name to avoid a cycle). */
  readonly self: IStateMachine;
}

/**
 * A lifecycle's state machine, typed by its contract: `Tasks` (each task's input and result),
 * `State` (what the definition keeps in the execution's state, by key; it has `plan` and `failure`).
 */
export abstract class LifecycleDefinition<
  Tasks extends TaskSpec & { plan: { input: { executionStartTime: string; iteration: number }; result: { action: ScheduleAction } }; notice: { input: { noticeDate: string } }; expire: { input: Record<never, never> }; recordFailure: { input: { error: unknown } } },
  State extends { plan: unknown; failure: unknown },
> extends Construct {
  readonly definitionBody: DefinitionBody;
  protected readonly taskFunction: IFunction;
  protected readonly self: IStateMachine;
  /** Where every failure that outlasts its retries goes: RecordFailure, then LifecycleFailed. */
  protected readonly recordFailure: TaskStateBase;
  protected readonly closed: Succeed;
  /** The schedule's Wait: a successor handed over to with its first wait planned begins there (`startChoice`). */
  private scheduleWait?: Wait;
  /** The schedule's NextStep? Choice on `$.plan.action`: where a task that answers the first plan goes on (the guest's Provision). */
  private scheduleNext?: Choice;
  protected readonly contract: { readonly version: number; readonly names: CoreStateNames; readonly words: LifecycleWords; readonly executionInput: (id: string, phase?: 'schedule') => object };

  constructor(
    scope: Construct,
    id: string,
    props: LifecycleDefinitionProps,
    contract: { readonly version: number; readonly names?: Partial<CoreStateNames>; readonly words: LifecycleWords; readonly executionInput: (id: string, phase?: 'schedule') => object },
  ) {
    super(scope, id);
    this.contract = { ...contract, names: { ...CORE_STATE_NAMES, ...contract.names } };
    this.taskFunction = props.taskFunction;
    this.self = props.self;
    this.recordFailure = this.failurePath();
    this.closed = new Succeed(this, this.contract.names.closed);
    this.definitionBody = DefinitionBody.fromChainable(this.build(this.scheduleLoop()));
  }

  /** The lifecycle's own steps, from the start; `schedule` is the schedule loop's entry. */
  protected abstract build(schedule: IChainable): IChainable;

  /** The schedule loop's NextStep? Choice: after a task whose answer (in `$.plan`) is the schedule's first plan. */
  protected get nextStep(): Choice {
    return this.scheduleNext!;
  }

  /** The payload of task `task`: the contract's version, the task's name, the record, and the task's own fields. */
  protected payload<K extends keyof Tasks & string, F extends PayloadFields<Tasks, K>>(task: K, fields: Exactly<F, PayloadFields<Tasks, K>>): TaskInput {
    return payloadOf(this.contract.version, this.contract.words.idKey, task, fields);
  }

  /** `$.key.path` of the execution state, for a field the contract says is there. */
  protected statePath<K extends keyof State & string, P extends FieldPath<State[K]>>(key: K, path: P): string {
    return pathOf(key, path);
  }

  /** A Choice condition: `$.key.path` equals `value`, one of the answers the contract gives there. */
  protected stateIs<K extends keyof State & string, P extends FieldPath<State[K]>>(key: K, path: P, value: FieldAt<State[K], P> & string): Condition {
    return Condition.stringEquals(pathOf(key, path), value);
  }

  /** A Lambda task of the contract: retried with backoff, caught into RecordFailure; its answer kept under `result`, when given. */
  protected task<K extends keyof Tasks & string, F extends PayloadFields<Tasks, K>>(
    state: string,
    task: K,
    fields: Exactly<F, PayloadFields<Tasks, K>>,
    result?: { [S in keyof State & string]: [Tasks[K]['result']] extends [State[S]] ? S : never }[keyof State & string],
  ): TaskStateBase {
    return new LambdaInvoke(this, state, {
      lambdaFunction: this.taskFunction,
      payloadResponseOnly: true,
      payload: this.payload<K, F>(task, fields),
      resultPath: result ? `$.${result}` : JsonPath.DISCARD,
      taskTimeout: Timeout.duration(Duration.minutes(2)),
    })
      .addRetry({ errors: [...DIRECTORY_ERRORS.permanent], maxAttempts: 0, backoffRate: 2 })
      .addRetry({ errors: [...DIRECTORY_ERRORS.transient], ...DIRECTORY_TRANSIENT_BACKOFF })
      .addRetry({ errors: [SEND_RATE_BUSY], ...SEND_RATE_RETRY })
      .addRetry({ errors: RETRYABLE, ...BACKOFF })
      .addCatch(this.recordFailure, { errors: [Errors.ALL], resultPath: '$.error' });
  }

  /**
   * A Choice on one field of the state: a branch for every answer the contract lists there (those
   * going to Closed are left to the default), in order; `narrower` adds, just before an answer's
   * branch, one for that answer with a further condition.
   */
  protected choiceOn<K extends keyof State & string, P extends FieldPath<State[K]>>(
    state: string,
    key: K,
    path: P,
    branches: { readonly [V in FieldAt<State[K], P> & string]: IChainable },
    narrower: { readonly [V in FieldAt<State[K], P> & string]?: readonly [Condition, IChainable] } = {},
  ): Choice {
    const choice = new Choice(this, state);
    for (const [value, next] of Object.entries(branches) as [FieldAt<State[K], P> & string, IChainable][]) {
      const narrow = narrower[value];
      if (narrow) choice.when(Condition.and(this.stateIs(key, path, value), narrow[0]), narrow[1]);
      if (next !== this.closed) choice.when(this.stateIs(key, path, value), next);
    }
    return choice.otherwise(this.closed);
  }

  /**
   * Continue-as-new: start the successor (named by the task, recorded on the record first) and end.
   * `firstWaitPath`: the successor's first wait, planned by the task, which it begins in (no plan).
   */
  protected continueAsNew(state: string, namePath: string, phase?: 'schedule', firstWaitPath?: string): TaskStateBase {
    const input = this.contract.executionInput(JsonPath.stringAt(`$.${this.contract.words.idKey}`), phase);
    const start = new StepFunctionsStartExecution(this, state, {
      stateMachine: this.self,
      integrationPattern: IntegrationPattern.REQUEST_RESPONSE,
      name: JsonPath.stringAt(namePath),
      input: TaskInput.fromObject(firstWaitPath ? { ...input, plan: { action: 'wait', at: JsonPath.stringAt(firstWaitPath), iteration: 0 } } : input),
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

  /** From the start (`first`), or (phase `schedule`: a new execution of a record past its setup) at the schedule. */
  protected startChoice(schedule: IChainable, first: IChainable): IChainable {
    const atSchedule = Condition.and(Condition.isPresent('$.phase'), Condition.stringEquals('$.phase', 'schedule'));
    return new Choice(this, this.contract.names.start)
      // Handed over with its first wait planned: straight to the Wait, no plan (issue 21).
      .when(Condition.and(atSchedule, Condition.isPresent('$.plan.at')), this.scheduleWait!)
      .when(atSchedule, schedule)
      .otherwise(first);
  }

  // --- failure path ---------------------------------------------------------------------------
  private failurePath(): TaskStateBase {
    const { names, words } = this.contract;
    const recordFailure = new LambdaInvoke(this, names.recordFailure, {
      lambdaFunction: this.taskFunction,
      payloadResponseOnly: true,
      payload: payloadOf(this.contract.version, words.idKey, 'recordFailure', { error: JsonPath.objectAt('$.error') }),
      resultPath: '$.failure',
      comment: `Record the failure on ${words.record} (the reconciler resumes it) and end as failed, which raises the alarm; a transient failure of the account directory ends waiting for it instead.`,
    }).addRetry({ errors: [SEND_RATE_BUSY], ...SEND_RATE_RETRY })
      .addRetry({ errors: RETRYABLE, ...BACKOFF });
    const failed = new Fail(this, names.failed, { error: words.failedError, causePath: '$.error.Cause' });
    const waiting = new Succeed(this, names.waitingForDirectory, {
      comment: `The account directory did not answer (recorded on ${words.record}, not counted toward FAILED): the reconciler starts the lifecycle again when it is due.`,
    });
    recordFailure.next(new Choice(this, names.deferred).when(Condition.stringEquals('$.failure.outcome', FAILURE_OUTCOME.deferred), waiting).otherwise(failed));
    return recordFailure;
  }

  // --- schedule loop: notices and expiry --------------------------------------------------------
  /** Plan ⇄ {WaitUntilDue, Notice, Expire}, continue-as-new; returns its entry, StartSchedule. */
  private scheduleLoop(): Pass {
    const { names, words } = this.contract;
    const idKey = words.idKey;
    const plan = new LambdaInvoke(this, names.plan, {
      lambdaFunction: this.taskFunction,
      payloadResponseOnly: true,
      payload: payloadOf(this.contract.version, idKey, 'plan', { executionStartTime: JsonPath.stringAt('$$.Execution.StartTime'), iteration: JsonPath.numberAt('$.plan.iteration') }),
      resultPath: '$.plan',
      taskTimeout: Timeout.duration(Duration.minutes(2)),
    })
      .addRetry({ errors: [...DIRECTORY_ERRORS.permanent], maxAttempts: 0, backoffRate: 2 })
      .addRetry({ errors: [...DIRECTORY_ERRORS.transient], ...DIRECTORY_TRANSIENT_BACKOFF })
      .addRetry({ errors: [SEND_RATE_BUSY], ...SEND_RATE_RETRY })
      .addRetry({ errors: RETRYABLE, ...BACKOFF })
      .addCatch(this.recordFailure, { errors: [Errors.ALL], resultPath: '$.error' });
    const waitUntilDue = (this.scheduleWait = new Wait(this, names.waitUntilDue, {
      time: WaitTime.timestampPath('$.plan.at'),
      comment: `Sleep until the next notice or the expiry; on waking, plan again (${words.replanWhy}).`,
    }));
    const lambdaTask = (state: string, task: 'notice' | 'expire', fields: object) =>
      new LambdaInvoke(this, state, {
        lambdaFunction: this.taskFunction,
        payloadResponseOnly: true,
        payload: payloadOf(this.contract.version, idKey, task, fields),
        resultPath: JsonPath.DISCARD,
        taskTimeout: Timeout.duration(Duration.minutes(2)),
      })
        .addRetry({ errors: [...DIRECTORY_ERRORS.permanent], maxAttempts: 0, backoffRate: 2 })
        .addRetry({ errors: [...DIRECTORY_ERRORS.transient], ...DIRECTORY_TRANSIENT_BACKOFF })
        .addRetry({ errors: [SEND_RATE_BUSY], ...SEND_RATE_RETRY })
      .addRetry({ errors: RETRYABLE, ...BACKOFF })
        .addCatch(this.recordFailure, { errors: [Errors.ALL], resultPath: '$.error' });
    const sendNotice = lambdaTask(names.notice, 'notice', { noticeDate: JsonPath.stringAt('$.plan.noticeDate') });
    const expire = lambdaTask(names.expire, 'expire', {});
    const onAction: { readonly [A in ScheduleAction]: IChainable } = {
      notice: sendNotice.next(plan),
      expire: expire.next(plan),
      wait: waitUntilDue.next(plan),
      continue: this.continueAsNew(names.continueSchedule, '$.plan.nextExecutionName', 'schedule', '$.plan.at'),
      done: this.closed,
    };
    const choice = (this.scheduleNext = new Choice(this, names.nextStep));
    for (const action of SCHEDULE_ACTIONS) if (onAction[action] !== this.closed) choice.when(Condition.stringEquals('$.plan.action', action), onAction[action]);
    // The plan's answer is the state's `plan` (the loop count in it): the state stays small with no Pass between.
    plan.next(choice.otherwise(this.closed));
    const startSchedule = new Pass(this, names.startSchedule, {
      parameters: { [`${idKey}.$`]: `$.${idKey}`, plan: { iteration: 0 } },
      comment: `Begin the schedule with a small state: ${words.id} and a loop count.`,
    });
    startSchedule.next(plan);
    return startSchedule;
  }
}

/**
 * A contract's JSONPath, for tests and each definition's exports: the payload of a task, `$.key.path`
 * of the state, and a Choice condition on one of the contract's answers there.
 */
export function contractPaths<Tasks extends TaskSpec, State>(version: number, idKey: string) {
  return {
    taskPayload<K extends keyof Tasks & string, F extends PayloadFields<Tasks, K>>(task: K, fields: Exactly<F, PayloadFields<Tasks, K>>): TaskInput {
      return payloadOf(version, idKey, task, fields);
    },
    statePath<K extends keyof State & string, P extends FieldPath<State[K]>>(key: K, path: P): string {
      return pathOf(key, path);
    },
    stateIs<K extends keyof State & string, P extends FieldPath<State[K]>>(key: K, path: P, value: FieldAt<State[K], P> & string): Condition {
      return Condition.stringEquals(pathOf(key, path), value);
    },
  };
}
