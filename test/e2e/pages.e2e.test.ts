/**
 * End to end: the calls the pages make, through the pages' own typed client (web/src/api/client.ts,
 * typed by the types generated from the OpenAPI document), against the local system started as a
 * user starts it. Who the caller is, a delegate's guests across their sponsors, HMS IT's list with
 * filters and pages, a decision on the version read (If-Match from the ETag), and API Gateway's own
 * answers. Every answer, through the client or not, is held to the OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activate, allGuests, ApiError, createApiClient, decide, getGuest, getMe, listGuests, type ApiClient } from '../../web/src/api/client.ts';
import { DELEGATE, SPONSOR, Systems, type LocalCli } from '../support/cli.ts';
import { contractFetch } from '../support/contract.ts';

const SAM = '10000002';
const WREN = '10000005';
const IT = '10000099';

const systems = new Systems();
let sys: LocalCli;
const ids: Record<'byLee' | 'byAda' | 'bySam', string> = { byLee: '', byAda: '', bySam: '' };

/** The pages' client as the person with this HUID (token from the local identity provider). */
async function clientAs(huid: string, roles: string[] = []): Promise<ApiClient> {
  const token = await sys.token(huid, roles);
  return createApiClient({ baseUrl: sys.apiUrl, token: () => token, fetch: contractFetch() });
}

beforeAll(async () => {
  sys = await systems.start({ clock: '2027-01-04T14:00:00.000Z' });
  const request = async (as: string, body: Record<string, unknown>) => {
    const res = await sys.as(as, 'POST', '/v1/guests', { population: 'agency-temp', endDate: '2027-06-30', ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return String(res.body.guestId);
  };
  ids.byLee = await request(DELEGATE.huid, { guestHuid: '20000001', sponsorHuid: SPONSOR.huid, endDate: '2027-03-31' });
  ids.byAda = await request(SPONSOR.huid, { guestHuid: '20000002' });
  ids.bySam = await request(SAM, { guestHuid: '20000006' });
  await sys.settle();
}, 90_000);
afterAll(() => systems.killAll());

describe('GET /v1/me', () => {
  it('a sponsor, a delegate, Wyss staff and HMS IT, each as the pages need them', async () => {
    expect(await getMe(await clientAs(SPONSOR.huid))).toMatchObject({ name: 'Ada Faculty', roles: ['sponsor'], delegateOf: [], sponsorEligibility: { eligible: true } });
    expect(await getMe(await clientAs(DELEGATE.huid))).toMatchObject({ roles: ['sponsor', 'delegate'], delegateOf: [{ huid: SPONSOR.huid, name: 'Ada Faculty', eligible: true }] });
    expect((await getMe(await clientAs(WREN))).sponsorEligibility).toEqual({
      eligible: false,
      reason: 'wyss',
      detail: expect.stringContaining('Wyss HR and Academic Affairs'),
      contact: 'AcademicAffairs@wyss.harvard.edu',
    });
    expect(await getMe(await clientAs(IT, ['hms-it']))).toMatchObject({ huid: IT, name: null, roles: ['hms-it'] });
  });
});

describe('GET /v1/guests', () => {
  it("a delegate's guests across every sponsor who named them, in one call", async () => {
    const page = await listGuests(await clientAs(DELEGATE.huid), { as: 'delegate' });
    expect(page.items.map((g) => g.guestId)).toEqual([ids.byLee, ids.byAda]);
    expect(page.items.every((g) => g.sponsorHuid === SPONSOR.huid)).toBe(true);
    expect(page.cursor).toBeNull();
  });

  it("HMS IT: every guest, filtered, in pages a cursor walks; nobody else's list of everyone", async () => {
    const it = await clientAs(IT, ['hms-it']);
    const walked: string[] = [];
    for await (const g of allGuests(it, { as: 'hms-it', limit: 1 })) walked.push(g.guestId);
    expect(new Set(walked)).toEqual(new Set(Object.values(ids)));
    expect((await listGuests(it, { as: 'hms-it', status: 'PENDING_APPROVAL' })).items.map((g) => g.guestId)).toEqual([ids.byLee]);
    expect((await listGuests(it, { as: 'hms-it', sponsorHuid: SAM })).items.map((g) => g.guestId)).toEqual([ids.bySam]);
    expect((await listGuests(it, { as: 'hms-it', expiringBefore: '2027-04-01' })).items.map((g) => g.guestId)).toEqual([ids.byLee]);
    expect((await listGuests(it, { as: 'hms-it', failed: 'true' })).items).toEqual([]);
    const refused = await listGuests(await clientAs(SAM), { as: 'hms-it' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 403, message: 'Only HMS IT may list every guest.' });
  });

  it('pages of up to 500, and not one more', async () => {
    const ada = await clientAs(SPONSOR.huid);
    expect((await listGuests(ada, { limit: 500 })).items).toHaveLength(2);
    const tooMany = await listGuests(ada, { limit: 501 }).catch((e: unknown) => e);
    expect(tooMany).toMatchObject({ status: 400, fieldErrors: [{ parameter: 'limit', detail: expect.any(String) }] });
  });
});

describe('a decision on the version read', () => {
  it('approves with If-Match from the ETag; the same ETag again is 412', async () => {
    // Prepare
    const ada = await clientAs(SPONSOR.huid);
    const read = await getGuest(ada, ids.byLee);
    expect(read.etag).toBe(`"${read.guest.version}"`);
    // Act
    const decided = await decide(ada, ids.byLee, read.etag, { decision: 'approve' });
    const again = await decide(ada, ids.byLee, read.etag, { decision: 'approve' }).catch((e: unknown) => e);
    // Assess
    expect(decided.guest.approval).toMatchObject({ decision: 'approve', by: SPONSOR.huid });
    expect(decided.etag).toBe(`"${decided.guest.version}"`);
    expect(again).toMatchObject({ status: 412 });
  });
});

describe('what API Gateway answers itself, as documented', () => {
  it('no token: 401 {"message":"Unauthorized"}; no such route: 404 {"message":"Not Found"}', async () => {
    const anonymous = createApiClient({ baseUrl: sys.apiUrl, fetch: contractFetch() });
    expect(await getMe(anonymous).catch((e: unknown) => e)).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
    const missing = await sys.raw('GET', '/v1/nothing-here');
    expect(missing).toMatchObject({ status: 404, body: { message: 'Not Found' } });
    expect(missing.headers.get('content-type')).toBe('application/json');
  });

  it('activation with a wrong code: the one 400 for every failure, through the client', async () => {
    const anonymous = createApiClient({ baseUrl: sys.apiUrl, fetch: contractFetch() });
    const wrong = await activate(anonymous, { accountId: 'xx123', code: 'ABCD-EFGH-IJKL-MNOP-QRST', password: 'weak' }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ status: 400, fieldErrors: [{ pointer: '#/code' }] });
  });
});
