/**
 * One lifecycle's state machine and its task function: what every lifecycle is made of in AWS (a
 * Standard state machine, one execution per record, its definition from workflows/, a Lambda running
 * every task, logs and tracing), and the grants other functions need to start, wake and look at its
 * executions. Each lifecycle configures one (infra/lifecycle.ts, infra/o2-lifecycle.ts); the
 * children's IDs are the same for every lifecycle, so a resource's logical ID is its lifecycle's
 * construct ID and the child's (`LifecycleStateMachine…`, `O2LifecycleStateMachine…`).
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { GuestFunction } from './functions.ts';
import { acknowledgeWildcardResource } from './nag.ts';

/** Calls on running executions (the execution ARNs), as the reconciler and the API make them. */
export type ExecutionAction = 'states:DescribeExecution' | 'states:GetExecutionHistory' | 'states:StopExecution';

/** ARNs of a state machine and of its executions, built from its name (no reference, so no cycle). */
export function stateMachineArns(scope: Construct, stateMachineName: string): { stateMachineArn: string; executionsArn: string } {
  const stack = Stack.of(scope);
  return {
    stateMachineArn: stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: stateMachineName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
    executionsArn: stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
  };
}

/** How a lifecycle's definition is built (workflows/): from the task function and the state machine itself (continue-as-new). */
export type DefinitionClass = new (scope: Construct, id: string, props: { taskFunction: IFunction; self: sfn.IStateMachine }) => { definitionBody: sfn.DefinitionBody };

/** What makes a lifecycle's machine its own: its definition, the function running its tasks, the setting naming it. */
export interface MachineSpec {
  /** The task function's handler (functions/…) and what it is. */
  readonly taskEntry: string;
  readonly taskDescription: string;
  readonly definition: DefinitionClass;
  /** The setting that names this state machine on a function bound to it (STATE_MACHINE_ARN, O2_STATE_MACHINE_ARN). */
  readonly arnSetting: 'stateMachineArn' | 'o2StateMachineArn';
  /** What one execution is for, in the nag acknowledgment of the executions' ARN ("guest", "O2 account"). */
  readonly recordNoun: string;
}

export class LifecycleMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly taskFunction: GuestFunction;
  readonly logGroup: logs.LogGroup;
  readonly stateMachineName: string;
  /** Built from the name, for grants and environment variables. */
  readonly stateMachineArn: string;
  /** `arn:...:execution:<name>:*` */
  readonly executionsArn: string;
  private readonly spec: MachineSpec;

  /** `stateMachineName`: explicit, deterministic; the definition starts its successor (continue-as-new) by name. */
  constructor(scope: Construct, id: string, stateMachineName: string, spec: MachineSpec) {
    super(scope, id);
    this.spec = spec;
    this.stateMachineName = stateMachineName;
    const props = { ...spec, stateMachineName };
    const arns = stateMachineArns(this, props.stateMachineName);
    this.stateMachineArn = arns.stateMachineArn;
    this.executionsArn = arns.executionsArn;

    this.taskFunction = new GuestFunction(this, 'TaskFunction', { entry: props.taskEntry, description: props.taskDescription, timeout: Duration.seconds(60) });

    const self = sfn.StateMachine.fromStateMachineName(this, 'Self', props.stateMachineName);
    const definition = new props.definition(this, 'Definition', { taskFunction: this.taskFunction.fn, self });

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

  /** `grantStart`, and this state machine's ARN on the function. */
  bindStart(fn: GuestFunction): iam.Grant {
    fn.configure({ [this.spec.arnSetting]: this.stateMachineArn });
    return this.grantStart(fn.role);
  }

  /** `grantTaskResponse`, and this state machine's ARN on the function (the workflow adapter is configured with it). */
  bindTaskResponse(fn: GuestFunction): iam.Grant {
    fn.configure({ [this.spec.arnSetting]: this.stateMachineArn });
    return this.grantTaskResponse(fn.role);
  }

  /** `grantExecutions`, and this state machine's ARN on the function (its executions' ARNs are built from it). */
  bindExecutions(fn: GuestFunction, actions: readonly ExecutionAction[]): iam.Grant {
    fn.configure({ [this.spec.arnSetting]: this.stateMachineArn });
    return this.grantExecutions(fn.role, actions);
  }

  /** StartExecution of this state machine (a new lifecycle, or a restarted one). */
  grantStart(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['states:StartExecution'], resourceArns: [this.stateMachineArn] });
  }

  /** SendTaskSuccess on this state machine's task tokens; never Failure or Heartbeat: nothing sends them. */
  grantTaskResponse(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['states:SendTaskSuccess'], resourceArns: [this.stateMachineArn] });
  }

  /** Exactly these calls on this state machine's executions (named per record at run time: `execution:<name>:*`). */
  grantExecutions(role: iam.IRole, actions: readonly ExecutionAction[]): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee: role, actions: [...new Set(actions)], resourceArns: [this.executionsArn] });
    acknowledgeWildcardResource(
      role,
      this.executionsArn,
      `Executions are named per ${this.spec.recordNoun} at run time; the ARN is limited to executions of the ${this.spec.recordNoun === 'guest' ? 'guest' : this.spec.recordNoun.replace(/ account$/, '')} lifecycle state machine.`,
    );
    return grant;
  }
}
