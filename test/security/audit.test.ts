/**
 * Rule 11: every change is an audit event, readable per guest — including when the process dies
 * between the guest write and the audit write (there are no transactions to make them one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { TestSystem, SPONSOR, GUEST } from '../support/local-system.ts';

const START = '2027-01-04T14:00:00.000Z';

let t: TestSystem;
let dynamo: DynamoDBClient;
beforeAll(async () => {
  t = await TestSystem.start({ clock: START });
  dynamo = new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
});
afterAll(async () => {
  dynamo.destroy();
  await t.stop();
});

const auditKey = (guestId: string, seq: number) => ({ pk: { S: `GUEST#${guestId}` }, sk: { S: `AUDIT#${String(seq).padStart(8, '0')}` } });

interface Event {
  seq: number;
  action: string;
  actor: string;
  at: string;
}

describe('audit trail', () => {
  it('every version of the guest has exactly one event, in order, with actor, action and time', async () => {
    // Prepare / Act: a request, its automatic approval and provisioning, an extension
    const res = await t.as(SPONSOR.huid, 'POST', '/v1/guests', { guestHuid: GUEST.huid, population: 'visiting-faculty', endDate: '2027-03-01' });
    const guestId = String(res.body.guestId);
    await t.advance('PT0S');
    const extended = await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}/extension`, { endDate: '2027-04-01' });
    expect(extended.status, JSON.stringify(extended.body)).toBe(200);

    // Assess
    const guest = await t.guest(SPONSOR.huid, guestId);
    const history = (await t.as<{ items: Event[] }>(SPONSOR.huid, 'GET', `/v1/guests/${guestId}/history`)).body.items;
    expect(history.map((e) => e.seq)).toEqual(Array.from({ length: Number(guest.version) }, (_, i) => i + 1));
    expect(history[0]).toMatchObject({ action: 'requested', actor: SPONSOR.huid });
    expect(history.at(-1)).toMatchObject({ action: 'extended', actor: SPONSOR.huid });
    for (const e of history) expect(Date.parse(e.at)).not.toBeNaN();
    expect(JSON.stringify(guest)).not.toContain('lastAudit');
  });

  it('an audit write lost after its guest write is still in the history, and is written again by the next change', async () => {
    // Prepare: a provisioned guest; then the last change's audit item disappears, as if the process
    // had died between the two writes
    const res = await t.as(SPONSOR.huid, 'POST', '/v1/guests', { guestHuid: '20000002', population: 'agency-temp', endDate: '2027-03-01' });
    const guestId = String(res.body.guestId);
    await t.advance('PT0S');
    const version = Number((await t.guest(SPONSOR.huid, guestId)).version);
    await dynamo.send(new DeleteItemCommand({ TableName: process.env.GUESTS_TABLE, Key: auditKey(guestId, version) }));

    // Act / Assess: the history still has it (from the guest item)
    let history = (await t.as<{ items: Event[] }>(SPONSOR.huid, 'GET', `/v1/guests/${guestId}/history`)).body.items;
    expect(history.map((e) => e.seq)).toEqual(Array.from({ length: version }, (_, i) => i + 1));

    // Act: the next change
    const cancelled = await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}/cancel`, {});
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);

    // Assess: the lost event is an item again, and the new one follows it
    const item = await dynamo.send(new GetItemCommand({ TableName: process.env.GUESTS_TABLE, Key: auditKey(guestId, version), ConsistentRead: true }));
    expect(item.Item).toBeDefined();
    history = (await t.as<{ items: Event[] }>(SPONSOR.huid, 'GET', `/v1/guests/${guestId}/history`)).body.items;
    expect(history.map((e) => e.seq)).toEqual(Array.from({ length: version + 1 }, (_, i) => i + 1));
    expect(history.at(-1)).toMatchObject({ action: 'cancelled', actor: SPONSOR.huid });
  });
});
