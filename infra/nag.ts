/**
 * Acknowledging cdk-nag (v3) findings on the narrowest construct, each with a reason. cdk-nag 3
 * reads CDK's `Validations.of(construct).acknowledge(...)`; a rule reporting several findings
 * (AwsSolutions-IAM5) needs each finding acknowledged as `RuleId[Finding]`.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Flattens a resolved CloudFormation value the way cdk-nag prints it (`<Logical.Arn>`, `<AWS::Region>`). */
export function flattenReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o['Fn::Join'])) {
      const [sep, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(flattenReference).join(sep);
    }
    if ('Fn::Sub' in o) return flattenReference(o['Fn::Sub']);
    if (Array.isArray(o['Fn::GetAtt'])) {
      const [res, attr] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenReference(res)}.${flattenReference(attr)}>`;
    }
    if ('Fn::ImportValue' in o) return flattenReference(o['Fn::ImportValue']);
    if ('Ref' in o) return `<${flattenReference(o.Ref)}>`;
  }
  return JSON.stringify(value);
}

/** Acknowledges one rule (or one `RuleId[Finding]`) on a construct and everything under it. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Acknowledges AwsSolutions-IAM5 for one wildcard resource (an ARN, tokens allowed, e.g.
 * `${table.tableArn}/index/*`) in the policies under `scope`.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const flat = flattenReference(Stack.of(scope).resolve(resource));
  acknowledge(scope, `AwsSolutions-IAM5[Resource::${flat}]`, reason);
}

/** Acknowledges AwsSolutions-IAM5 for one wildcard action (e.g. `logs:*`) in the policies under `scope`. */
export function acknowledgeWildcardAction(scope: IConstruct, action: string, reason: string): void {
  acknowledge(scope, `AwsSolutions-IAM5[Action::${action}]`, reason);
}
