/**
 * The O2 lifecycle in the local system (`npm start`), with no O2-specific code in local/: the
 * template's second state machine runs in the local Step Functions service, its task function found
 * from its `hms:entry` metadata, the O2 table made from the template with its indexes, and the
 * functions' O2 variables (the API's included) in the local environment. An O2 account written
 * through the real adapter, its execution started over the Step Functions API, reaches the PI's
 * approval with the email in the local mailbox.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesizeForLocal } from '../../local/synth.ts';
import { tablesFromTemplate } from '../../local/dynamo.ts';
import { startLocalSystem, type LocalSystem } from '../../local/system.ts';
import { DynamoO2Repository } from '../../shared/o2/adapters/dynamo-o2.ts';
import { O2_INDEXES } from '../../shared/o2/adapters/o2-table.ts';
import { o2ExecutionInput, o2ExecutionName } from '../../shared/o2/app/contract.ts';
import { ENV } from '../../shared/config.ts';
import { quadStanding } from '../../shared/o2/domain/rules.ts';
import type { Lab, O2Account } from '../../shared/o2/domain/model.ts';
import { SAMPLE_DIRECTORY } from '../../local/sample-data.ts';

const START = '2027-01-04T14:00:00.000Z';
let sys: LocalSystem | undefined;
const dirs: string[] = [];
afterAll(async () => {
  await sys?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the O2 lifecycle in the local system', () => {
  it('is read from the template: its state machine, its task function (functions/o2-task.ts), the O2 table with its indexes, the O2 variables of the API', async () => {
    // Act
    const deployment = await synthesizeForLocal({ cache: false });

    // Assess
    const o2 = deployment.stateMachines.find((m) => m.name.endsWith('-O2Lifecycle'));
    expect(o2).toBeDefined();
    expect(o2!.functions.map((id) => deployment.functions[id]!.entry)).toEqual(['functions/o2-task.ts']);
    const api = deployment.functions[deployment.apiFunction!]!;
    expect(api.environment[ENV.o2Table]).toBe(deployment.environment[ENV.o2Table]);
    expect(api.environment[ENV.o2StateMachineArn]).toBe(o2!.arn);
    const table = tablesFromTemplate(deployment.template).find((t) => t.TableName === deployment.environment[ENV.o2Table]);
    expect(table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(Object.values(O2_INDEXES).map((i) => i.name).sort());
  });

  it('runs an O2 execution on the local clock: the task function reads the account, stores its token and emails the PI', async () => {
    // Prepare: the local system on a frozen clock; a lab of an on-Quad PI and a user's request, written through the adapter
    const dataDir = mkdtempSync(join(tmpdir(), 'hms-o2-local-'));
    dirs.push(dataDir);
    sys = await startLocalSystem({ apiPort: 0, mailPort: 0, scimPort: 0, dataDir, clock: START, pages: false });
    const repo = new DynamoO2Repository(new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB }), process.env[ENV.o2Table]!);
    const pi = SAMPLE_DIRECTORY.people.find((p) => p.appointments?.some((a) => a.quad))!;
    const user = SAMPLE_DIRECTORY.people.find((p) => p.hmsAccountId && !p.appointments && !p.groups)!;
    const lab: Lab = { labId: 'lab-local', name: 'Local Lab', piHuid: pi.huid, institution: 'HMS', quad: quadStanding('HMS', pi), registration: { status: 'not-required' }, createdBy: pi.huid, createdAt: START, updatedAt: START, version: 1 };
    const o2: O2Account = {
      o2AccountId: 'o2-local-1',
      status: 'PENDING_PI_APPROVAL',
      userHuid: user.huid,
      userName: user.name,
      userEmail: user.email,
      piHuid: pi.huid,
      labId: lab.labId,
      labPiHuid: pi.huid,
      requestedBy: user.huid,
      accountId: user.hmsAccountId,
      quad: lab.quad,
      approvalRequestedAt: START,
      execution: { name: o2ExecutionName('o2-local-1', 1), generation: 1 },
      createdAt: START,
      updatedAt: START,
      version: 1,
    };
    await repo.createLab(lab);
    await repo.create(o2);

    // Act: start its execution over the Step Functions API, as the API does
    const client = new SFNClient({ endpoint: process.env.AWS_ENDPOINT_URL_SFN, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const arn = process.env[ENV.o2StateMachineArn]!;
    await client.send(new StartExecutionCommand({ stateMachineArn: arn, name: o2.execution!.name, input: JSON.stringify(o2ExecutionInput(o2.o2AccountId)) }));
    await sys.clock.advanceBy(0);

    // Assess: waiting for the PI, the token on the account, the approval email sent
    const execution = sys.sfn.describeExecution(sys.sfn.executionArn(arn, o2.execution!.name));
    expect(execution).toMatchObject({ status: 'RUNNING', checkpoint: { state: 'RequestPiApproval' } });
    expect(await repo.get(o2.o2AccountId)).toMatchObject({ waitingFor: 'approval', sent: ['approval-request'] });
    const store = (await fetch(`${sys.mailUrl}/store`).then((r) => r.json())) as { emails: { subject: string; destination: { to: string[] } }[] };
    expect(store.emails.filter((m) => m.destination.to.includes(pi.email)).map((m) => m.subject)).toEqual([`Approve the O2 account of ${user.name}`]);
  }, 120_000);
});
