/**
 * Audit items are written once and never changed. IAM cannot say "PutItem of new items only", and
 * the API and task functions need PutItem and UpdateItem on the guests table (guests, counters), so
 * the code carries the guarantee: every audit write is `attribute_not_exists(pk)` (writing the same
 * event again is a no-op), and nothing updates or deletes an AUDIT# item. Checked three ways:
 * against dynalite (an existing audit item is not replaced), over every DynamoDB call of a whole
 * lifecycle in the local system, and in the source.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDynalite } from '../../local/dynamo.ts';
import { AUDIT_PREFIX, DynamoGuestRepository } from '../../shared/guest/adapters/dynamo-guests.ts';
import type { AuditEvent } from '../../shared/guest/domain/model.ts';
import { TestSystem, DELEGATE, GUEST, SPONSOR } from '../support/local-system.ts';
import { PASSWORD } from '../support/sample.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ONLY_IF_NEW = 'attribute_not_exists(pk)';

describe('an audit item, once written', () => {
  let server: Server;
  let client: DynamoDBClient;
  let repo: DynamoGuestRepository;
  const event = (action: string): AuditEvent => ({ guestId: 'g-1', seq: 4, at: '2027-01-04T14:00:00.000Z', actor: '10000001', action, before: {}, after: {} });
  const stored = async () =>
    (await DynamoDBDocumentClient.from(client).send(new GetCommand({ TableName: 'guests', Key: { pk: 'GUEST#g-1', sk: `${AUDIT_PREFIX}00000004` }, ConsistentRead: true }))).Item;

  beforeAll(async () => {
    const dynamo = await startDynalite({});
    server = dynamo.server;
    client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await client.send(
      new CreateTableCommand({
        TableName: 'guests',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    repo = new DynamoGuestRepository(client, 'guests');
  });
  afterAll(async () => {
    client.destroy();
    await new Promise((r) => server.close(r));
  });

  it('is written again silently: the same event a second time succeeds and changes nothing', async () => {
    await repo.appendAudit([event('extended')]);
    const first = await stored();
    await expect(repo.appendAudit([event('extended')])).resolves.toBeUndefined();
    expect(await stored()).toEqual(first);
    expect(first).toMatchObject({ type: 'audit', action: 'extended', seq: 4 });
  });

  it('is never replaced: another event under the same key leaves the first one as it was', async () => {
    const before = await stored();
    await repo.appendAudit([event('rewritten-history')]);
    expect(await stored()).toEqual(before);
    expect((await repo.history('g-1')).map((e) => e.action)).toEqual(['extended']);
  });

  it('still reports a write that failed for another reason', async () => {
    const elsewhere = new DynamoGuestRepository(client, 'no-such-table');
    await expect(elsewhere.appendAudit([event('extended')])).rejects.toThrow();
  });
});

/** Every sort key in a command's input (document or low-level form), wherever it is (Item, Key, batches, transactions). */
function sortKeys(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) sortKeys(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'sk' && typeof v === 'string') out.push(v);
      else if (k === 'sk' && v && typeof v === 'object' && typeof (v as { S?: unknown }).S === 'string') out.push((v as { S: string }).S);
      else sortKeys(v, out);
    }
  }
  return out;
}

const READS = new Set(['GetCommand', 'GetItemCommand', 'QueryCommand', 'BatchGetCommand', 'BatchGetItemCommand']);
const PUTS = new Set(['PutCommand', 'PutItemCommand']);

describe('no code path updates or deletes an audit item', () => {
  const calls: { command: string; input: Record<string, unknown> }[] = [];
  let t: TestSystem;

  beforeAll(async () => {
    // Every DynamoDB call of every function running in this process (API, lifecycle tasks, reconciler).
    for (const proto of [DynamoDBDocumentClient.prototype, DynamoDBClient.prototype] as unknown as { send: (command: { input: unknown }) => unknown }[]) {
      const original = proto.send;
      vi.spyOn(proto, 'send').mockImplementation(function (this: unknown, command: { input: unknown }, ...rest: unknown[]) {
        calls.push({ command: command.constructor.name, input: structuredClone(command.input) as Record<string, unknown> });
        return (original as (...args: unknown[]) => unknown).call(this, command, ...rest);
      });
    }
    t = await TestSystem.start({ clock: '2027-01-04T14:00:00.000Z' });
  });
  afterAll(async () => {
    await t.stop();
    vi.restoreAllMocks();
  });

  it('over a whole lifecycle (request, approval, activation, resend, extension, cancel, notices, expiry, reconciler): audit writes are conditional Puts only', async () => {
    // Act: the sponsor's own request, provisioned at once
    const a = await t.as(SPONSOR.huid, 'POST', '/v1/guests', { guestHuid: GUEST.huid, population: 'visiting-faculty', endDate: '2027-02-15' });
    expect(a.status, JSON.stringify(a.body)).toBe(202);
    const guestA = String(a.body.guestId);
    await t.advance('PT0S');
    expect((await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestA}/activation/resend`)).status).toBe(200);
    await t.advance('PT0S');
    const mail = (await t.mailTo(GUEST.email)).at(-1)!;
    const accountId = /HMS account ID: ([a-z0-9]+)/.exec(mail.body.text!)![1];
    const code = /Activation code: ([A-Z0-9-]+)/.exec(mail.body.text!)![1];
    expect((await t.raw('POST', '/v1/activate', { accountId, code: 'WRONG-CODE-0000', password: PASSWORD })).status).toBeGreaterThanOrEqual(400);
    expect((await t.raw('POST', '/v1/activate', { accountId, code, password: PASSWORD })).status).toBe(200);
    expect((await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestA}/extension`, { endDate: '2027-02-20' })).status).toBe(200);

    // ...a delegate's request, approved, then cancelled
    const b = await t.as(DELEGATE.huid, 'POST', '/v1/guests', { guestHuid: '20000002', population: 'agency-temp', endDate: '2027-02-15', sponsorHuid: SPONSOR.huid });
    expect(b.status, JSON.stringify(b.body)).toBe(202);
    const guestB = String(b.body.guestId);
    await t.advance('PT0S');
    expect((await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestB}/decision`, { decision: 'approve' })).status).toBe(200);
    await t.advance('PT0S');
    expect((await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestB}/cancel`, {})).status).toBe(200);

    // ...notices, the expiry and the daily reconciler, then the history
    await t.advanceTo('2027-02-21T12:00:00Z');
    expect((await t.guest(SPONSOR.huid, guestA)).status).toBe('EXPIRED');
    const history = await t.as<{ items: AuditEvent[] }>(SPONSOR.huid, 'GET', `/v1/guests/${guestA}/history`);
    expect(history.body.items.length).toBeGreaterThan(10);

    // Assess
    const touchingAudit = calls.filter((c) => sortKeys(c.input).some((sk) => sk.startsWith(AUDIT_PREFIX)));
    const auditPuts = touchingAudit.filter((c) => PUTS.has(c.command));
    expect(auditPuts.length).toBeGreaterThanOrEqual(history.body.items.length);
    for (const c of auditPuts) {
      expect(c.input.ConditionExpression, JSON.stringify(c.input)).toBe(ONLY_IF_NEW);
      expect(c.input.ExpressionAttributeValues).toBeUndefined();
    }
    const others = touchingAudit.filter((c) => !PUTS.has(c.command) && !READS.has(c.command));
    expect(others.map((c) => c.command)).toEqual([]);
  });
});

describe('the source', () => {
  const files = ['shared', 'functions']
    .flatMap((dir) => readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true }).map((e) => join(e.parentPath, e.name)))
    .filter((f) => f.endsWith('.ts'));
  const WRITES = /new\s+(UpdateCommand|DeleteCommand|UpdateItemCommand|DeleteItemCommand|BatchWriteCommand|BatchWriteItemCommand|TransactWriteCommand|TransactWriteItemsCommand|ExecuteStatementCommand|BatchExecuteStatementCommand|ExecuteTransactionCommand)\s*\(/g;

  /** The argument text of the call whose `(` is at `open`. */
  function argumentsAt(text: string, open: number): string {
    let depth = 0;
    for (let i = open; i < text.length; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')' && --depth === 0) return text.slice(open + 1, i);
    }
    return text.slice(open + 1);
  }

  it('builds audit keys in one place only, for every table (the repositories\' shared module)', () => {
    const building = files.filter((f) => /['"`]AUDIT#/.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f));
    expect(building).toEqual(['shared/adapters/dynamo-records.ts']);
  });

  it('issues no update, delete, batch or transactional write, nor PartiQL, with an audit key', () => {
    let writes = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(WRITES)) {
        writes++;
        const args = argumentsAt(text, m.index + m[0].length - 1);
        expect(args, `${relative(ROOT, file)}: ${m[1]}`).not.toMatch(/AUDIT|auditKey|appendAudit/i);
      }
    }
    expect(writes).toBeGreaterThan(0); // the attempt counters' UpdateCommands are seen
  });
});
