/**
 * The pages' client of the API, typed by the OpenAPI document: `schema.d.ts` is generated from it
 * (`npm run build:client`, run by `npm run typecheck`), and openapi-fetch checks every path,
 * parameter, body and answer used here against it. A change of the API's contract that breaks a
 * call below fails the build.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type Schemas = components['schemas'];
export type Guest = Schemas['Guest'];
export type GuestPage = Schemas['GuestPage'];
export type HistoryItem = Schemas['HistoryItem'];
export type Me = Schemas['Me'];
export type ActivationResult = Schemas['ActivationResult'];
export type Problem = Schemas['Problem'];
/** API Gateway's own answers (no valid token, a missing scope, throttled, ...): `{"message": ...}`. */
export type GatewayError = Schemas['GatewayUnauthorized'] | Schemas['GatewayForbidden'] | Schemas['GatewayTooManyRequests'] | Schemas['GatewayRequestEntityTooLarge'] | Schemas['GatewayInternalServerError'];
export type ListQuery = NonNullable<paths['/v1/guests']['get']['parameters']['query']>;
export type Decision = NonNullable<paths['/v1/guests/{guestId}/decision']['post']['requestBody']>['content']['application/json'];
export type Activation = NonNullable<paths['/v1/activate']['post']['requestBody']>['content']['application/json'];
export type GuestRequest = NonNullable<paths['/v1/guests']['post']['requestBody']>['content']['application/json'];
export type Execution = Schemas['Execution'];
export type ExecutionEvent = Schemas['ExecutionEvent'];
export type SponsorStanding = Schemas['SponsorStanding'];
export type GuestStatus = Guest['status'];
export type Population = Guest['population'];
export type Service = Guest['services'][number];

export type ApiClient = Client<paths>;

/** An answer other than success: its status and body (problem details from the API, or API Gateway's own `{message}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Problem | GatewayError | undefined,
  ) {
    super(body && 'detail' in body ? body.detail : body && 'message' in body ? body.message : `HTTP ${status}`);
    this.name = 'ApiError';
  }

  /** The bad fields a 400 names, by JSON Pointer, parameter or header. */
  get fieldErrors(): NonNullable<Problem['errors']> {
    return this.body && 'errors' in this.body ? (this.body.errors ?? []) : [];
  }
}

/**
 * A client for `baseUrl` (the API's origin). `token` gives the access token for signed-in calls
 * (none for the activation page); it is asked for each request, so a refreshed token is used.
 */
export function createApiClient(options: { baseUrl: string; token?: () => string | undefined | Promise<string | undefined>; fetch?: (request: Request) => Promise<Response> }): ApiClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const bearer: Middleware = {
    async onRequest({ request }) {
      const token = await options.token?.();
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
  };
  client.use(bearer);
  return client;
}

function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) throw new ApiError(result.response.status, result.error as Problem | GatewayError | undefined);
  return result.data;
}

/** The ETag of an answer holding one guest: send it back as If-Match. */
function etagOf(response: Response): string {
  const etag = response.headers.get('ETag');
  if (!etag) throw new Error('The answer has no ETag');
  return etag;
}

/** Who is signed in: roles, whether they may sponsor (and why not), the sponsors who named them. */
export async function getMe(client: ApiClient): Promise<Me> {
  return ok(await client.GET('/v1/me'));
}

/** A page of guests: the caller's own, a delegate's across their sponsors (`as: 'delegate'`), or every guest (`as: 'hms-it'`). */
export async function listGuests(client: ApiClient, query: ListQuery = {}): Promise<GuestPage> {
  return ok(await client.GET('/v1/guests', { params: { query } }));
}

/** Every guest of a list, page after page. */
export async function* allGuests(client: ApiClient, query: Omit<ListQuery, 'cursor'> = {}): AsyncGenerator<Guest> {
  let cursor: string | undefined;
  do {
    const page = await listGuests(client, { ...query, limit: query.limit ?? 500, ...(cursor ? { cursor } : {}) });
    yield* page.items;
    cursor = page.cursor ?? undefined;
  } while (cursor);
}

/** One guest, with the ETag to write on exactly this version. */
export async function getGuest(client: ApiClient, guestId: string): Promise<{ guest: Guest; etag: string }> {
  const result = await client.GET('/v1/guests/{guestId}', { params: { path: { guestId } } });
  return { guest: ok(result), etag: etagOf(result.response) };
}

/** The sponsor approves or denies, on the version read (412 if it changed since). */
export async function decide(client: ApiClient, guestId: string, etag: string, decision: Decision, key?: string): Promise<{ guest: Guest; etag: string }> {
  const result = await client.POST('/v1/guests/{guestId}/decision', { params: { path: { guestId }, header: { 'If-Match': etag, ...(key ? { 'Idempotency-Key': key } : {}) } }, body: decision });
  return { guest: ok(result), etag: etagOf(result.response) };
}

/** A fresh Idempotency-Key for one action of the person (a retry of the same action may send it again). */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}

/** A guest and its ETag from an answer holding one guest. */
function guestOf(result: { data?: Guest; error?: unknown; response: Response }): { guest: Guest; etag: string } {
  return { guest: ok(result), etag: etagOf(result.response) };
}

/** A sponsor (or a delegate, naming the sponsor) requests an account (202: the lifecycle has started). */
export async function requestGuest(client: ApiClient, request: GuestRequest, key = idempotencyKey()): Promise<{ guest: Guest; etag: string }> {
  return guestOf(await client.POST('/v1/guests', { params: { header: { 'Idempotency-Key': key } }, body: request }));
}

/** The sponsor extends (or restores within 30 days of expiry) to a new end date. */
export async function extendGuest(client: ApiClient, guestId: string, etag: string, endDate: string, key = idempotencyKey()): Promise<{ guest: Guest; etag: string }> {
  return guestOf(await client.POST('/v1/guests/{guestId}/extension', { params: { path: { guestId }, header: { 'If-Match': etag, 'Idempotency-Key': key } }, body: { endDate } }));
}

/** The sponsor or HMS IT cancels the request or the account. */
export async function cancelGuest(client: ApiClient, guestId: string, etag: string, reason?: string, key = idempotencyKey()): Promise<{ guest: Guest; etag: string }> {
  return guestOf(await client.POST('/v1/guests/{guestId}/cancel', { params: { path: { guestId }, header: { 'If-Match': etag, 'Idempotency-Key': key } }, body: reason ? { reason } : {} }));
}

/** The sponsor sends a new activation code (the old one stops working). */
export async function resendActivation(client: ApiClient, guestId: string, etag: string, key = idempotencyKey()): Promise<{ guest: Guest; etag: string }> {
  return guestOf(await client.POST('/v1/guests/{guestId}/activation/resend', { params: { path: { guestId }, header: { 'If-Match': etag, 'Idempotency-Key': key } }, body: {} }));
}

/** HMS IT expires the account now. */
export async function expireGuest(client: ApiClient, guestId: string, etag: string, reason?: string, key = idempotencyKey()): Promise<{ guest: Guest; etag: string }> {
  return guestOf(await client.POST('/v1/guests/{guestId}/expire', { params: { path: { guestId }, header: { 'If-Match': etag, 'Idempotency-Key': key } }, body: reason ? { reason } : {} }));
}

/** HMS IT moves the guest to another (eligible) sponsor. */
export async function reassignGuest(client: ApiClient, guestId: string, etag: string, sponsorHuid: string, reason?: string, key = idempotencyKey()): Promise<{ guest: Guest; etag: string }> {
  return guestOf(
    await client.POST('/v1/guests/{guestId}/reassign', { params: { path: { guestId }, header: { 'If-Match': etag, 'Idempotency-Key': key } }, body: { sponsorHuid, ...(reason ? { reason } : {}) } }),
  );
}

/** HMS IT: the guest's Step Functions executions, newest first, with their latest events. */
export async function guestExecutions(client: ApiClient, guestId: string): Promise<Execution[]> {
  return ok(await client.GET('/v1/guests/{guestId}/executions', { params: { path: { guestId } } })).items;
}

/** HMS IT: whether these people may sponsor now (at most 100 HUIDs a call). */
export async function sponsorStandings(client: ApiClient, huids: readonly string[]): Promise<SponsorStanding[]> {
  const unique = [...new Set(huids)].sort();
  const out: SponsorStanding[] = [];
  for (let i = 0; i < unique.length; i += 100) {
    out.push(...ok(await client.GET('/v1/sponsors', { params: { query: { huids: unique.slice(i, i + 100).join(',') } } })).items);
  }
  return out;
}

/** The audit trail of a guest. */
export async function guestHistory(client: ApiClient, guestId: string): Promise<HistoryItem[]> {
  return ok(await client.GET('/v1/guests/{guestId}/history', { params: { path: { guestId } } })).items;
}

/** The guest activates their account with the emailed account ID and code (no sign-in). */
export type HsrConfirmation = Schemas['HsrConfirmation'];

/** A guest's HSR by its exact HUID, to confirm whose it is before requesting (sponsors and delegates). */
export async function confirmHsr(client: ApiClient, huid: string): Promise<HsrConfirmation> {
  return ok(await client.GET('/v1/hsr/{huid}', { params: { path: { huid } } }));
}

export async function activate(client: ApiClient, activation: Activation): Promise<ActivationResult> {
  return ok(await client.POST('/v1/activate', { body: activation }));
}
