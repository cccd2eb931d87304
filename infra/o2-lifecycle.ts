/** The O2 lifecycle (issue 14): one Standard state machine execution per O2 account, and the Lambda running its tasks. */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ConfigKey } from '../shared/config.ts';
import { O2LifecycleDefinition } from '../workflows/o2.ts';
import { GuestFunction } from './functions.ts';
import { stateMachineArns, type ExecutionAction, type Lifecycle } from './lifecycle.ts';
import type { Mail } from './mail.ts';
import { acknowledgeWildcardResource } from './nag.ts';
import type { O2TableAction, Storage } from './storage.ts';

/**
 * The O2 task function's item actions on the O2 table: the O2 account and its lab (GetItem), their
 * conditional changes and audit events, uid number reservations (PutItem). No Query: no task lists
 * accounts or reads a history.
 */
export const O2_TASK_O2_ACTIONS: readonly O2TableAction[] = ['dynamodb:GetItem', 'dynamodb:PutItem'];

export interface O2LifecycleProps {
  /** Explicit, deterministic name: the definition starts its successor (continue-as-new) by name. */
  readonly stateMachineName: string;
  readonly storage: Storage;
  readonly mail: Mail;
  /** The guest lifecycle: its state machine is only named on the task function (every handler loads the whole configuration). */
  readonly guestLifecycle: Lifecycle;
  /** Settings of the task function that no resource gives (the links in emails, the directories' URLs). */
  readonly settings: Partial<Record<ConfigKey, string | undefined>>;
}

export class O2Lifecycle extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly taskFunction: GuestFunction;
  readonly logGroup: logs.LogGroup;
  readonly stateMachineName: string;
  readonly stateMachineArn: string;
  /** `arn:...:execution:<name>:*` */
  readonly executionsArn: string;

  constructor(scope: Construct, id: string, props: O2LifecycleProps) {
    super(scope, id);
    this.stateMachineName = props.stateMachineName;
    const arns = stateMachineArns(this, props.stateMachineName);
    this.stateMachineArn = arns.stateMachineArn;
    this.executionsArn = arns.executionsArn;

    this.taskFunction = new GuestFunction(this, 'TaskFunction', {
      entry: 'functions/o2-task.ts',
      description: 'O2 lifecycle: every task of its state machine',
      timeout: Duration.seconds(60),
    });
    // Only what shared/o2/app/tasks.ts calls: the O2 account, its lab, their audit events and
    // uid numbers (O2_TASK_O2_ACTIONS); the guest account it rests on (GetItem); people (GetItem);
    // the emails; its own waiting step resumed when what it waits for happened already
    // (SendTaskSuccess). The guest lifecycle's state machine is named, not granted.
    const fn = this.taskFunction;
    props.storage.bindO2(fn, O2_TASK_O2_ACTIONS);
    props.storage.bindGuests(fn, ['dynamodb:GetItem']);
    props.storage.bindDirectory(fn, ['dynamodb:GetItem']);
    props.mail.bindSend(fn);
    this.bindTaskResponse(fn);
    fn.configure({ stateMachineArn: props.guestLifecycle.stateMachineArn, ...props.settings });

    const self = sfn.StateMachine.fromStateMachineName(this, 'Self', props.stateMachineName);
    const definition = new O2LifecycleDefinition(this, 'Definition', { taskFunction: fn.fn, self });

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      definitionBody: definition.definitionBody,
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    const smRole = this.stateMachine.role;
    acknowledgeWildcardResource(
      smRole,
      '*',
      'X-Ray (PutTraceSegments, PutTelemetryRecords, GetSampling*) and CloudWatch Logs vended delivery (logs:CreateLogDelivery, DescribeResourcePolicies, ...) do not support resource-level permissions.',
    );
    acknowledgeWildcardResource(
      smRole,
      `${fn.fn.functionArn}:*`,
      'The Lambda task integration grants invoking the task function by any version or alias (:*); it is still this one function.',
    );
  }

  /** StartExecution of this state machine, and its ARN (O2_STATE_MACHINE_ARN). */
  bindStart(fn: GuestFunction): iam.Grant {
    fn.configure({ o2StateMachineArn: this.stateMachineArn });
    return iam.Grant.addToPrincipal({ grantee: fn.role, actions: ['states:StartExecution'], resourceArns: [this.stateMachineArn] });
  }

  /** SendTaskSuccess on this state machine's task tokens (wakeO2), and its ARN (O2_STATE_MACHINE_ARN). Never Failure or Heartbeat: nothing sends them. */
  bindTaskResponse(fn: GuestFunction): iam.Grant {
    fn.configure({ o2StateMachineArn: this.stateMachineArn });
    return iam.Grant.addToPrincipal({ grantee: fn.role, actions: ['states:SendTaskSuccess'], resourceArns: [this.stateMachineArn] });
  }

  /** Exactly these calls on this state machine's executions (named per O2 account at run time), and its ARN (O2_STATE_MACHINE_ARN). */
  bindExecutions(fn: GuestFunction, actions: readonly ExecutionAction[]): iam.Grant {
    fn.configure({ o2StateMachineArn: this.stateMachineArn });
    const grant = iam.Grant.addToPrincipal({ grantee: fn.role, actions: [...new Set(actions)], resourceArns: [this.executionsArn] });
    acknowledgeWildcardResource(fn.role, this.executionsArn, 'Executions are named per O2 account at run time; the ARN is limited to executions of the O2 lifecycle state machine.');
    return grant;
  }
}
