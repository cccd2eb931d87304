/**
 * Turns the state machine definition in a synthesized CloudFormation template (an `Fn::Join` of
 * strings and intrinsics) into plain ASL JSON with deterministic, real-looking ARNs, so that the
 * SYNTHESIZED definition can run in a local Step Functions emulator (tests and `npm start`).
 *
 * No CDK imports: it works on the template JSON only.
 */

export const LOCAL_PARTITION = 'aws';
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
}

export interface SynthesizedDefinition {
  /** The parsed ASL definition. */
  readonly definition: Record<string, unknown>;
  /** Logical ID of the Lambda function every Lambda task invokes. */
  readonly taskFunctionLogicalId: string;
  /** What each referenced logical ID (or pseudo parameter) was replaced with. */
  readonly resources: Record<string, string>;
  /** Logical ID of the state machine resource in the template. */
  readonly stateMachineLogicalId: string;
}

export interface ResolveOptions {
  readonly partition?: string;
  readonly region?: string;
  readonly account?: string;
}

/** The local ARN a Lambda function with this logical ID gets. */
export function localFunctionArn(logicalId: string, opts: ResolveOptions = {}): string {
  const { partition = LOCAL_PARTITION, region = LOCAL_REGION, account = LOCAL_ACCOUNT } = opts;
  return `arn:${partition}:lambda:${region}:${account}:function:${logicalId}`;
}

/** Resolves `Ref`, `Fn::GetAtt` and `Fn::Join` (recursively) to a string. */
export function resolveIntrinsic(
  value: unknown,
  template: CfnTemplate,
  opts: ResolveOptions = {},
  seen: Record<string, string> = {},
): string {
  const { partition = LOCAL_PARTITION, region = LOCAL_REGION, account = LOCAL_ACCOUNT } = opts;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`Cannot resolve ${JSON.stringify(value)}`);
  }
  const keys = Object.keys(value);
  if (keys.length !== 1) throw new Error(`Not an intrinsic: ${JSON.stringify(value)}`);
  const key = keys[0]!;
  const arg = (value as Record<string, unknown>)[key];
  const record = (id: string, resolved: string): string => {
    seen[id] = resolved;
    return resolved;
  };
  switch (key) {
    case 'Ref': {
      const id = String(arg);
      switch (id) {
        case 'AWS::Partition':
          return record(id, partition);
        case 'AWS::Region':
          return record(id, region);
        case 'AWS::AccountId':
          return record(id, account);
        case 'AWS::URLSuffix':
          return record(id, 'amazonaws.com');
        case 'AWS::StackName':
          return record(id, 'local');
        default:
          return record(id, id);
      }
    }
    case 'Fn::GetAtt': {
      const [id, attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
      if (!id || !attr) throw new Error(`Bad Fn::GetAtt: ${JSON.stringify(arg)}`);
      if (attr !== 'Arn') return record(`${id}.${attr}`, `${id}.${attr}`);
      const type = template.Resources[id]?.Type;
      if (type === 'AWS::StepFunctions::StateMachine') {
        return record(id, `arn:${partition}:states:${region}:${account}:stateMachine:${id}`);
      }
      return record(id, localFunctionArn(id, opts));
    }
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2 || !Array.isArray(arg[1])) {
        throw new Error(`Bad Fn::Join: ${JSON.stringify(arg)}`);
      }
      const [sep, parts] = arg as [string, unknown[]];
      return parts.map((p) => resolveIntrinsic(p, template, opts, seen)).join(sep);
    }
    default:
      throw new Error(`Unsupported intrinsic ${key} in the state machine definition`);
  }
}

/** Finds the (single) state machine in a template and resolves its definition into ASL JSON. */
export function definitionFromTemplate(template: CfnTemplate, opts: ResolveOptions = {}): SynthesizedDefinition {
  const machines = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`Expected one state machine in the template, found ${machines.length}`);
  const [stateMachineLogicalId, machine] = machines[0]!;
  const props = machine.Properties ?? {};
  const resources: Record<string, string> = {};
  let text: string;
  if (props.DefinitionString !== undefined) {
    text = resolveIntrinsic(props.DefinitionString, template, opts, resources);
  } else if (props.Definition !== undefined) {
    text = JSON.stringify(props.Definition);
  } else {
    throw new Error('The state machine has no DefinitionString');
  }
  const definition = JSON.parse(text) as Record<string, unknown>;

  const functionIds = Object.keys(resources).filter((id) => template.Resources[id]?.Type === 'AWS::Lambda::Function');
  if (functionIds.length !== 1) {
    throw new Error(`Expected the definition to reference one Lambda function, found ${functionIds.join(', ') || 'none'}`);
  }
  return { definition, taskFunctionLogicalId: functionIds[0]!, resources, stateMachineLogicalId };
}
