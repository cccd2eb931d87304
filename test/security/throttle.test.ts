/**
 * Limits per client, not per route (the local gateway; in AWS a WAF rate-based rule in front of the
 * API does the same): a caller is authenticated before anything is counted, and each client has its
 * own bucket (the token's subject, or the source address on public routes), well under the route's
 * ceiling, so no one client can make the API answer 429 to everyone else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ROUTE_THROTTLES, CLIENT_THROTTLE } from '../../local/throttle.ts';
import { TestSystem, SPONSOR } from '../support/local-system.ts';

let t: TestSystem;
beforeAll(async () => {
  t = await TestSystem.start({ clock: '2027-01-04T14:00:00.000Z' });
});
afterAll(async () => {
  await t.stop();
});

async function burst<T>(n: number, call: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += 50) out.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, j) => call(i + j)))));
  return out;
}

describe('per-client limits', () => {
  it('an unauthenticated flood uses up nobody’s requests: every one 401, a signed-in sponsor still 200', async () => {
    // Act
    const flood = await burst(400, () => t.raw('GET', '/v1/guests', undefined, { authorization: 'Bearer junk' }));
    const sponsor = await t.as(SPONSOR.huid, 'GET', '/v1/guests');

    // Assess
    expect(new Set(flood.map((r) => r.status))).toEqual(new Set([401]));
    expect(sponsor.status).toBe(200);
  });

  it('one signed-in client flooding is limited on its own; another signed-in client is not', async () => {
    // Prepare
    const token = await t.token('10000002');

    // Act
    const flood = await burst(CLIENT_THROTTLE.burstLimit * 2, () => t.raw('GET', '/v1/guests', undefined, { authorization: `Bearer ${token}` }));
    const other = await t.as(SPONSOR.huid, 'GET', '/v1/guests');

    // Assess
    expect(flood.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(other.status).toBe(200);
  });

  it('four addresses sending junk to /v1/activate do not make ten other clients answer 429', async () => {
    // Prepare
    const perClient = CLIENT_ROUTE_THROTTLES['POST /v1/activate']!;
    const junk = (i: number) => t.raw('POST', '/v1/activate', { accountId: 'zzz001', code: 'AAAAA-AAAAA-AAAAA-AAAAA-A', password: 'correct-tulip-7-lantern' }, {}, `127.9.0.${(i % 4) + 1}`);

    // Act
    const flood = await burst(perClient.burstLimit * 4 * 2, junk);
    const others = await Promise.all(Array.from({ length: 10 }, (_, i) => t.raw('POST', '/v1/activate', { accountId: 'abc123', code: 'BBBBB-BBBBB-BBBBB-BBBBB-B', password: 'correct-tulip-7-lantern' }, {}, `127.9.1.${i + 1}`)));

    // Assess: the junk senders are cut off, the others reach the handler (a wrong code: 400)
    expect(flood.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(others.map((r) => r.status)).toEqual(Array(10).fill(400));
  });
});
