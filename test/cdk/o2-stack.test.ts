/**
 * The O2 lifecycle's resources (issue 14) in the synthesized stack: the O2 table with the indexes of
 * shared/o2/adapters/o2-table.ts, the O2 state machine (named, traced, logged, alarmed), its task
 * function's least privilege and configuration, and the synthesized definition's callback steps,
 * retries and catches.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { flattenReference } from '../../infra/nag.ts';
import { O2_INDEXES } from '../../shared/o2/adapters/o2-table.ts';
import { stateMachinesFromTemplate } from '../../local/state-machines.ts';
import { localFunctionArn, localNames, type CfnTemplate } from '../../local/template.ts';
import { O2_CALLBACK_STEPS, O2_STATE } from '../../workflows/o2.ts';
import { STACK_NAME, template, type AslState } from './synth.ts';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
const resources = (type: string) => template.findResources(type) as Record<string, Resource>;
const O2_STATE_MACHINE = `${STACK_NAME}-O2Lifecycle`;

/** `{StorageO2Table}/index/byDue`, `states:stateMachine:GuestAccounts-O2Lifecycle` (as test/cdk/iam.test.ts names them). */
function arnName(resource: unknown): string {
  return flattenReference(resource)
    .replace(/<([A-Za-z0-9]+?)[0-9A-F]{8}\.Arn>/g, '{$1}')
    .replace(/^arn:<AWS::Partition>:([a-z0-9-]+):(?:<AWS::Region>|[a-z]{2}(?:-[a-z]+)+-\d):<AWS::AccountId>:/, '$1:')
    .replace(/<([A-Za-z0-9]+?)[0-9A-F]{8}>/g, '{$1}');
}

function functionOf(description: RegExp): Resource & { Metadata?: Record<string, unknown> } {
  const fns = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp(description.source) } }));
  expect(fns).toHaveLength(1);
  return fns[0] as Resource;
}

/** Every "action on resource" the function's role allows for DynamoDB, SES, Step Functions and Secrets Manager. */
function grantsOf(description: RegExp): string[] {
  const roleId = (functionOf(description).Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return Object.values(resources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
    .flatMap((s) => [s.Action].flat().filter((a) => /^(dynamodb|ses|states|secretsmanager):/.test(a)).flatMap((a) => [s.Resource].flat().map((r) => `${a} on ${arnName(r)}`)))
    .sort();
}

const machine = () => {
  const json = template.toJSON() as CfnTemplate;
  const m = stateMachinesFromTemplate(json, localNames(json, STACK_NAME)).find((x) => x.name === O2_STATE_MACHINE);
  if (!m) throw new Error(`No state machine ${O2_STATE_MACHINE}`);
  return m;
};
const states = () => machine().definition.States as unknown as Record<string, AslState>;

describe('the O2 table', () => {
  it('pk/sk, on demand, PITR, deletion protection, encrypted and retained, as the guests table', () => {
    const tables = Object.entries(resources('AWS::DynamoDB::Table')).filter(([id]) => id.startsWith('StorageO2Table'));
    expect(tables).toHaveLength(1);
    expect(tables[0]![1]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      },
    });
  });

  it('has exactly the indexes of shared/o2/adapters/o2-table.ts, each projecting every attribute', () => {
    const [, table] = Object.entries(resources('AWS::DynamoDB::Table')).find(([id]) => id.startsWith('StorageO2Table'))!;
    const indexes = table.Properties.GlobalSecondaryIndexes as { IndexName: string; KeySchema: { AttributeName: string; KeyType: string }[]; Projection: unknown }[];
    expect(indexes.map((i) => i.IndexName).sort()).toEqual(Object.values(O2_INDEXES).map((i) => i.name).sort());
    for (const spec of Object.values(O2_INDEXES)) {
      expect(indexes.find((i) => i.IndexName === spec.name)).toEqual({
        IndexName: spec.name,
        KeySchema: [
          { AttributeName: spec.partitionKey, KeyType: 'HASH' },
          { AttributeName: spec.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      });
    }
  });
});

describe('the O2 lifecycle state machine', () => {
  it('is a named STANDARD state machine, traced, logging ALL without execution data, to a log group of its own', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: O2_STATE_MACHINE,
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/aws/vendedlogs/states/${O2_STATE_MACHINE}`, RetentionInDays: 30 });
  });

  it('is alarmed on failed and timed-out executions', () => {
    const alarms = Object.values(resources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      const o2 = alarms.filter((a) => a.Namespace === 'AWS/States' && a.MetricName === metric && JSON.stringify(a.Dimensions).includes(machine().logicalId));
      expect(o2, metric).toHaveLength(1);
    }
  });

  it('runs every task on the O2 task function (functions/o2-task.ts), and only there', () => {
    const m = machine();
    expect(m.functions).toHaveLength(1);
    const fn = template.toJSON().Resources[m.functions[0]!] as Resource & { Metadata: Record<string, unknown> };
    expect(fn.Metadata['hms:entry']).toBe('functions/o2-task.ts');
    expect(fn.Properties).toMatchObject({ Description: 'O2 lifecycle: every task of its state machine', Timeout: 60 });
  });

  it('waits on task tokens with a timeout from the state and a catch on States.Timeout; every task retries with backoff and is caught into RecordO2Failure', () => {
    const all = states();
    const taskArn = localFunctionArn(machine().functions[0]!);
    for (const [name, step] of Object.entries(O2_CALLBACK_STEPS)) {
      const s = all[name]!;
      expect(s.Resource, name).toContain('lambda:invoke.waitForTaskToken');
      expect(s.Parameters, name).toMatchObject({ FunctionName: taskArn, Payload: { task: 'awaitStep', step, 'taskToken.$': '$$.Task.Token' } });
      expect(s.TimeoutSecondsPath, name).toMatch(/^\$\.(hms|lab|rcCore)\./);
      expect(s.Catch?.map((c) => c.ErrorEquals[0]), name).toEqual(['States.Timeout', 'States.ALL']);
      expect(s.Catch?.[1]?.Next, name).toBe(O2_STATE.RecordO2Failure);
    }
    const lambdaTasks = Object.entries(all).filter(([n, st]) => st.Type === 'Task' && st.Resource === taskArn && n !== O2_STATE.RecordO2Failure);
    expect(lambdaTasks.length).toBe(8);
    for (const [name, s] of lambdaTasks) {
      expect(s.Retry?.some((r) => r.ErrorEquals.includes('States.TaskFailed') && r.MaxAttempts === 6 && r.BackoffRate === 2), name).toBe(true);
      expect(s.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'))?.Next, name).toBe(O2_STATE.RecordO2Failure);
    }
    expect(all[O2_STATE.RequestPiApproval]!.Catch![0]!.Next).toBe(O2_STATE.RemindPiApproval);
    expect(all[O2_STATE.RemindPiApproval]!.Catch![0]!.Next).toBe(O2_STATE.ExpirePiApproval);
    expect(all[O2_STATE.WaitForLabRegistration]!.Catch![0]!.Next).toBe(O2_STATE.LabRegistrationDue);
    expect(all[O2_STATE.WaitForRcCore]!.Catch![0]!.Next).toBe(O2_STATE.RcCoreDue);
    expect(all[O2_STATE.WaitForHmsAccount]!.Catch![0]!.Next).toBe(O2_STATE.CheckHmsAccount);
  });

  it('continues as new by starting an execution of itself, by name', () => {
    const all = states();
    for (const name of [O2_STATE.ContinueFromHmsCheck, O2_STATE.ContinueFromRcCore, O2_STATE.ContinueO2Schedule]) {
      expect(all[name]!.Resource, name).toMatch(/:states:::states:startExecution$/);
      expect(all[name]!.Parameters, name).toMatchObject({ StateMachineArn: machine().arn });
    }
  });
});

describe('least privilege of the O2 lifecycle', () => {
  const O2 = '{StorageO2Table}';
  const O2_SM = `states:stateMachine:${O2_STATE_MACHINE}`;
  const SCIM_TOKEN = ['secretsmanager:DescribeSecret on {AccountDirectoryScimToken}', 'secretsmanager:GetSecretValue on {AccountDirectoryScimToken}'];

  it('its task function: O2 items Get/Put (no Query, no index, no Scan), the guest account it rests on and people (GetItem), SendEmail, SendTaskSuccess on its own state machine, the directory token', () => {
    expect(grantsOf(/O2 lifecycle/)).toEqual(
      [
        `dynamodb:GetItem on ${O2}`,
        `dynamodb:PutItem on ${O2}`,
        'dynamodb:GetItem on {StorageGuestsTable}',
        'dynamodb:GetItem on {StorageDirectoryTable}',
        'ses:SendEmail on ses:configuration-set/{MailConfigurationSet}',
        'ses:SendEmail on ses:identity/{MailSenderIdentity}',
        // The send-rate limiter's counters (shared/adapters/send-rate.ts).
        'dynamodb:UpdateItem on {MailSendRateTable}',
        `states:SendTaskSuccess on ${O2_SM}`,
        ...SCIM_TOKEN,
      ].sort(),
    );
  });

  it('nobody may Scan or delete in the O2 table, or query its indexes by wildcard: every index grant names one index of o2-table.ts', () => {
    const names = new Set(Object.values(O2_INDEXES).map((i) => i.name));
    for (const description of [/HTTP API/, /Step Functions task/, /reconciler/, /O2 lifecycle/]) {
      for (const g of grantsOf(description).filter((x) => x.includes(O2))) {
        expect(g).not.toMatch(/^dynamodb:(Scan|DeleteItem|BatchWriteItem|TransactWriteItems|UpdateItem)\b/);
        const index = /\/index\/(.+)$/.exec(g)?.[1];
        if (index) expect(names, g).toContain(index);
      }
    }
    // The reconciler reads byDue only; the API the four lists; the tasks none.
    expect(grantsOf(/reconciler/).filter((g) => g.includes('/index/') && g.includes(O2))).toEqual([`dynamodb:Query on ${O2}/index/byDue`]);
    expect(grantsOf(/HTTP API/).filter((g) => g.includes('/index/') && g.includes(O2))).toEqual(['byLab', 'byPi', 'byQueue', 'byUser', 'byWord'].map((i) => `dynamodb:Query on ${O2}/index/${i}`));
  });

  it('O2_TABLE and O2_STATE_MACHINE_ARN are set on exactly the functions bound to them (the API, the O2 tasks, the guest lifecycle tasks, the reconciler), naming the table and this state machine', () => {
    const fns = Object.values(resources('AWS::Lambda::Function')).filter((f) => (f as { Metadata?: Record<string, unknown> }).Metadata?.['hms:entry']);
    const withO2 = fns.filter((f) => 'O2_TABLE' in ((f.Properties.Environment as { Variables: Record<string, unknown> }).Variables ?? {}));
    expect(withO2.map((f) => f.Properties.Description).sort()).toEqual([
      functionOf(/HTTP API/).Properties.Description,
      functionOf(/O2 lifecycle/).Properties.Description,
      functionOf(/Guest lifecycle/).Properties.Description,
      functionOf(/reconciler/).Properties.Description,
    ].sort());
    for (const f of withO2) {
      const vars = (f.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(vars.O2_TABLE).toEqual({ Ref: expect.stringMatching(/^StorageO2Table/) });
      expect(JSON.stringify(vars.O2_STATE_MACHINE_ARN)).toContain(`:stateMachine:${O2_STATE_MACHINE}`);
    }
  });
});
