/**
 * Synthesizes the CDK stack in-process (asset bundling off: the handlers run from source here)
 * and reads from the template what the local system needs. Cached in memory per process.
 */
import { App } from 'aws-cdk-lib';
import { definitionFromTemplate } from '../infra/definition.ts';
import { GuestAccountsStack } from '../infra/guest-accounts-stack.ts';
import { cdkJsonContext } from '../infra/stack-config.ts';
import { RECONCILER_SCHEDULE } from '../infra/schedule-spec.ts';
import type { ScheduleSpec } from './scheduler.ts';
import { constructPath, LOCAL_ACCOUNT, LOCAL_REGION, resolve, resourcesOfType, type CfnTemplate } from './template.ts';
import type { AslDefinition } from './sfn/transform.ts';

export interface LocalDeployment {
  template: CfnTemplate;
  definition: AslDefinition;
  stateMachineArn: string;
  /** Lambda logical ID → handler module (relative to the repository root). */
  functions: Record<string, string>;
  /** The functions' environment variables, resolved to local names. */
  environment: Record<string, string>;
  schedule: ScheduleSpec;
}

/** Which handler module a function's construct path belongs to. */
const ENTRIES: [RegExp, string][] = [
  [/\/Api\//, 'functions/api.ts'],
  [/\/Lifecycle\//, 'functions/lifecycle-task.ts'],
  [/\/(Schedules|Reconciler)\//, 'functions/reconciler.ts'],
];

let cached: LocalDeployment | undefined;

export async function synthesizeForLocal(): Promise<LocalDeployment> {
  if (cached) return cached;
  // No built-in CloudFormation validation here: it runs a WASM validator over the template (about
  // 1.5 s of every local start) and adds nothing locally — `npm run synth` and test/cdk validate.
  // The feature flags of cdk.json, as the CDK CLI gives them to infra/app.ts: the same template.
  const app = new App({
    builtinCloudFormationValidation: false,
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true },
  });
  const stack = new GuestAccountsStack(app, 'GuestAccounts', {});
  const template = app.synth().getStackByName(stack.stackName).template as CfnTemplate;

  const synthesized = definitionFromTemplate(template as never, { region: LOCAL_REGION, account: LOCAL_ACCOUNT });
  const machines = resourcesOfType(template, 'AWS::StepFunctions::StateMachine');
  const [smId, smProps] = machines[0]!;
  const smName = String(smProps.StateMachineName ?? smId);
  const stateMachineArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${smName}`;

  const names = (logicalId: string, attribute?: string): string => {
    const type = template.Resources[logicalId]?.Type;
    if (type === 'AWS::StepFunctions::StateMachine') return attribute === 'Name' ? smName : stateMachineArn;
    if (type === 'AWS::Lambda::Function') return attribute === 'Arn' ? `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}` : logicalId;
    return logicalId; // tables, configuration sets, topics: named by logical ID locally
  };

  const functions: Record<string, string> = {};
  const environment: Record<string, string> = {};
  for (const [id, props] of resourcesOfType(template, 'AWS::Lambda::Function')) {
    const path = constructPath(template, id);
    const entry = ENTRIES.find(([re]) => re.test(path))?.[1];
    if (!entry) continue; // CDK's own helper functions (e.g. log retention) do not run locally
    functions[id] = entry;
    const vars = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(vars)) environment[k] = String(resolve(v, names));
  }
  delete environment.NODE_OPTIONS;
  environment.STATE_MACHINE_ARN = stateMachineArn;
  cached = {
    template,
    definition: synthesized.definition as unknown as AslDefinition,
    stateMachineArn,
    functions,
    environment,
    schedule: RECONCILER_SCHEDULE,
  };
  return cached;
}
