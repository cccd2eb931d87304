/**
 * The guest lifecycle state machine, built from CDK chainables. One execution per guest lifecycle:
 *
 *   CheckHsr ─pending→ WaitForHsr ─→ CheckHsr            (daily, up to 14 days → HSR_TIMEOUT)
 *      └─ok→ RequestApproval (.waitForTaskToken, 7 d) ─timeout→ RemindApproval (7 d) ─timeout→ ExpireApproval
 *      └─submitted by the sponsor→ Provision
 *   Decided? ─approved→ Provision → PlanSchedule ⇄ {WaitUntilDue, SendExpiryNotice, Expire} → Closed
 *
 * Every decision about dates lives in the domain (shared/domain/rules.ts); the tasks read the guest
 * from DynamoDB each time, so the table, not the execution, is the source of truth. Task payloads
 * carry `v` so that an execution started on an older definition keeps working after a deploy.
 */
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  IntegrationPattern,
  JsonPath,
  type IChainable,
  type IStateMachine,
  Pass,
  Succeed,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
  Errors,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke, StepFunctionsStartExecution } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/** Version of the task payloads this definition sends. Task handlers accept every version up to it. */
import { TASK_INPUT_VERSION as TASK_PAYLOAD_VERSION } from '../shared/app/task-version.ts';

export { TASK_PAYLOAD_VERSION };

/** State names, shared with tests and the local runner. */
export const S = {
  Start: 'Start',
  CheckHsr: 'CheckHsr',
  HsrReady: 'HsrReady?',
  WaitForHsr: 'WaitForHsr',
  RequestApproval: 'RequestApproval',
  RemindApproval: 'RemindApproval',
  ExpireApproval: 'ExpireApproval',
  Decided: 'Decided?',
  Provision: 'Provision',
  PlanSchedule: 'PlanSchedule',
  NextStep: 'NextStep?',
  WaitUntilDue: 'WaitUntilDue',
  SendExpiryNotice: 'SendExpiryNotice',
  Expire: 'Expire',
  ContinueAsNew: 'ContinueAsNew',
  Closed: 'Closed',
  RecordFailure: 'RecordFailure',
  LifecycleFailed: 'LifecycleFailed',
} as const;

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

export class GuestLifecycleDefinition extends Construct {
  readonly definitionBody: DefinitionBody;

  constructor(scope: Construct, id: string, props: GuestLifecycleProps) {
    super(scope, id);
    const fn = props.taskFunction;
    const guestId = JsonPath.stringAt('$.guestId');

    const recordFailure = new LambdaInvoke(this, S.RecordFailure, {
      lambdaFunction: fn,
      payloadResponseOnly: true,
      payload: TaskInput.fromObject({
        v: TASK_PAYLOAD_VERSION,
        task: 'recordFailure',
        guestId,
        error: JsonPath.objectAt('$.error'),
      }),
      resultPath: JsonPath.DISCARD,
      comment: 'Record the failure on the guest (the reconciler resumes it) and end as failed, which raises the alarm.',
    })
      .addRetry({ errors: RETRYABLE, interval: Duration.seconds(2), maxAttempts: 6, backoffRate: 2 })
      .next(new Fail(this, S.LifecycleFailed, { error: 'GuestLifecycleFailed', causePath: '$.error.Cause' }));

    const task = (name: string, taskName: string, extra: Record<string, unknown>, resultPath: string) =>
      new LambdaInvoke(this, name, {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        payload: TaskInput.fromObject({ v: TASK_PAYLOAD_VERSION, task: taskName, guestId, ...extra }),
        resultPath,
        taskTimeout: Timeout.duration(Duration.minutes(2)),
      })
        .addRetry({ errors: RETRYABLE, interval: Duration.seconds(2), maxAttempts: 6, backoffRate: 2 })
        .addCatch(recordFailure, { errors: [Errors.ALL], resultPath: '$.error' });

    const approvalTask = (name: string, reminder: boolean, timeoutPath: string) =>
      new LambdaInvoke(this, name, {
        lambdaFunction: fn,
        integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: TaskInput.fromObject({
          v: TASK_PAYLOAD_VERSION,
          task: 'requestApproval',
          guestId,
          reminder,
          taskToken: JsonPath.taskToken,
        }),
        resultPath: '$.decision',
        taskTimeout: Timeout.at(timeoutPath),
        comment: reminder
          ? 'Remind the sponsor and wait up to 7 more days for the decision (14 days in all).'
          : 'Ask the sponsor to approve and wait up to 7 days for the decision.',
      }).addRetry({ errors: RETRYABLE.filter((e) => e !== Errors.TASKS_FAILED), interval: Duration.seconds(2), maxAttempts: 6, backoffRate: 2 });

    const closed = new Succeed(this, S.Closed);

    // --- schedule: notices and expiry -------------------------------------------------------
    const plan = task(
      S.PlanSchedule,
      'plan',
      {
        executionStartTime: JsonPath.stringAt('$$.Execution.StartTime'),
        iteration: JsonPath.numberAt('$.iteration'),
      },
      '$.plan',
    );
    const afterPlan = new Pass(this, 'CountIteration', {
      parameters: {
        'guestId.$': '$.guestId',
        'iteration.$': '$.plan.iteration',
        'plan.$': '$.plan',
      },
      comment: 'Keep the state small: only what the next step needs.',
    });
    const waitUntilDue = new Wait(this, S.WaitUntilDue, {
      time: WaitTime.timestampPath('$.plan.at'),
      comment: 'Sleep until the next notice or the expiry; on waking, plan again (the end date may have moved).',
    });
    const sendNotice = task(S.SendExpiryNotice, 'notice', { noticeDate: JsonPath.stringAt('$.plan.noticeDate') }, JsonPath.DISCARD);
    const expire = task(S.Expire, 'expire', {}, JsonPath.DISCARD);
    const continueAsNew = new StepFunctionsStartExecution(this, S.ContinueAsNew, {
      stateMachine: props.self,
      integrationPattern: IntegrationPattern.REQUEST_RESPONSE,
      name: JsonPath.stringAt('$.plan.nextExecutionName'),
      input: TaskInput.fromObject({ v: TASK_PAYLOAD_VERSION, guestId, phase: 'schedule', iteration: 0 }),
      associateWithParent: true,
      resultPath: JsonPath.DISCARD,
      comment: 'Hand over to a fresh execution well before the one-year and 25,000-event limits.',
    })
      .addRetry({ errors: ['StepFunctions.ExecutionAlreadyExistsException'], maxAttempts: 0 })
      .addRetry({ errors: [Errors.ALL], interval: Duration.seconds(2), maxAttempts: 6, backoffRate: 2 })
      .addCatch(recordFailure, { errors: [Errors.ALL], resultPath: '$.error' });
    continueAsNew.next(closed);

    plan.next(afterPlan).next(
      new Choice(this, S.NextStep)
        .when(Condition.stringEquals('$.plan.action', 'notice'), sendNotice.next(plan))
        .when(Condition.stringEquals('$.plan.action', 'expire'), expire.next(plan))
        .when(Condition.stringEquals('$.plan.action', 'wait'), waitUntilDue.next(plan))
        .when(Condition.stringEquals('$.plan.action', 'continue'), continueAsNew)
        .otherwise(closed),
    );

    // --- provisioning -----------------------------------------------------------------------
    const provision = task(S.Provision, 'provision', {}, JsonPath.DISCARD);
    const setIteration = new Pass(this, 'StartSchedule', {
      parameters: { 'guestId.$': '$.guestId', iteration: 0 },
      comment: 'Begin the schedule with a small state: the guest ID and a loop count.',
    });
    provision.next(setIteration);
    setIteration.next(plan);

    // --- approval -----------------------------------------------------------------------------
    const expireApproval = task(S.ExpireApproval, 'expireApproval', {}, '$.decision');
    const decided = new Choice(this, S.Decided)
      .when(Condition.stringEquals('$.decision.outcome', 'approved'), provision)
      .otherwise(closed);
    const remind = approvalTask(S.RemindApproval, true, '$.hsr.approval.remindTimeoutSeconds')
      .addCatch(expireApproval, { errors: [Errors.TIMEOUT], resultPath: '$.timeout' })
      .addCatch(recordFailure, { errors: [Errors.ALL], resultPath: '$.error' });
    const request = approvalTask(S.RequestApproval, false, '$.hsr.approval.requestTimeoutSeconds')
      .addCatch(remind, { errors: [Errors.TIMEOUT], resultPath: '$.timeout' })
      .addCatch(recordFailure, { errors: [Errors.ALL], resultPath: '$.error' });
    request.next(decided);
    remind.next(decided);
    expireApproval.next(decided);

    // --- HSR check ------------------------------------------------------------------------------
    const checkHsr = task(S.CheckHsr, 'checkHsr', {}, '$.hsr');
    const waitForHsr = new Wait(this, S.WaitForHsr, {
      time: WaitTime.timestampPath('$.hsr.nextCheckAt'),
      comment: 'No active HSR covering the end date yet: check again tomorrow (for up to 14 days).',
    });
    checkHsr.next(
      new Choice(this, S.HsrReady)
        .when(Condition.stringEquals('$.hsr.result', 'pending'), waitForHsr.next(checkHsr))
        .when(Condition.stringEquals('$.hsr.result', 'approved'), provision)
        .when(
          Condition.and(Condition.stringEquals('$.hsr.result', 'ok'), Condition.stringEquals('$.hsr.approval.stage', 'remind')),
          remind,
        )
        .when(Condition.stringEquals('$.hsr.result', 'ok'), request)
        .when(Condition.stringEquals('$.hsr.result', 'provisioned'), setIteration)
        .otherwise(closed),
    );

    const start: IChainable = new Choice(this, S.Start)
      .when(Condition.and(Condition.isPresent('$.phase'), Condition.stringEquals('$.phase', 'schedule')), setIteration)
      .otherwise(checkHsr);

    this.definitionBody = DefinitionBody.fromChainable(start);
  }
}
