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
export async function decide(client: ApiClient, guestId: string, etag: string, decision: Decision): Promise<{ guest: Guest; etag: string }> {
  const result = await client.POST('/v1/guests/{guestId}/decision', { params: { path: { guestId }, header: { 'If-Match': etag } }, body: decision });
  return { guest: ok(result), etag: etagOf(result.response) };
}

/** The audit trail of a guest. */
export async function guestHistory(client: ApiClient, guestId: string): Promise<HistoryItem[]> {
  return ok(await client.GET('/v1/guests/{guestId}/history', { params: { path: { guestId } } })).items;
}

/** The guest activates their account with the emailed account ID and code (no sign-in). */
export async function activate(client: ApiClient, activation: Activation): Promise<ActivationResult> {
  return ok(await client.POST('/v1/activate', { body: activation }));
}
