/**
 * The API answers only through its CloudFront distribution: with an origin secret configured, a
 * request without the secret header (or with a wrong one) is refused with 403 problem+json before
 * anything else happens; behind the distribution the client's address is the viewer's
 * (CloudFront-Viewer-Address), believed only on a request carrying the right secret. The deployed
 * handler on in-memory ports.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Context } from 'aws-lambda';
import { handler as api } from '../../functions/api.ts';
import { setRuntimeDeps } from '../../functions/runtime.ts';
import { loadConfig } from '../../shared/config.ts';
import { clientAddress, ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER, viewerAddress } from '../../shared/http/origin.ts';
import { memoryWorld } from '../support/memory.ts';

const SECRET = 'kN3pQ8sV1xZ4bF7hJ0mR2tW5yC9eG6iL';
const ctx = { functionName: 'api', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const ENV = { GUESTS_TABLE: 'Guests', DIRECTORY_TABLE: 'Directory', STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111111111111:stateMachine:GuestLifecycle', O2_TABLE: 'O2', O2_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111111111111:stateMachine:O2Lifecycle' };

/** The handler on a fresh in-memory world, with (or without) an origin secret configured. */
function world(originSecret: string | undefined) {
  const w = memoryWorld();
  setRuntimeDeps({ config: loadConfig({ ...ENV, ...(originSecret ? { ORIGIN_VERIFY_SECRET: originSecret } : {}) }), deps: w.deps });
  return w;
}

function event(routeKey: string, headers: Record<string, string>, opts: { body?: unknown; sourceIp?: string } = {}) {
  return {
    version: '2.0',
    routeKey,
    rawPath: routeKey.split(' ')[1],
    headers: { 'content-type': 'application/json', ...headers },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    isBase64Encoded: false,
    requestContext: { requestId: 'r1', routeKey, http: { method: routeKey.split(' ')[0], sourceIp: opts.sourceIp ?? '130.176.0.10' } },
  } as never;
}

/** A well-formed attempt with a wrong code: counted, then refused (400). */
const activation = { accountId: 'zzz999', code: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-A', password: 'correct-tulip-7-lantern' };
/** The addresses the activation counters counted attempts from (their per-address windows). */
const countedAddresses = (w: ReturnType<typeof memoryWorld>) => [...new Set([...w.attempts.windows.keys()].map((k) => /^activate#([^|]+)\|/.exec(k)?.[1]).filter(Boolean))];

afterEach(() => setRuntimeDeps(undefined));

describe('the origin secret', () => {
  it.each([
    ['no secret header', {}],
    ['a wrong secret of the same length', { [ORIGIN_VERIFY_HEADER]: SECRET.replace(/.$/, 'X') }],
    ['a wrong secret of another length', { [ORIGIN_VERIFY_HEADER]: `${SECRET}X` }],
    ['an empty secret header', { [ORIGIN_VERIFY_HEADER]: '' }],
  ])('%s: 403 problem+json, and nothing is read or written', async (_, headers) => {
    // Prepare
    const w = world(SECRET);

    // Act
    const res = await api(event('POST /v1/activate', headers, { body: activation }), ctx);

    // Assess
    expect(res.statusCode).toBe(403);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(res.body!)).toMatchObject({ status: 403, title: 'Forbidden', detail: expect.stringContaining('CloudFront distribution') });
    expect(w.attempts.windows.size).toBe(0);
  });

  it('is checked before routing and before the Idempotency-Key: an unknown route and a bad key are 403 too', async () => {
    world(SECRET);
    const unknown = await api(event('GET /v1/nothing-here', {}), ctx);
    const badKey = await api(event('POST /v1/activate', { 'idempotency-key': 'short' }, { body: activation }), ctx);
    expect([unknown.statusCode, badKey.statusCode]).toEqual([403, 403]);
  });

  it('the right secret (header name in any case) passes', async () => {
    world(SECRET);
    const res = await api(event('GET /openapi.json', { 'X-Origin-Verify': SECRET }), ctx);
    expect(res.statusCode).toBe(200);
  });

  it('without a configured secret (no distribution) nothing is refused for it', async () => {
    world(undefined);
    const res = await api(event('GET /openapi.json', {}), ctx);
    expect(res.statusCode).toBe(200);
  });
});

describe("the client's address (activation limits)", () => {
  it('behind the distribution, the viewer\'s address from CloudFront-Viewer-Address, not CloudFront\'s source address', async () => {
    // Prepare
    const w = world(SECRET);

    // Act
    const res = await api(event('POST /v1/activate', { [ORIGIN_VERIFY_HEADER]: SECRET, [VIEWER_ADDRESS_HEADER]: '203.0.113.7:51432' }, { body: activation }), ctx);

    // Assess: the attempt is counted against the viewer
    expect(res.statusCode).toBe(400);
    expect(countedAddresses(w)).toEqual(['203.0.113.7']);
  });

  it('an IPv6 viewer: counted by its /48 (one client commonly holds a whole /48)', async () => {
    const w = world(SECRET);
    await api(event('POST /v1/activate', { [ORIGIN_VERIFY_HEADER]: SECRET, [VIEWER_ADDRESS_HEADER]: '2001:db8::7:51432' }, { body: activation }), ctx);
    expect(countedAddresses(w)).toEqual(['2001:db8::/48']);
  });

  it('without a configured secret the header proves nothing: the source address counts', async () => {
    const w = world(undefined);
    await api(event('POST /v1/activate', { [VIEWER_ADDRESS_HEADER]: '203.0.113.7:51432' }, { body: activation, sourceIp: '198.51.100.20' }), ctx);
    expect(countedAddresses(w)).toEqual(['198.51.100.20']);
  });

  it('a client cannot pose as another address by sending the header around the distribution: refused before anything is counted', async () => {
    const w = world(SECRET);
    const res = await api(event('POST /v1/activate', { [VIEWER_ADDRESS_HEADER]: '203.0.113.8:1' }, { body: activation }), ctx);
    expect(res.statusCode).toBe(403);
    expect(countedAddresses(w)).toEqual([]);
  });

  it.each([
    ['198.51.100.10:46532', '198.51.100.10'],
    ['2001:0db8:85a3:0000:0000:8a2e:0370:7334:46532', '2001:0db8:85a3:0000:0000:8a2e:0370:7334'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['198.51.100.10', undefined],
    ['not-an-address:80', undefined],
    ['198.51.100.10:port', undefined],
    ['', undefined],
  ])('CloudFront-Viewer-Address %j → %j', (value, address) => {
    expect(viewerAddress(value)).toBe(address);
  });

  it('with the secret but no (or a malformed) viewer header, the source address', () => {
    const e = (headers: Record<string, string>) => ({ headers: { [ORIGIN_VERIFY_HEADER]: SECRET, ...headers }, requestContext: { http: { sourceIp: '130.176.0.10' } } });
    expect(clientAddress(e({}), SECRET)).toBe('130.176.0.10');
    expect(clientAddress(e({ [VIEWER_ADDRESS_HEADER]: 'garbage' }), SECRET)).toBe('130.176.0.10');
  });
});

describe('one client with an IPv6 /48 cannot pass for many addresses (the activation limits count per /48)', () => {
  it('100 wrong codes from 100 addresses of one /48: one client — after its first try it waits (429), the code is never locked, the sponsor never told', async () => {
    // Prepare: a guest waiting for activation, its code's hash known
    const w = world(SECRET);
    const { requestGuest } = await import('../../shared/guest/app/guests.ts');
    const { provision } = await import('../../shared/guest/app/tasks.ts');
    const guest = await requestGuest(w.deps, { huid: '10000001', roles: [] }, { guestHuid: '20000001', population: 'visiting-faculty', endDate: '2027-06-30' });
    await provision(w.deps, guest.guestId);
    const accountId = (await w.guests.get(guest.guestId))!.accountId!;
    const mailsBefore = w.mailer.sent.length;
    // Act: each attempt from its own address of 2001:db8:abcd::/48, as CloudFront names the viewer
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      const viewer = `2001:db8:abcd:${(i % 65536).toString(16)}::${(i + 1).toString(16)}`;
      const res = (await api(event('POST /v1/activate', { [ORIGIN_VERIFY_HEADER]: SECRET, [VIEWER_ADDRESS_HEADER]: `[${viewer}]:4430` }, { body: { ...activation, accountId } }), ctx)) as { statusCode: number };
      statuses.push(res.statusCode);
    }
    // Assess
    // The pair (account, client) waits 1 s after its first attempt, then longer: the clock does not move here.
    expect(statuses[0]).toBe(400);
    expect(statuses.slice(1)).toEqual(Array(99).fill(429));
    expect(countedAddresses(w)).toEqual(['2001:db8:abcd::/48']);
    const after = (await w.guests.get(guest.guestId))!;
    expect(after.activation?.lockedAt).toBeUndefined();
    expect(after.activation?.burstReportedAt).toBeUndefined();
    expect(w.mailer.sent.length).toBe(mailsBefore);
  });
});
