/**
 * The contract check every e2e and local-system call goes through (test/support/contract.ts):
 * it must refuse what the document does not declare, or it checks nothing.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkAnswer, checkRouteAnswer, ContractViolation } from '../support/contract.ts';
import { requestJson } from '../support/sample.ts';

const GUEST = {
  guestId: '6b1f7c0e-0000-4000-8000-000000000001',
  status: 'PENDING_ACTIVATION',
  guestHuid: '20000001',
  guestName: 'Grace Guest',
  sponsorHuid: '10000001',
  submittedBy: '10000001',
  population: 'visiting-faculty',
  contractorId: null,
  justification: null,
  services: ['email'],
  startDate: '2027-01-04',
  endDate: '2027-06-30',
  accountId: 'gg123',
  o2AccountId: null,
  entitlements: [{ name: 'email', granted: true }],
  approval: { decision: 'approve', by: '10000001', at: '2027-01-04T14:00:00.000Z', bySubmission: true },
  activation: { expiresAt: '2027-01-18T14:00:00.000Z', used: false, locked: false },
  activatedAt: null,
  expiredAt: null,
  lastNoticeDate: null,
  nextActionAt: '2027-06-23T13:00:00.000Z',
  failure: null,
  createdAt: '2027-01-04T14:00:00.000Z',
  updatedAt: '2027-01-04T14:00:01.000Z',
  version: 3,
};
const json = { 'content-type': 'application/json', 'cache-control': 'no-store' };
const path = `/v1/guests/${GUEST.guestId}`;

describe('checkAnswer', () => {
  it('accepts a guest with its ETag, and the gateway\'s own 401 and 404', () => {
    checkAnswer('GET', path, { status: 200, headers: { ...json, etag: '"3"', 'apigw-requestid': 'r1' }, body: JSON.stringify(GUEST) });
    checkAnswer('GET', path, { status: 401, headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }, body: '{"message":"Unauthorized"}' });
    checkAnswer('DELETE', path, { status: 404, headers: { 'content-type': 'application/json' }, body: '{"message":"Not Found"}' });
  });

  it('leaves alone what is not the API: /_local/*, the identity provider', () => {
    checkAnswer('POST', '/_local/token', { status: 200, headers: {}, body: 'anything' });
  });

  it.each([
    ['an undeclared status', { status: 418, headers: json, body: '{}' }, /status 418 is not declared/],
    ['a field the document does not have', { status: 200, headers: { ...json, etag: '"3"' }, body: JSON.stringify({ ...GUEST, guestEmail: 'grace@example.org' }) }, /does not match/],
    ['a missing field', { status: 200, headers: { ...json, etag: '"3"' }, body: JSON.stringify({ ...GUEST, expiredAt: undefined }) }, /does not match/],
    ['a wrong type', { status: 200, headers: { ...json, etag: '"3"' }, body: JSON.stringify({ ...GUEST, version: '3' }) }, /does not match/],
    ['a bad date-time', { status: 200, headers: { ...json, etag: '"3"' }, body: JSON.stringify({ ...GUEST, createdAt: 'yesterday' }) }, /does not match/],
    ['no ETag where it is always sent', { status: 200, headers: json, body: JSON.stringify(GUEST) }, /header etag is declared as always sent/],
    ['a malformed ETag', { status: 200, headers: { ...json, etag: 'W/3' }, body: JSON.stringify(GUEST) }, /header etag/],
    ['an undeclared header', { status: 200, headers: { ...json, etag: '"3"', location: '/v1/guests/x' }, body: JSON.stringify(GUEST) }, /header location is sent but not declared/],
    ['an undeclared content type', { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found' }, /content type "text\/plain" is not declared/],
    ['a gateway body other than its own', { status: 401, headers: { 'content-type': 'application/json' }, body: '{"message":"Unauthorised"}' }, /does not match/],
    ['a problem without its required fields', { status: 404, headers: { 'content-type': 'application/problem+json' }, body: '{"title":"Not found"}' }, /does not match/],
    ['a body that is not JSON', { status: 404, headers: { 'content-type': 'application/problem+json' }, body: '<html>' }, /not JSON/],
  ])('refuses %s', (_label, answer, message) => {
    expect(() => checkAnswer('GET', path, answer)).toThrow(ContractViolation);
    expect(() => checkAnswer('GET', path, answer)).toThrow(message);
  });

  it('refuses a path under /v1/ that is no route answered other than by the gateway\'s 404', () => {
    expect(() => checkAnswer('GET', '/v1/nothing', { status: 200, headers: json, body: '{}' })).toThrow(ContractViolation);
  });

  it('refuses a 429 the document does not declare for the route, and accepts activation\'s problem with Retry-After', () => {
    checkRouteAnswer('POST /v1/activate', { status: 429, headers: { 'content-type': 'application/problem+json', 'retry-after': '30' }, body: JSON.stringify({ type: 'https://guests.hms.harvard.edu/problems/rate-limited', title: 'Too many requests', status: 429, detail: 'Wait.' }) });
    expect(() => checkRouteAnswer('GET /v1/me', { status: 429, headers: { 'content-type': 'application/problem+json' }, body: '{}' })).toThrow(/content type "application\/problem\+json" is not declared/);
  });
});

const O2 = {
  o2AccountId: '6b1f7c0e-0000-4000-8000-0000000000b1',
  status: 'ACTIVE',
  userHuid: '10000019',
  userName: 'Stella Student',
  names: { '10000013': 'Mia Mgh', '10000017': 'Rita RcCore' },
  piHuid: '10000013',
  labId: '6b1f7c0e-0000-4000-8000-0000000000a1',
  labPiHuid: '10000013',
  labName: 'Mgh Imaging Lab',
  requestedBy: '10000013',
  justification: null,
  hmsSponsorHuid: null,
  guestId: null,
  accountId: 'sst100',
  quad: { onQuad: false, reason: 'Off-Quad: the lab is at MGH.' },
  approval: { decision: 'approve', by: '10000013', at: '2027-01-04T14:00:00.000Z', bySubmission: true },
  completion: { by: '10000017', at: '2027-01-05T14:00:00.000Z', unixUsername: 'sst100' },
  posix: { uidNumber: 200123, homeDirectory: '/home/sst100' },
  rcCoreRequestedAt: '2027-01-04T14:00:01.000Z',
  activatedAt: '2027-01-05T14:00:00.000Z',
  endDate: '2027-06-30',
  lastNoticeDate: null,
  expiredAt: null,
  renewal: null,
  retain: null,
  lapse: null,
  cancellation: null,
  failure: null,
  nextActionAt: '2027-06-23T13:00:00.000Z',
  createdAt: '2027-01-04T14:00:00.000Z',
  updatedAt: '2027-01-05T14:00:00.000Z',
  version: 6,
};
const LAB = {
  labId: O2.labId,
  name: 'Mia Lab',
  piHuid: '10000013',
  piName: 'Mia Mgh',
  institution: 'MGH',
  quad: { onQuad: false, reason: 'Off-Quad: the lab is at MGH.' },
  registration: { status: 'registered', chargeback: { charged: false }, billingContact: { name: 'Bea Billing', email: 'bea@mgh.harvard.edu' }, by: '10000017', at: '2027-01-05T13:00:00.000Z' },
  createdAt: '2027-01-04T14:00:00.000Z',
  updatedAt: '2027-01-05T13:00:00.000Z',
  version: 2,
};

describe('checkAnswer: labs and O2 accounts', () => {
  const o2Path = `/v1/o2-accounts/${O2.o2AccountId}`;
  it('accepts an O2 account and a lab with their ETags, a new O2 account with its Location', () => {
    checkAnswer('GET', o2Path, { status: 200, headers: { ...json, etag: '"6"' }, body: JSON.stringify(O2) });
    checkAnswer('POST', '/v1/o2-accounts', { status: 202, headers: { ...json, etag: '"1"', location: o2Path }, body: JSON.stringify(O2) });
    checkAnswer('GET', `/v1/labs/${LAB.labId}`, { status: 200, headers: { ...json, etag: '"2"' }, body: JSON.stringify(LAB) });
    checkAnswer('POST', '/v1/labs', { status: 201, headers: { ...json, etag: '"1"', location: `/v1/labs/${LAB.labId}` }, body: JSON.stringify({ ...LAB, registration: { status: 'pending' }, version: 1 }) });
  });

  it.each([
    ['an O2 account showing its task token', 'GET', o2Path, { status: 200, headers: { ...json, etag: '"6"' }, body: JSON.stringify({ ...O2, taskToken: 'AAAA' }) }, /does not match/],
    ['an O2 account showing its user\'s email', 'GET', o2Path, { status: 200, headers: { ...json, etag: '"6"' }, body: JSON.stringify({ ...O2, userEmail: 'stella@example.org' }) }, /does not match/],
    ['an O2 account in no known status', 'GET', o2Path, { status: 200, headers: { ...json, etag: '"6"' }, body: JSON.stringify({ ...O2, status: 'LIVE' }) }, /does not match/],
    ['an O2 account without its ETag', 'GET', o2Path, { status: 200, headers: json, body: JSON.stringify(O2) }, /header etag is declared as always sent/],
    ['a new O2 account whose Location is a guest\'s', 'POST', '/v1/o2-accounts', { status: 202, headers: { ...json, etag: '"1"', location: `/v1/guests/${O2.o2AccountId}` }, body: JSON.stringify(O2) }, /header location/],
    ['a lab registered without its chargeback', 'GET', `/v1/labs/${LAB.labId}`, { status: 200, headers: { ...json, etag: '"2"' }, body: JSON.stringify({ ...LAB, registration: { ...LAB.registration, chargeback: undefined } }) }, /does not match/],
    ['a lab charged to no account', 'GET', `/v1/labs/${LAB.labId}`, { status: 200, headers: { ...json, etag: '"2"' }, body: JSON.stringify({ ...LAB, registration: { ...LAB.registration, chargeback: { charged: true } } }) }, /does not match/],
    ['a lab answered 201 where the route says 200', 'GET', `/v1/labs/${LAB.labId}`, { status: 201, headers: { ...json, etag: '"2"' }, body: JSON.stringify(LAB) }, /status 201 is not declared/],
  ])('refuses %s', (_label, method, path, answer, message) => {
    expect(() => checkAnswer(method, path, answer)).toThrow(ContractViolation);
    expect(() => checkAnswer(method, path, answer)).toThrow(message);
  });
});

describe('requestJson (the HTTP helper of the e2e and local-system tests)', () => {
  it('fails a call whose answer the document does not declare, unless told not to check', async () => {
    // Prepare: a server answering every call 418
    const server = createServer((_req, res) => res.writeHead(418, { 'content-type': 'application/json' }).end('{}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      // Act / Assess
      await expect(requestJson(base, 'GET', '/v1/me')).rejects.toThrow(ContractViolation);
      await expect(requestJson(base, 'GET', '/v1/me', undefined, {}, '127.0.0.2')).rejects.toThrow(ContractViolation);
      await expect(requestJson(base, 'GET', '/v1/me', undefined, {}, undefined, { contract: false })).resolves.toMatchObject({ status: 418 });
      await expect(requestJson(base, 'GET', '/_local/clock')).resolves.toMatchObject({ status: 418 });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
