/**
 * The synthesized stack, built once per importing test file (asset bundling off), and its state
 * machine definition resolved into plain ASL JSON. The workflow tests import
 * `synthesizedDefinition()` to run the SYNTHESIZED definition in a local Step Functions emulator.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { definitionFromTemplate, type CfnTemplate, type SynthesizedDefinition } from '../../infra/definition.ts';
import { buildApp } from './build.ts';

export { STACK_NAME, STATE_MACHINE_NAME } from './build.ts';

const built = buildApp();

export const app = built.app;
export const stack = built.stack;
export const template: Template = Template.fromStack(stack);
// The template is in memory now: the synthesis folder goes (nothing synthesizes this app again).
built.cleanup();

let resolved: SynthesizedDefinition | undefined;

/**
 * The state machine definition with every intrinsic replaced: `AWS::Partition` → `aws`,
 * `AWS::Region` → `us-east-1`, `AWS::AccountId` → `000000000000`, a function's `Fn::GetAtt Arn` →
 * `arn:aws:lambda:us-east-1:000000000000:function:<LogicalId>`, any other `Ref` → its logical ID.
 */
export function synthesizedDefinition(): SynthesizedDefinition {
  resolved ??= definitionFromTemplate(template.toJSON() as CfnTemplate);
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
