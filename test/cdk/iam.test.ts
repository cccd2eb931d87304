/**
 * Least privilege: each function's role allows exactly the DynamoDB, SES and Step Functions calls
 * its code makes, each on exactly the resource it makes it on (tables, indexes, identity,
 * configuration set, state machine, executions). Logs, X-Ray and the reconciler's DLQ are covered
 * in stack.test.ts.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { flattenReference } from '../../infra/nag.ts';
import { template } from './synth.ts';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Resource = { Type: string; Properties: Record<string, unknown> };

/** A readable name for a resolved ARN: `{StorageGuestsTable}/index/byDue`, `states:execution:GuestAccounts-GuestLifecycle:*`. */
function arnName(resource: unknown): string {
  return flattenReference(resource)
    .replace(/<([A-Za-z0-9]+?)[0-9A-F]{8}\.Arn>/g, '{$1}')
    // The stack's region is explicit (its edge stack is referenced across regions): literal in its ARNs.
    .replace(/^arn:<AWS::Partition>:([a-z0-9-]+):(?:<AWS::Region>|[a-z]{2}(?:-[a-z]+)+-\d):<AWS::AccountId>:/, '$1:')
    .replace(/<([A-Za-z0-9]+?)[0-9A-F]{8}>/g, '{$1}');
}

/** The role of the function whose description matches, and every "action on resource" its policies allow for these services. */
function grantsOf(description: RegExp): string[] {
  const functions = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp(description.source) } });
  const fns = Object.values(functions) as Resource[];
  expect(fns).toHaveLength(1);
  const roleId = (fns[0]!.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
  const statements = policies
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  const out: string[] = [];
  for (const s of statements) {
    expect(s.Effect).toBe('Allow');
    for (const action of [s.Action].flat()) {
      if (!/^(dynamodb|ses|states|secretsmanager):/.test(action)) continue;
      for (const resource of [s.Resource].flat()) out.push(`${action} on ${arnName(resource)}`);
    }
  }
  return out.sort();
}

const GUESTS = '{StorageGuestsTable}';
const STATE_MACHINE = 'states:stateMachine:GuestAccounts-GuestLifecycle';
const EXECUTIONS = 'states:execution:GuestAccounts-GuestLifecycle:*';
const O2 = '{StorageO2Table}';
const O2_STATE_MACHINE = 'states:stateMachine:GuestAccounts-O2Lifecycle';
const O2_EXECUTIONS = 'states:execution:GuestAccounts-O2Lifecycle:*';
/** The send-rate limiter's counters (shared/adapters/send-rate.ts): a conditional ADD, by every function that sends email. */
const SEND_RATE = 'dynamodb:UpdateItem on {MailSendRateTable}';
const SES = ['ses:configuration-set/{MailConfigurationSet}', 'ses:identity/{MailSenderIdentity}'];
/** The account directory's bearer token: read (GetSecretValue, DescribeSecret) on that one secret, by each function that calls the directory. */
const SCIM_TOKEN = ['secretsmanager:DescribeSecret on {AccountDirectoryScimToken}', 'secretsmanager:GetSecretValue on {AccountDirectoryScimToken}'];

describe('least privilege: exact DynamoDB, SES and Step Functions grants per function', () => {
  it('API: guests Get/Put/Update/Query, bySponsor and byStatus only, directory GetItem, idempotency records, SendEmail, start/resume/stop, describe with history (HMS IT)', () => {
    expect(grantsOf(/HTTP API/)).toEqual(
      [
        `dynamodb:GetItem on ${GUESTS}`,
        `dynamodb:PutItem on ${GUESTS}`,
        `dynamodb:UpdateItem on ${GUESTS}`,
        `dynamodb:Query on ${GUESTS}`,
        `dynamodb:Query on ${GUESTS}/index/bySponsor`,
        `dynamodb:Query on ${GUESTS}/index/byStatus`,
        'dynamodb:GetItem on {StorageDirectoryTable}',
        'dynamodb:GetItem on {StorageIdempotencyTable}',
        'dynamodb:PutItem on {StorageIdempotencyTable}',
        'dynamodb:UpdateItem on {StorageIdempotencyTable}',
        'dynamodb:DeleteItem on {StorageIdempotencyTable}',
        ...SES.map((r) => `ses:SendEmail on ${r}`),
        SEND_RATE,
        `states:StartExecution on ${STATE_MACHINE}`,
        `states:SendTaskSuccess on ${STATE_MACHINE}`,
        `states:StopExecution on ${EXECUTIONS}`,
        `states:DescribeExecution on ${EXECUTIONS}`,
        `states:GetExecutionHistory on ${EXECUTIONS}`,
        // Labs and O2 accounts (shared/o2/app/o2.ts): items, a record's history, the lists' indexes; start, wake and stop O2 lifecycles.
        `dynamodb:GetItem on ${O2}`,
        `dynamodb:PutItem on ${O2}`,
        `dynamodb:Query on ${O2}`,
        `dynamodb:Query on ${O2}/index/byPi`,
        `dynamodb:Query on ${O2}/index/byUser`,
        `dynamodb:Query on ${O2}/index/byQueue`,
        `dynamodb:Query on ${O2}/index/byLab`,
        `dynamodb:Query on ${O2}/index/byWord`,
        `states:StartExecution on ${O2_STATE_MACHINE}`,
        `states:SendTaskSuccess on ${O2_STATE_MACHINE}`,
        `states:StopExecution on ${O2_EXECUTIONS}`,
        ...SCIM_TOKEN,
      ].sort(),
    );
  });

  it('lifecycle tasks: guests Get/BatchGet/Put (no Update, no Query, no index), directory GetItem, SendEmail, SendTaskSuccess; and, for the one door between the lifecycles (the guest lifecycle’s events, delivered in process to the O2 subscriber), the O2 account a guest rests under Get/Put, its execution woken, or replaced when the guest account ends', () => {
    expect(grantsOf(/Step Functions task/)).toEqual(
      [
        `dynamodb:GetItem on ${GUESTS}`,
        `dynamodb:BatchGetItem on ${GUESTS}`,
        `dynamodb:PutItem on ${GUESTS}`,
        'dynamodb:GetItem on {StorageDirectoryTable}',
        ...SES.map((r) => `ses:SendEmail on ${r}`),
        SEND_RATE,
        `states:SendTaskSuccess on ${STATE_MACHINE}`,
        `dynamodb:GetItem on ${O2}`,
        `dynamodb:PutItem on ${O2}`,
        `states:SendTaskSuccess on ${O2_STATE_MACHINE}`,
        `states:StartExecution on ${O2_STATE_MACHINE}`,
        `states:StopExecution on ${O2_EXECUTIONS}`,
        ...SCIM_TOKEN,
      ].sort(),
    );
  });

  it('reconciler: guests and O2 accounts Get/PutItem, their byDue Query, start/describe/stop of both lifecycles, the account directory\'s token; no people directory, no email', () => {
    expect(grantsOf(/reconciler/)).toEqual(
      [
        `dynamodb:GetItem on ${GUESTS}`,
        `dynamodb:PutItem on ${GUESTS}`,
        `dynamodb:Query on ${GUESTS}/index/byDue`,
        `states:StartExecution on ${STATE_MACHINE}`,
        `states:DescribeExecution on ${EXECUTIONS}`,
        `states:StopExecution on ${EXECUTIONS}`,
        `dynamodb:GetItem on ${O2}`,
        `dynamodb:PutItem on ${O2}`,
        `dynamodb:Query on ${O2}/index/byDue`,
        `states:StartExecution on ${O2_STATE_MACHINE}`,
        `states:DescribeExecution on ${O2_EXECUTIONS}`,
        `states:StopExecution on ${O2_EXECUTIONS}`,
        ...SCIM_TOKEN,
      ].sort(),
    );
  });

  it("the account directory's token is read by exactly the four functions that call the directory, and by nothing else", () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
    const readers = policies.filter((p) =>
      (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement.some((s) => [s.Action].flat().some((a) => a.startsWith('secretsmanager:'))),
    );
    expect(readers).toHaveLength(4);
    for (const p of readers) {
      for (const s of (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement.filter((x) => [x.Action].flat().some((a) => a.startsWith('secretsmanager:')))) {
        expect([s.Action].flat().sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
        expect(arnName(s.Resource)).toBe('{AccountDirectoryScimToken}');
      }
    }
  });

  it('no function may Scan, delete guests, write in batches or transactions, or touch an index by wildcard', () => {
    for (const description of [/HTTP API/, /Step Functions task/, /reconciler/, /O2 lifecycle/]) {
      const grants = grantsOf(description);
      expect(grants.length).toBeGreaterThan(0);
      for (const g of grants) {
        expect(g).not.toMatch(/^dynamodb:(Scan|BatchWriteItem|TransactWriteItems|TransactGetItems|ConditionCheckItem|DescribeTable|PartiQL\w*)\b/);
        expect(g).not.toMatch(new RegExp(`^dynamodb:DeleteItem on \\{Storage(Guests|O2)Table\\}`));
        expect(g).not.toContain('/index/*');
        expect(g).not.toMatch(/ on \*$/);
      }
    }
  });
});

describe('least privilege: the site', () => {
  it("the pages' deployment (BucketDeployment's function): reads its two assets, lists and writes the site bucket, writes its log group; nothing else, no managed policy", () => {
    // Prepare: the role of the function behind the deployments, and every statement of its policies
    const fns = Object.values(template.findResources('AWS::Lambda::Function')) as (Resource & { Metadata?: Record<string, unknown> })[];
    const deployment = fns.filter((f) => f.Metadata?.['hms:entry'] === undefined);
    expect(deployment).toHaveLength(1);
    const roleId = (deployment[0]!.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = (Object.values(template.findResources('AWS::IAM::Policy')) as Resource[])
      .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);

    // Act
    const grants = statements.flatMap((st) => [st.Action].flat().flatMap((a) => [st.Resource].flat().map((r) => `${a} on ${arnName(r).replace(/\/[0-9a-f]{64}\.zip$/, '/<asset>.zip')}`))).sort();

    // Assess
    expect(template.findResources('AWS::IAM::Role')[roleId]!.Properties.ManagedPolicyArns).toBeUndefined();
    expect(grants).toEqual(
      [
        'logs:CreateLogStream on {WebDeploymentLogs}',
        'logs:PutLogEvents on {WebDeploymentLogs}',
        's3:GetObject on arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-us-east-1/<asset>.zip',
        's3:GetObject on arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-us-east-1/<asset>.zip',
        's3:ListBucket on {WebSiteBucket}',
        's3:PutObject on {WebSiteBucket}/*',
      ].sort(),
    );
  });
});
