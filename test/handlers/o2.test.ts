/**
 * The O2 and lab routes at the handler (functions/api.ts on an in-memory world, test/security/o2-fixtures.ts):
 * the status each answers on success (201 for a new lab, 202 for a new O2 account, 200 otherwise),
 * Location on a new resource, the version as ETag on every single lab or O2 account, If-Match on
 * the writes (412 when the record moved on, nothing written; a lost race after the check is 412 as
 * well), the directory's outage as 503 with Retry-After, and the OpenAPI document listing them.
 * Every answer is held to the OpenAPI document.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DirectoryUnavailableError, StaleWriteError } from '../../shared/core/domain/errors.ts';
import { call, clearRuntime, expectProblem, HUIDS, LAB_ID, o2Fixture, o2World, USER_ACCOUNT, worldState } from '../security/o2-fixtures.ts';

afterEach(clearRuntime);

describe('new resources', () => {
  it('POST /v1/labs: 201 with the lab, its Location and its ETag', async () => {
    // Prepare
    await o2World();
    // Act
    const res = await call('rcCore', 'POST /v1/labs', { body: { name: 'Fas Lab', institution: 'FAS', piHuid: HUIDS.otherPi } });
    // Assess
    expect(res.status).toBe(201);
    expect(res.headers).toMatchObject({ location: `/v1/labs/${String(res.body.labId)}`, etag: '"1"', 'content-type': 'application/json' });
    expect(res.body).toMatchObject({ name: 'Fas Lab', institution: 'FAS', piHuid: HUIDS.otherPi, quad: { onQuad: true }, registration: { status: 'not-required' } });
    // It is there, under the Location, at that version.
    const read = await call('otherPi', 'GET /v1/labs/{labId}', { path: { labId: String(res.body.labId) } });
    expect(read.status).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    expect(read.body).toEqual(res.body);
  });

  it('POST /v1/o2-accounts: 202 with the O2 account, its Location and its ETag; the lifecycle started', async () => {
    // Prepare
    const w = await o2World();
    // Act
    const res = await call('labPi', 'POST /v1/o2-accounts', { body: { userHuid: HUIDS.user, piHuid: HUIDS.labPi, labId: LAB_ID } });
    // Assess
    expect(res.status).toBe(202);
    const id = String(res.body.o2AccountId);
    expect(res.headers).toMatchObject({ location: `/v1/o2-accounts/${id}`, etag: `"${String(res.body.version)}"` });
    expect(res.body).toMatchObject({ status: 'PENDING_PI_APPROVAL', accountId: USER_ACCOUNT, quad: { onQuad: false }, posix: null, approval: { decision: 'approve', by: HUIDS.labPi, bySubmission: true } });
    expect([...w.o2Workflow.executions.keys()]).toEqual([`o2-${id}-1`]);
  });

  it('POST /v1/o2-accounts for a user without a Harvard ID: 422 naming the HSR step, nothing written', async () => {
    // Prepare
    const w = await o2World();
    const before = worldState(w);
    // Act
    const res = await call('labPi', 'POST /v1/o2-accounts', { body: { userHuid: '39999999', piHuid: HUIDS.labPi, labId: LAB_ID } });
    // Assess
    expectProblem(res, 422);
    expect(res.body.detail).toMatch(/Harvard Sponsored Role/);
    expect(worldState(w)).toEqual(before);
  });
});

describe('ETag and If-Match on an O2 account', () => {
  const decision = 'POST /v1/o2-accounts/{o2AccountId}/decision';

  it('GET answers the version as ETag; a write with that ETag succeeds and answers the next', async () => {
    // Prepare
    const w = await o2World();
    const o2 = await o2Fixture(w, 'pending-approval');
    const read = await call('sponsor', 'GET /v1/o2-accounts/{o2AccountId}', { path: { o2AccountId: o2.o2AccountId } });
    expect(read.headers.etag).toBe('"3"');
    // Act
    const res = await call('sponsor', decision, { path: { o2AccountId: o2.o2AccountId }, body: { decision: 'approve' }, ifMatch: read.headers.etag! });
    // Assess
    expect(res.status).toBe(200);
    const stored = (await w.o2.get(o2.o2AccountId))!;
    expect(stored.version).toBeGreaterThan(3);
    expect(res.headers.etag).toBe(`"${stored.version}"`);
    expect(res.body.version).toBe(stored.version);
  });

  it.each(['"2"', 'W/"2"', '2', '"4"'])('a stale If-Match (%s): 412, nothing written, the lifecycle not woken', async (ifMatch) => {
    // Prepare
    const w = await o2World();
    const o2 = await o2Fixture(w, 'pending-approval');
    const before = worldState(w);
    // Act
    const res = await call('sponsor', decision, { path: { o2AccountId: o2.o2AccountId }, body: { decision: 'approve' }, ifMatch });
    // Assess
    expectProblem(res, 412);
    expect(res.body).toMatchObject({ type: expect.stringMatching(/precondition-failed$/), title: 'It changed since you read it' });
    expect(res.body.detail).toContain(`O2 account ${o2.o2AccountId} changed since version`);
    expect(worldState(w)).toEqual(before);
    expect(w.o2Workflow.resumed).toEqual([]);
  });

  it.each([
    ['cancel', 'POST /v1/o2-accounts/{o2AccountId}/cancel', 'pending-approval', 'user', undefined],
    ['renewal', 'POST /v1/o2-accounts/{o2AccountId}/renewal', 'expired', 'user', undefined],
    ['retain', 'POST /v1/o2-accounts/{o2AccountId}/retain', 'active', 'user', undefined],
    ['completion', 'POST /v1/o2-accounts/{o2AccountId}/completion', 'pending-rc-core', 'rcCore', { unixUsername: USER_ACCOUNT }],
  ] as const)('%s with a stale If-Match: 412, nothing written', async (_name, route, fixture, who, body) => {
    // Prepare
    const w = await o2World();
    const o2 = await o2Fixture(w, fixture);
    const before = worldState(w);
    // Act
    const res = await call(who, route, { path: { o2AccountId: o2.o2AccountId }, ...(body ? { body } : {}), ifMatch: '"1"' });
    // Assess
    expectProblem(res, 412);
    expect(worldState(w)).toEqual(before);
  });

  it('a write that loses a race after the version was checked: 412 with If-Match, 409 without', async () => {
    // Prepare: another writer gets there between the read and the write, each time
    const w = await o2World();
    const o2 = await o2Fixture(w, 'pending-approval');
    w.o2.save = async (next) => {
      throw new StaleWriteError(`O2 account ${next.o2AccountId} was changed by someone else; read it again and retry.`);
    };
    // Act
    const withIfMatch = await call('user', 'POST /v1/o2-accounts/{o2AccountId}/cancel', { path: { o2AccountId: o2.o2AccountId }, ifMatch: '"3"' });
    const without = await call('user', 'POST /v1/o2-accounts/{o2AccountId}/cancel', { path: { o2AccountId: o2.o2AccountId } });
    // Assess
    expectProblem(withIfMatch, 412);
    expect(withIfMatch.body.detail).toBe('The O2 account changed since version 3; read it again.');
    expectProblem(without, 409);
  });
});

describe('ETag and If-Match on a lab', () => {
  const registration = { chargeback: { charged: false }, billingContact: { name: 'Bea Billing', email: 'bea.billing@mgh.harvard.edu' } };

  it('registration on the version read: 200 with the next ETag; on an older one: 412, nothing written', async () => {
    // Prepare
    const w = await o2World();
    const stale = worldState(w);
    // Act and Assess: an older version, then the one read
    const old = await call('rcCore', 'POST /v1/labs/{labId}/registration', { path: { labId: LAB_ID }, body: registration, ifMatch: '"7"' });
    expectProblem(old, 412);
    expect(old.body.detail).toContain(`Lab ${LAB_ID} changed since version 7`);
    expect(worldState(w)).toEqual(stale);

    const res = await call('rcCore', 'POST /v1/labs/{labId}/registration', { path: { labId: LAB_ID }, body: registration, ifMatch: '"1"' });
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"2"');
    expect(res.body).toMatchObject({ registration: { status: 'registered', chargeback: { charged: false }, by: HUIDS.rcCore }, version: 2 });
  });

  it('a malformed If-Match names the header and the lab', async () => {
    // Prepare
    await o2World();
    // Act
    const res = await call('rcCore', 'POST /v1/labs/{labId}/registration', { path: { labId: LAB_ID }, body: registration, ifMatch: '*' });
    // Assess
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ header: 'If-Match', detail: 'must be the ETag of the lab, e.g. "3"' }]);
  });
});

describe('the HMS account directory', () => {
  it('down when the RC Core completes: 503 with Retry-After, nothing written but the uid number reserved for the HMS account', async () => {
    // Prepare
    const w = await o2World();
    const o2 = await o2Fixture(w, 'pending-rc-core');
    w.accounts.down = new DirectoryUnavailableError('SCIM timed out', { retryAfterSeconds: 30 });
    const before = worldState(w);
    // Act
    const res = await call('rcCore', 'POST /v1/o2-accounts/{o2AccountId}/completion', { path: { o2AccountId: o2.o2AccountId }, body: { unixUsername: USER_ACCOUNT } });
    // Assess
    expectProblem(res, 503);
    expect(res.headers['retry-after']).toBe('30');
    // The uid number is reserved (for this account only) before the directory is asked; all else is as it was.
    const { uids, ...after } = JSON.parse(worldState(w)) as Record<string, unknown>;
    const { uids: uidsBefore, ...was } = JSON.parse(before) as Record<string, unknown>;
    expect(after).toEqual(was);
    expect(uidsBefore).toEqual([]);
    expect(uids).toEqual([[expect.any(Number), USER_ACCOUNT]]);
  });

  it('back again: the retried completion takes the uid number it reserved, and no reservation is left orphaned', async () => {
    // Prepare: a completion that failed on the directory, leaving its reservation
    const w = await o2World();
    const o2 = await o2Fixture(w, 'pending-rc-core');
    w.accounts.down = new DirectoryUnavailableError('SCIM timed out', { retryAfterSeconds: 30 });
    expectProblem(await call('rcCore', 'POST /v1/o2-accounts/{o2AccountId}/completion', { path: { o2AccountId: o2.o2AccountId }, body: { unixUsername: USER_ACCOUNT } }), 503);
    const reserved = (JSON.parse(worldState(w)) as { uids: [number, string][] }).uids[0]![0];
    w.accounts.down = undefined;
    // Act
    const res = await call('rcCore', 'POST /v1/o2-accounts/{o2AccountId}/completion', { path: { o2AccountId: o2.o2AccountId }, body: { unixUsername: USER_ACCOUNT } });
    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ACTIVE', posix: { uidNumber: reserved } });
    expect((JSON.parse(worldState(w)) as { uids: unknown[] }).uids).toEqual([[reserved, USER_ACCOUNT]]);
  });
});

describe('what an O2 account shows', () => {
  it('its POSIX attributes only while it is active; never its task token, emails sent, execution or user email, in the view or in its history', async () => {
    // Prepare: an expired account whose record still holds its POSIX attributes, with an event that carried secrets
    const w = await o2World();
    const o2 = await o2Fixture(w, 'expired', { posix: { uidNumber: 300_124, homeDirectory: `/home/${USER_ACCOUNT}` }, sent: ['active@x'], taskToken: 'secret-token' });
    await w.o2.appendAudit([
      { kind: 'o2', id: o2.o2AccountId, seq: 2, at: '2027-01-03T14:30:00.000Z', actor: 'workflow', action: 'expired', before: { status: 'ACTIVE', posix: { uidNumber: 300_124, homeDirectory: '/home/uo123' }, taskToken: 'secret-token' }, after: { status: 'EXPIRED', posix: { uidNumber: 300_124, homeDirectory: '/home/uo123' }, sent: ['x'], execution: { name: 'n', generation: 1 } }, detail: { email: 'expired', to: 'user', error: 'internal detail', token: 'secret-token' } },
    ]);
    // Act
    const view = await call('user', 'GET /v1/o2-accounts/{o2AccountId}', { path: { o2AccountId: o2.o2AccountId } });
    const history = await call('user', 'GET /v1/o2-accounts/{o2AccountId}/history', { path: { o2AccountId: o2.o2AccountId } });
    // Assess
    expect(view.body).toMatchObject({ status: 'EXPIRED', posix: null });
    const expired = (history.body.items as { action: string; before: unknown; after: unknown; detail: unknown }[]).find((e) => e.action === 'expired');
    expect(expired).toEqual({ seq: 2, at: '2027-01-03T14:30:00.000Z', actor: 'workflow', action: 'expired', before: { status: 'ACTIVE', posix: { uidNumber: 300_124, homeDirectory: '/home/uo123' } }, after: { status: 'EXPIRED', posix: null }, detail: { email: 'expired', to: 'user' } });
    for (const body of [view.body, history.body]) expect(JSON.stringify(body)).not.toMatch(/secret-token|active@x|uma\.user@|internal detail|"execution"|"sent"/);
  });
});

describe('the OpenAPI document', () => {
  it('lists the lab and O2 routes with their success statuses and headers', async () => {
    // Prepare
    await o2World();
    // Act
    const res = await call(null, 'GET /openapi.json');
    // Assess
    const paths = res.body.paths as Record<string, Record<string, { tags: string[]; responses: Record<string, { headers?: Record<string, unknown> }> }>>;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/v1/labs', '/v1/labs/{labId}', '/v1/labs/{labId}/registration', '/v1/labs/{labId}/history', '/v1/o2-accounts', '/v1/o2-accounts/{o2AccountId}', '/v1/o2-accounts/{o2AccountId}/retain', '/v1/o2-accounts/{o2AccountId}/history']));
    expect(Object.keys(paths['/v1/labs']!.post!.responses['201']!.headers!)).toEqual(['ETag', 'Location']);
    expect(Object.keys(paths['/v1/o2-accounts']!.post!.responses['202']!.headers!)).toEqual(['ETag', 'Location']);
    expect(Object.keys(paths['/v1/o2-accounts/{o2AccountId}']!.get!.responses['200']!.headers!)).toEqual(['ETag']);
    expect(paths['/v1/o2-accounts/{o2AccountId}/history']!.get!.responses['200']!.headers).toBeUndefined();
    expect(paths['/v1/o2-accounts/{o2AccountId}/decision']!.post!.responses).toHaveProperty('412');
    expect(paths['/v1/o2-accounts/{o2AccountId}/completion']!.post!.responses).toHaveProperty('503');
    expect(paths['/v1/labs']!.get!.tags).toEqual(['labs']);
    expect(paths['/v1/o2-accounts']!.get!.tags).toEqual(['o2-accounts']);
  });
});
