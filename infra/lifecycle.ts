/** The guest lifecycle: one Standard state machine execution per guest, and the Lambda running its tasks. */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ConfigKey } from '../shared/config.ts';
import { GuestLifecycleDefinition } from '../workflows/guest.ts';
import { GuestFunction } from './functions.ts';
import type { Mail } from './mail.ts';
import { acknowledgeWildcardResource } from './nag.ts';
import type { GuestsTableAction, Storage } from './storage.ts';

/**
 * The lifecycle task function's item actions on the guests table: the guest (GetItem, conditional
 * PutItem), its audit events (PutItem), account IDs (BatchGetItem of up to 100 candidates, then a
 * conditional PutItem). No UpdateItem (no task counts attempts), no Query (no task lists guests or
 * reads a history), no index.
 */
export const LIFECYCLE_TASK_GUESTS_ACTIONS: readonly GuestsTableAction[] = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem'];

/** Calls on running executions (the execution ARNs), as the reconciler and the API make them. */
export type ExecutionAction = 'states:DescribeExecution' | 'states:GetExecutionHistory' | 'states:StopExecution';

/** ARNs of a state machine and of its executions, built from its name (no reference, so no cycle). */
export function stateMachineArns(scope: Construct, stateMachineName: string): { stateMachineArn: string; executionsArn: string } {
  const stack = Stack.of(scope);
  return {
    stateMachineArn: stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
    executionsArn: stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
  };
}

export interface LifecycleProps {
  /** Explicit, deterministic name: the definition starts its successor (continue-as-new) by name. */
  readonly stateMachineName: string;
  readonly storage: Storage;
  readonly mail: Mail;
  /** Settings of the task function that no resource gives (the links in emails, the directories' URLs). */
  readonly settings: Partial<Record<ConfigKey, string | undefined>>;
}

export class Lifecycle extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly taskFunction: GuestFunction;
  readonly logGroup: logs.LogGroup;
  readonly stateMachineName: string;
  /** Built from the name, for grants and environment variables. */
  readonly stateMachineArn: string;
  /** `arn:...:execution:<name>:*` */
  readonly executionsArn: string;

  constructor(scope: Construct, id: string, props: LifecycleProps) {
    super(scope, id);
    this.stateMachineName = props.stateMachineName;
    const arns = stateMachineArns(this, props.stateMachineName);
    this.stateMachineArn = arns.stateMachineArn;
    this.executionsArn = arns.executionsArn;

    this.taskFunction = new GuestFunction(this, 'TaskFunction', {
      entry: 'functions/lifecycle-task.ts',
      description: 'Guest lifecycle: every Step Functions task',
      timeout: Duration.seconds(60),
    });
    // Only what shared/guest/app/tasks.ts (and the use cases it shares with the API) calls: the guest,
    // its audit events and account IDs (LIFECYCLE_TASK_GUESTS_ACTIONS); people and HSR records
    // (GetItem); the emails; and a sponsor's decision already recorded, completed on the waiting
    // token (SendTaskSuccess). Each binding sets the variable naming its resource.
    props.storage.bindGuests(this.taskFunction, LIFECYCLE_TASK_GUESTS_ACTIONS);
    props.storage.bindDirectory(this.taskFunction, ['dynamodb:GetItem']);
    props.mail.bindSend(this.taskFunction);
    this.bindTaskResponse(this.taskFunction);
    this.taskFunction.configure(props.settings);

    const self = sfn.StateMachine.fromStateMachineName(this, 'Self', props.stateMachineName);
    const definition = new GuestLifecycleDefinition(this, 'Definition', { taskFunction: this.taskFunction.fn, self });

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      // The vended-logs prefix keeps the CloudWatch Logs resource policy small.
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
      `${this.taskFunction.fn.functionArn}:*`,
      'The Lambda task integration grants invoking the task function by any version or alias (:*); it is still this one function.',
    );
  }

  /** `grantStart`, and this state machine's ARN (STATE_MACHINE_ARN). */
  bindStart(fn: GuestFunction): iam.Grant {
    fn.configure({ stateMachineArn: this.stateMachineArn });
    return this.grantStart(fn.role);
  }

  /** `grantTaskResponse`, and this state machine's ARN (STATE_MACHINE_ARN: the workflow adapter is configured with it). */
  bindTaskResponse(fn: GuestFunction): iam.Grant {
    fn.configure({ stateMachineArn: this.stateMachineArn });
    return this.grantTaskResponse(fn.role);
  }

  /** `grantExecutions`, and this state machine's ARN (STATE_MACHINE_ARN: its executions' ARNs are built from it). */
  bindExecutions(fn: GuestFunction, actions: readonly ExecutionAction[]): iam.Grant {
    fn.configure({ stateMachineArn: this.stateMachineArn });
    return this.grantExecutions(fn.role, actions);
  }

  /** StartExecution of this state machine (a new lifecycle, or a restarted one). */
  grantStart(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['states:StartExecution'], resourceArns: [this.stateMachineArn] });
  }

  /** SendTaskSuccess on this state machine's task tokens (the sponsor's decision); never Failure or Heartbeat: nothing sends them. */
  grantTaskResponse(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['states:SendTaskSuccess'], resourceArns: [this.stateMachineArn] });
  }

  /** Exactly these calls on this state machine's executions (named per guest at run time: `execution:<name>:*`). */
  grantExecutions(role: iam.IRole, actions: readonly ExecutionAction[]): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee: role, actions: [...new Set(actions)], resourceArns: [this.executionsArn] });
    acknowledgeWildcardResource(
      role,
      this.executionsArn,
      'Executions are named per guest at run time; the ARN is limited to executions of the guest lifecycle state machine.',
    );
    return grant;
  }
}
