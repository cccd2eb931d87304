/**
 * Reads the synthesized CloudFormation template so the local system runs what is deployed: the
 * same state machine definition, the same tables (keys and indexes), the same function
 * environment. CloudFormation references are resolved to local names.
 */
export type CfnTemplate = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }> };

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

/** Resolves Ref / Fn::GetAtt / Fn::Join / Fn::Sub / pseudo parameters to local values. */
export function resolve(value: unknown, names: (logicalId: string, attribute?: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, names));
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const [k] = keys as [string];
    const v = obj[k];
    if (k === 'Ref') {
      const ref = String(v);
      if (ref === 'AWS::Partition') return 'aws';
      if (ref === 'AWS::Region') return LOCAL_REGION;
      if (ref === 'AWS::AccountId') return LOCAL_ACCOUNT;
      if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
      if (ref === 'AWS::StackName') return 'GuestAccounts';
      return names(ref);
    }
    if (k === 'Fn::GetAtt') {
      const [id, attr] = Array.isArray(v) ? (v as string[]) : String(v).split('.');
      return names(String(id), String(attr));
    }
    if (k === 'Fn::Join') {
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
