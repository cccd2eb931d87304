/**
 * The pages' client of the O2 part of the API (issue 14): labs and O2 research-cluster accounts,
 * typed by the OpenAPI document as the guest calls in client.ts are. Every write sends the version
 * the page shows (If-Match) and an Idempotency-Key.
 */
import { ApiError, idempotencyKey, type ApiClient, type GatewayError, type Problem, type Schemas } from './client.ts';

export type O2Account = Schemas['O2Account'];
export type O2Status = O2Account['status'];
export type Lab = Schemas['Lab'];
export type Institution = Lab['institution'];
export type O2HistoryItem = Schemas['O2HistoryItem'];

type Result<T> = { data?: T; error?: unknown; response: Response };

function ok<T>(result: Result<T>): T {
  if (result.data === undefined) throw new ApiError(result.response.status, result.error as Problem | GatewayError | undefined);
  return result.data;
}

/** The ETag of an answer holding one record (`"<version>"`), else the version the record carries. */
function etagOf(response: Response, version: number): string {
  return response.headers.get('ETag') ?? `"${version}"`;
}

function o2Of(result: Result<O2Account>): { o2: O2Account; etag: string } {
  const o2 = ok(result);
  return { o2, etag: etagOf(result.response, o2.version) };
}

function labOf(result: Result<Lab>): { lab: Lab; etag: string } {
  const lab = ok(result);
  return { lab, etag: etagOf(result.response, lab.version) };
}

const writeHeaders = (etag: string | undefined, key: string) => ({ ...(etag ? { 'If-Match': etag } : {}), 'Idempotency-Key': key });

// --- Labs ---

export type PiConfirmation = Schemas['PiConfirmation'];

/** A PI by their exact HUID: the name to confirm and the labs they head, to pick by name. */
export async function confirmPi(client: ApiClient, huid: string): Promise<PiConfirmation> {
  return ok(await client.GET('/v1/pis/{huid}', { params: { path: { huid } } }));
}

export type LabCard = Schemas['LabSearch']['labs'][number];

/** Labs by the beginnings of the words of their name or their PI's name (at least two letters). */
export async function findLabs(client: ApiClient, q: string): Promise<LabCard[]> {
  return ok(await client.GET('/v1/lab-search', { params: { query: { q } } })).labs;
}

export type LabRequest = { name: string; institution: Institution; piHuid?: string };
export type LabRegistrationRequest = { chargeback: { charged: true; account: string } | { charged: false }; billingContact: { name: string; email: string } };

/** A PI registers their lab's record (RC Core staff may for any PI): on-Quad or off-Quad is derived. */
export async function createLab(client: ApiClient, body: LabRequest, key = idempotencyKey()): Promise<{ lab: Lab; etag: string }> {
  return labOf(await client.POST('/v1/labs', { params: { header: { 'Idempotency-Key': key } }, body }));
}

export async function getLab(client: ApiClient, labId: string): Promise<{ lab: Lab; etag: string }> {
  return labOf(await client.GET('/v1/labs/{labId}', { params: { path: { labId } } }));
}

/** The caller's labs (or a PI's), or with `registration: 'pending'` the RC Core's queue; every page. */
export async function listLabs(client: ApiClient, query: { registration?: 'pending' | 'registered' | 'not-required'; piHuid?: string } = {}): Promise<Lab[]> {
  const out: Lab[] = [];
  let cursor: string | undefined;
  do {
    const page = ok(await client.GET('/v1/labs', { params: { query: { ...query, limit: 500, ...(cursor ? { cursor } : {}) } } }));
    out.push(...page.items);
    cursor = page.cursor ?? undefined;
  } while (cursor);
  return out;
}

/** RC Core staff register an off-Quad lab, with its chargeback details. */
export async function registerLab(client: ApiClient, labId: string, etag: string | undefined, body: LabRegistrationRequest, key = idempotencyKey()): Promise<{ lab: Lab; etag: string }> {
  return labOf(await client.POST('/v1/labs/{labId}/registration', { params: { path: { labId }, header: writeHeaders(etag, key) }, body }));
}

// --- O2 accounts ---

export type O2Request = { userHuid: string; piHuid: string; labId: string; justification?: string; hmsSponsorHuid?: string };

/** The user, the PI, a manager of the lab or the RC Core asks for an O2 account (202: its lifecycle has started). */
export async function requestO2(client: ApiClient, body: O2Request, key = idempotencyKey()): Promise<{ o2: O2Account; etag: string }> {
  return o2Of(await client.POST('/v1/o2-accounts', { params: { header: { 'Idempotency-Key': key } }, body }));
}

export async function getO2(client: ApiClient, o2AccountId: string): Promise<{ o2: O2Account; etag: string }> {
  return o2Of(await client.GET('/v1/o2-accounts/{o2AccountId}', { params: { path: { o2AccountId } } }));
}

/** The caller's O2 accounts as user or as PI, or the RC Core's queue (`as: 'rc-core'`); every page. */
export async function listO2(client: ApiClient, query: { as?: 'user' | 'pi' | 'rc-core'; status?: O2Status } = {}): Promise<O2Account[]> {
  const out: O2Account[] = [];
  let cursor: string | undefined;
  do {
    const page = ok(await client.GET('/v1/o2-accounts', { params: { query: { ...query, limit: 500, ...(cursor ? { cursor } : {}) } } }));
    out.push(...page.items);
    cursor = page.cursor ?? undefined;
  } while (cursor);
  return out;
}

export async function o2History(client: ApiClient, o2AccountId: string): Promise<O2HistoryItem[]> {
  return ok(await client.GET('/v1/o2-accounts/{o2AccountId}/history', { params: { path: { o2AccountId } } })).items;
}

/** The sponsoring PI (or the lab) approves or denies. */
export async function decideO2(client: ApiClient, o2AccountId: string, etag: string, body: { decision: 'approve' | 'deny'; reason?: string }, key = idempotencyKey()) {
  return o2Of(await client.POST('/v1/o2-accounts/{o2AccountId}/decision', { params: { path: { o2AccountId }, header: writeHeaders(etag, key) }, body }));
}

/** RC Core staff: the O2 account is created, with the Unix username (= the HMS account ID). */
export async function completeO2(client: ApiClient, o2AccountId: string, etag: string, body: { unixUsername: string; endDate?: string }, key = idempotencyKey()) {
  return o2Of(await client.POST('/v1/o2-accounts/{o2AccountId}/completion', { params: { path: { o2AccountId }, header: writeHeaders(etag, key) }, body }));
}

/** The user or the PI: renew an expired off-Quad account (emails the RC Core, the PI in cc). */
export async function renewO2(client: ApiClient, o2AccountId: string, etag: string, body: { note?: string }, key = idempotencyKey()) {
  return o2Of(await client.POST('/v1/o2-accounts/{o2AccountId}/renewal', { params: { path: { o2AccountId }, header: writeHeaders(etag, key) }, body }));
}

export async function cancelO2(client: ApiClient, o2AccountId: string, etag: string, body: { reason?: string }, key = idempotencyKey()) {
  return o2Of(await client.POST('/v1/o2-accounts/{o2AccountId}/cancel', { params: { path: { o2AccountId }, header: writeHeaders(etag, key) }, body }));
}

/** Leaving HMS: keep O2 on a sponsored guest account with the same HMS account ID. */
export async function retainO2(client: ApiClient, o2AccountId: string, etag: string, body: { hmsSponsorHuid?: string; endDate?: string }, key = idempotencyKey()) {
  return o2Of(await client.POST('/v1/o2-accounts/{o2AccountId}/retain', { params: { path: { o2AccountId }, header: writeHeaders(etag, key) }, body }));
}
