/**
 * Reads the synthesized CloudFormation template so the local system runs what is deployed: the
 * same state machine definitions, the same tables (keys and indexes), the same function
 * environments. CloudFormation references are resolved to local names by the one resolver here.
 */
export type CfnResource = { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> };
export type CfnTemplate = { Resources: Record<string, CfnResource> };

export const LOCAL_PARTITION = 'aws';
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
/** The stack name the local system synthesizes the app under (local/synth.ts). */
export const LOCAL_STACK_NAME = 'GuestAccounts';

/** Names a Ref (a resource's logical ID, or a pseudo parameter such as `AWS::Region`) or an Fn::GetAtt (with its attribute). */
export type Names = (logicalId: string, attribute?: string) => string;

/** The local ARN of the Lambda function with this logical ID (functions are named by logical ID locally). */
export function localFunctionArn(logicalId: string): string {
  return `arn:${LOCAL_PARTITION}:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}`;
}

/** The local ARN of the state machine with this name. */
export function localStateMachineArn(name: string): string {
  return `arn:${LOCAL_PARTITION}:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;
}

/** The logical ID of a local function's ARN (with or without a version or alias). */
export function functionLogicalId(functionArn: string): string | undefined {
  return /:function:([^:]+)/.exec(functionArn)?.[1];
}

/**
 * Local names: pseudo parameters are those of the local account and region (the stack name is the
 * one synthesized); a state machine is named by its StateMachineName (its logical ID without one),
 * a Lambda function by its logical ID and has a local ARN; tables, configuration sets, topics and
 * the rest are named by logical ID. A reference to a resource the template does not hold is an error.
 */
export function localNames(template: CfnTemplate, stackName: string = LOCAL_STACK_NAME): Names {
  const pseudo: Record<string, string> = {
    'AWS::Partition': LOCAL_PARTITION,
    'AWS::Region': LOCAL_REGION,
    'AWS::AccountId': LOCAL_ACCOUNT,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': stackName,
  };
  return (logicalId, attribute) => {
    if (attribute === undefined && Object.hasOwn(pseudo, logicalId)) return pseudo[logicalId]!;
    const resource = template.Resources[logicalId];
    if (!resource) throw new Error(`The template has no resource ${logicalId}`);
    switch (resource.Type) {
      case 'AWS::StepFunctions::StateMachine': {
        const name = String(resource.Properties?.StateMachineName ?? logicalId);
        return attribute === 'Name' ? name : localStateMachineArn(name);
      }
      case 'AWS::Lambda::Function':
        return attribute === 'Arn' ? localFunctionArn(logicalId) : logicalId;
      case 'AWS::DynamoDB::Table':
        return attribute === 'Arn' ? `arn:${LOCAL_PARTITION}:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${logicalId}` : logicalId;
      default:
        return logicalId;
    }
  };
}

/** Resolves Ref / Fn::GetAtt / Fn::Join / Fn::Sub / Fn::Select / Fn::Split with `names`; any other intrinsic is an error. */
export function resolve(value: unknown, names: Names): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, names));
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const [k] = keys as [string];
    const v = obj[k];
    if (k === 'Ref') return names(String(v));
    if (k === 'Fn::GetAtt') {
      const [id, attr] = Array.isArray(v) ? (v as string[]) : String(v).split('.');
      if (!id || !attr) throw new Error(`Bad Fn::GetAtt: ${JSON.stringify(v)}`);
      return names(String(id), String(attr));
    }
    if (k === 'Fn::Join') {
      if (!Array.isArray(v) || v.length !== 2 || !Array.isArray(v[1])) throw new Error(`Bad Fn::Join: ${JSON.stringify(v)}`);
      const [sep, parts] = v as [string, unknown[]];
      return parts.map((p) => String(resolve(p, names))).join(sep);
    }
    if (k === 'Fn::Sub') {
      const [text, vars] = (Array.isArray(v) ? v : [v, {}]) as [string, Record<string, unknown>];
      return text.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
        name in vars ? String(resolve(vars[name], names)) : String(resolve(name.includes('.') ? { 'Fn::GetAtt': name.split('.') } : { Ref: name }, names)),
      );
    }
    if (k === 'Fn::Select') {
      const [i, list] = v as [number, unknown];
      return (resolve(list, names) as unknown[])[Number(i)];
    }
    if (k === 'Fn::Split') {
      const [sep, s] = v as [string, unknown];
      return String(resolve(s, names)).split(sep);
    }
    if (k.startsWith('Fn::')) throw new Error(`Unsupported intrinsic ${k} (the local system resolves Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split)`);
  }
  return Object.fromEntries(keys.map((k) => [k, resolve(obj[k], names)]));
}

export function resourcesOfType(template: CfnTemplate, type: string): [string, Record<string, unknown>][] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}]);
}

/** The construct path CDK recorded for a resource (e.g. "GuestAccounts/Lifecycle/TaskFunction/Resource"). */
export function constructPath(template: CfnTemplate, logicalId: string): string {
  return String(template.Resources[logicalId]?.Metadata?.['aws:cdk:path'] ?? logicalId);
}
