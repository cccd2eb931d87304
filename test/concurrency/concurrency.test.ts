/** Concurrency and idempotency through the local API: conditional writes on a version, and Idempotency-Key. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSystem, SPONSOR, DELEGATE, GUEST } from '../support/local-system.ts';

let t: TestSystem;
beforeAll(async () => {
  t = await TestSystem.start({ clock: '2027-01-04T14:00:00.000Z' });
});
afterAll(async () => {
  await t.stop();
});

async function delegateRequest(): Promise<string> {
  const res = await t.as(DELEGATE.huid, 'POST', '/v1/guests', { guestHuid: GUEST.huid, population: 'agency-temp', endDate: '2027-06-30', sponsorHuid: SPONSOR.huid });
  expect(res.status).toBe(202);
  await t.advance('PT0S');
  return String(res.body.guestId);
}

describe('concurrent writes on one guest', () => {
  it('50 concurrent decisions: exactly one wins, the rest get 409, one audit event', async () => {
    // Prepare
    const guestId = await delegateRequest();
    const token = await t.token(SPONSOR.huid);
    // Act
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.raw('POST', `/v1/guests/${guestId}/decision`, { decision: i % 2 ? 'approve' : 'deny' }, { authorization: `Bearer ${token}` }),
      ),
    );
    await t.advance('PT0S');
    // Assess
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const history = (await t.as(SPONSOR.huid, 'GET', `/v1/guests/${guestId}/history`)).body.items as { action: string; seq: number }[];
    expect(history.filter((e) => e.action === 'approved' || e.action === 'denied')).toHaveLength(1);
    const seqs = history.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    const guest = await t.guest(SPONSOR.huid, guestId);
    expect(guest.version).toBe(Math.max(...seqs));
  });

  it('50 concurrent extensions on the version each read (If-Match): exactly one wins, the rest get 412', async () => {
    // Prepare
    const res = await t.as(SPONSOR.huid, 'POST', '/v1/guests', { guestHuid: '20000002', population: 'agency-temp', endDate: '2027-03-31' });
    const guestId = String(res.body.guestId);
    await t.advance('PT0S');
    const token = await t.token(SPONSOR.huid);
    const read = await t.as(SPONSOR.huid, 'GET', `/v1/guests/${guestId}`);
    const etag = read.headers.get('etag')!;
    expect(etag).toBe(`"${String(read.body.version)}"`);
    // Act: each client extends the version it read (If-Match), as a careful client does.
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.raw('POST', `/v1/guests/${guestId}/extension`, { endDate: `2027-${String(4 + (i % 8)).padStart(2, '0')}-15` }, { authorization: `Bearer ${token}`, 'if-match': etag }),
      ),
    );
    // Assess
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(49);
    const winner = answers.find((a) => a.status === 200)!.body;
    expect((await t.guest(SPONSOR.huid, guestId)).endDate).toBe(winner.endDate);
  });

  it('without If-Match each change applies to the version it read: two extensions one after the other both apply; with If-Match the second is refused', async () => {
    // Prepare
    const res = await t.as(SPONSOR.huid, 'POST', '/v1/guests', { guestHuid: '20000013', population: 'agency-temp', endDate: '2027-03-31' });
    const guestId = String(res.body.guestId);
    await t.advance('PT0S');
    const read = await t.as(SPONSOR.huid, 'GET', `/v1/guests/${guestId}`);
    const etag = read.headers.get('etag')!;

    // Act: two extensions to different dates, one after the other, without If-Match
    const first = await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}/extension`, { endDate: '2027-05-31' });
    const second = await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}/extension`, { endDate: '2027-06-30' });

    // Assess: both applied, the last one wins
    expect([first.status, second.status]).toEqual([200, 200]);
    expect((await t.guest(SPONSOR.huid, guestId)).endDate).toBe('2027-06-30');

    // Act: the same, each conditional on the version read before the first
    const token = await t.token(SPONSOR.huid);
    const third = await t.raw('POST', `/v1/guests/${guestId}/extension`, { endDate: '2027-07-31' }, { authorization: `Bearer ${token}`, 'if-match': etag });

    // Assess: refused (the guest moved on since that read), nothing changed
    expect(third.status).toBe(412);
    expect(third.headers.get('content-type')).toBe('application/problem+json');
    expect((await t.guest(SPONSOR.huid, guestId)).endDate).toBe('2027-06-30');
  });
});

describe('Idempotency-Key', () => {
  it('a retried request with the same key creates nothing twice and returns the first answer', async () => {
    const token = await t.token(SPONSOR.huid);
    const body = { guestHuid: '20000010', population: 'visiting-faculty', endDate: '2027-05-31' };
    const headers = { authorization: `Bearer ${token}`, 'idempotency-key': 'create-vic-0001' };
    const first = await t.raw('POST', '/v1/guests', body, headers);
    const again = await t.raw('POST', '/v1/guests', body, headers);
    await t.advance('PT0S');
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    const mine = (await t.as(SPONSOR.huid, 'GET', '/v1/guests')).body.items as { guestHuid: string }[];
    expect(mine.filter((g) => g.guestHuid === '20000010')).toHaveLength(1);
    expect((await t.mailTo('ana.abbott@example.org')).filter((m) => m.subject === 'Activate your HMS account')).toHaveLength(1);
  });

  it('the same key with a different body is refused with 422 and changes nothing', async () => {
    const token = await t.token(SPONSOR.huid);
    const headers = { authorization: `Bearer ${token}`, 'idempotency-key': 'create-vic-0002' };
    const first = await t.raw('POST', '/v1/guests', { guestHuid: '20000011', population: 'visiting-faculty', endDate: '2027-05-31' }, headers);
    const other = await t.raw('POST', '/v1/guests', { guestHuid: '20000011', population: 'visiting-faculty', endDate: '2027-04-30' }, headers);
    expect(first.status).toBe(202);
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
  });

  it('a malformed key is a 400 naming the header', async () => {
    const res = await t.as(SPONSOR.huid, 'POST', '/v1/guests', { guestHuid: '20000012', population: 'visiting-faculty', endDate: '2027-05-31' });
    expect(res.status).toBe(202);
    const bad = await t.raw('POST', '/v1/guests', { guestHuid: '20000014', population: 'visiting-faculty', endDate: '2027-05-31' }, { authorization: `Bearer ${await t.token(SPONSOR.huid)}`, 'idempotency-key': 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ header: 'Idempotency-Key', detail: 'must be 8 to 128 visible ASCII characters' }]);
  });
});
