/**
 * The synthesized stack, built once per importing test file (asset bundling off), and its state
 * machine definition resolved into plain ASL JSON. The workflow tests import
 * `synthesizedDefinition()` to run the SYNTHESIZED definition in a local Step Functions emulator.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { stateMachinesFromTemplate } from '../../local/state-machines.ts';
import { localNames, type CfnTemplate, type Names } from '../../local/template.ts';
import { buildApp, STACK_NAME, STATE_MACHINE_NAME } from './build.ts';

export { STACK_NAME, STATE_MACHINE_NAME } from './build.ts';

const built = buildApp();

export const app = built.app;
export const stack = built.stack;
export const template: Template = Template.fromStack(stack);
// The template is in memory now: the synthesis folder goes (nothing synthesizes this app again).
built.cleanup();

export interface SynthesizedDefinition {
  /** The parsed ASL definition. */
  readonly definition: Record<string, unknown>;
  /** Logical ID of the Lambda function every Lambda task invokes. */
  readonly taskFunctionLogicalId: string;
  /** What each referenced logical ID (`<id>.<attribute>` for an attribute other than Arn) or pseudo parameter was replaced with. */
  readonly resources: Record<string, string>;
  /** Logical ID of the state machine resource in the template. */
  readonly stateMachineLogicalId: string;
}

let resolved: SynthesizedDefinition | undefined;

/**
 * The guest lifecycle's definition with every intrinsic replaced by the local system's resolver
 * (local/template.ts): `AWS::Partition` → `aws`, `AWS::Region` → `us-east-1`, `AWS::AccountId` →
 * `000000000000`, a function's `Fn::GetAtt Arn` → `arn:aws:lambda:us-east-1:000000000000:function:<LogicalId>`,
 * a table's `Ref` → its logical ID.
 */
export function synthesizedDefinition(): SynthesizedDefinition {
  if (resolved) return resolved;
  const json = template.toJSON() as CfnTemplate;
  const resources: Record<string, string> = {};
  const local = localNames(json, STACK_NAME);
  const names: Names = (id, attribute) => (resources[attribute && attribute !== 'Arn' ? `${id}.${attribute}` : id] = local(id, attribute));
  const machine = stateMachinesFromTemplate(json, names).find((m) => m.name === STATE_MACHINE_NAME);
  if (!machine) throw new Error(`No state machine ${STATE_MACHINE_NAME} in the template`);
  if (machine.functions.length !== 1) throw new Error(`Expected the definition to reference one Lambda function, found ${machine.functions.join(', ') || 'none'}`);
  resolved = { definition: machine.definition, taskFunctionLogicalId: machine.functions[0]!, resources, stateMachineLogicalId: machine.logicalId };
  return resolved;
}

/** The parsed state machine definition (ASL). */
export function definition(): AslDefinition {
  return synthesizedDefinition().definition as unknown as AslDefinition;
}

export interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  TimeoutSecondsPath?: string;
  TimeoutSeconds?: number;
  TimestampPath?: string;
  Retry?: { ErrorEquals: string[]; IntervalSeconds?: number; MaxAttempts?: number; BackoffRate?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  Next?: string;
  End?: boolean;
  Choices?: unknown[];
  Default?: string;
  [key: string]: unknown;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [key: string]: unknown;
}
