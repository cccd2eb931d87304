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
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Choice, Errors, IntegrationPattern, JsonPath, type IChainable, type IStateMachine, type TaskStateBase, Timeout, Wait, WaitTime } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import {
  APPROVAL_OUTCOME,
  APPROVAL_STAGE,
  executionInput,
  HSR_CHECK,
  TASK_PAYLOAD_VERSION,
  type HsrCheck,
  type LifecycleState,
  type LifecycleTasks,
} from '../shared/guest/app/contract.ts';
import { SEND_RATE_BUSY } from '../shared/core/domain/errors.ts';
import { BACKOFF, contractPaths, LifecycleDefinition, RETRYABLE, SEND_RATE_RETRY } from './core.ts';

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

export interface GuestLifecycleProps {
  /** The Lambda function that runs every lifecycle task (functions/lifecycle-task.ts). */
  readonly taskFunction: IFunction;
  /** This state machine itself, for continue-as-new (referenced by name to avoid a cycle). */
  readonly self: IStateMachine;
}

/** The contract in JSONPath, for tests: what the definition sends and tests. */
export const { taskPayload, statePath, stateIs } = contractPaths<LifecycleTasks, LifecycleState>(TASK_PAYLOAD_VERSION, 'guestId');

export class GuestLifecycleDefinition extends LifecycleDefinition<LifecycleTasks, LifecycleState> {
  constructor(scope: Construct, id: string, props: GuestLifecycleProps) {
    super(scope, id, props, {
      version: TASK_PAYLOAD_VERSION,
      executionInput: (guestId, phase) => executionInput(guestId, phase),
      words: { idKey: 'guestId', record: 'the guest', id: 'the guest ID', failedError: 'GuestLifecycleFailed', replanWhy: 'the end date may have moved' },
    });
  }

  protected build(schedule: IChainable): IChainable {
    // Provisioned, and the schedule's first step planned in the same invocation: on to NextStep?.
    const provision = this.task(STATE.Provision, 'provision', { executionStartTime: JsonPath.stringAt('$$.Execution.StartTime') }, 'plan');
    provision.next(this.nextStep);
    const approval = this.approval(provision);
    const checkHsr = this.hsrCheck({ provision, schedule, ...approval });
    return this.startChoice(schedule, checkHsr);
  }

  // --- approval ---------------------------------------------------------------------------------
  /** RequestApproval, then RemindApproval, then ExpireApproval, each on to Decided?. */
  private approval(provision: IChainable): { request: IChainable; remind: IChainable } {
    const step = (state: StateName, reminder: boolean, timeoutPath: string) =>
      new LambdaInvoke(this, state, {
        lambdaFunction: this.taskFunction,
        integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: this.payload('requestApproval', { reminder, taskToken: JsonPath.taskToken }),
        // The step's output is the ApprovalDecision it is woken with, kept where Decided? reads it.
        resultPath: '$.decision',
        taskTimeout: Timeout.at(timeoutPath),
        comment: reminder
          ? 'Remind the sponsor and wait up to 7 more days for the decision (14 days in all).'
          : 'Ask the sponsor to approve and wait up to 7 days for the decision.',
      }).addRetry({ errors: [SEND_RATE_BUSY], ...SEND_RATE_RETRY })
      .addRetry({ errors: RETRYABLE.filter((e) => e !== Errors.TASKS_FAILED), ...BACKOFF });

    const expireApproval = this.task(STATE.ExpireApproval, 'expireApproval', {}, 'decision');
    const decided = new Choice(this, STATE.Decided).when(this.stateIs('decision', 'outcome', APPROVAL_OUTCOME.approved), provision).otherwise(this.closed);
    const remind = step(STATE.RemindApproval, true, this.statePath('hsr', 'approval.remindTimeoutSeconds'))
      .addCatch(expireApproval, { errors: [Errors.TIMEOUT], resultPath: '$.timeout' })
      .addCatch(this.recordFailure, { errors: [Errors.ALL], resultPath: '$.error' });
    const request = step(STATE.RequestApproval, false, this.statePath('hsr', 'approval.requestTimeoutSeconds'))
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
      time: WaitTime.timestampPath(this.statePath('hsr', 'nextCheckAt')),
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
    const atReminder = this.stateIs('hsr', 'approval.stage', APPROVAL_STAGE.remind);
    checkHsr.next(this.choiceOn(STATE.HsrReady, 'hsr', 'result', onResult, { [HSR_CHECK.ok]: [atReminder, next.remind] }));
    return checkHsr;
  }

}
