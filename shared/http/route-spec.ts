/**
 * What a route of the HTTP API is (routes.ts is the table, each lifecycle's routes in its folder).
 * API Gateway (infra/api.ts), the router (api.ts, one handler per route by name, checked by the
 * compiler), the OpenAPI document (openapi.ts) and the local gateway (local/api-server.ts) all read
 * the table. No CDK import.
 *
 * Each route says how it is reached (method, path, JWT or public, API Gateway throttle) and what it
 * takes and answers: the zod schemas here are the ones that validate the request (the router
 * parses path, query and body with them before the handler runs) and the ones the OpenAPI
 * document is written from.
 */
import type * as z from 'zod';

export type HttpMethod = 'GET' | 'POST';

export interface Throttle {
  /** Token bucket size (requests). */
  readonly burstLimit: number;
  /** Steady-state requests per second. */
  readonly rateLimit: number;
}

/** Default stage throttling, for every route: a ceiling for all callers together. */
export const DEFAULT_THROTTLE: Throttle = { burstLimit: 300, rateLimit: 100 };

export interface Operation {
  readonly summary: string;
  readonly description?: string;
  /** The path parameters, one per `{name}` in the path. */
  readonly params?: z.ZodObject;
  /** The query string parameters (none are read when absent). */
  readonly query?: z.ZodObject;
  /** The JSON body (none is read when absent); `required: false` takes an empty body as `{}`. */
  readonly body?: { readonly schema: z.ZodType; readonly required: boolean };
  /**
   * The write happens only on the version named by `If-Match: "<version>"` when one is sent (else
   * 412): the router reads the header on these routes only (shared/http/api.ts).
   */
  readonly ifMatch?: true;
  /**
   * The answer on success: its status (the router sends it), description, and schema (shared/guest/app/view.ts and shared/o2/app/view.ts;
   * a Guest when absent: then with the guest's `ETag`), whether it carries `Location` (a new resource
   * under the route's path) and, for one lab or O2 account, its `ETag` (its version, for If-Match).
   */
  readonly success: { readonly status: 200 | 201 | 202; readonly description: string; readonly schema?: z.ZodType; readonly location?: true; readonly etag?: true };
  /**
   * Statuses the use case answers with problem+json (RFC 9457), besides those every route of its
   * kind can answer (bad input, no token, a body too large, If-Match, Idempotency-Key, 500: see
   * `answersOf` in shared/http/openapi.ts).
   */
  readonly problems: readonly number[];
}

export interface RouteSpec {
  /** The handler's name in the router (shared/http/api.ts). */
  readonly name: string;
  readonly method: HttpMethod;
  /** API Gateway path, path parameters in braces (`/v1/guests/{guestId}`). */
  readonly path: string;
  /** true: the JWT authorizer must accept the bearer token; false: public. */
  readonly auth: boolean;
  /**
   * On a route with `auth`: the OAuth scopes its JWT authorizer requires, any one of them in the
   * token's `scope` claim (API Gateway's `authorizationScopes`). Absent: the rule of `scopesFor`.
   */
  readonly scopes?: readonly Scope[];
  /** API Gateway throttling of the route (all callers together); DEFAULT_THROTTLE when absent. */
  readonly throttle?: Throttle;
  readonly operation: Operation;
}

/** API Gateway route key, e.g. `POST /v1/activate`. */
export function routeKey(route: Pick<RouteSpec, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/**
 * The API's OAuth scopes, carried by access tokens in their `scope` claim (HarvardKey's, or the
 * local provider's). An ID token carries none, so it is refused (403) wherever scopes are required.
 */
export const SCOPES = { read: 'guests:read', write: 'guests:write' } as const;
export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

/**
 * The scopes the JWT authorizer requires on a route: its own `scopes`, else `guests:read` to read
 * (GET) and `guests:write` to change anything; none on a public route. CDK (infra/api.ts) and the
 * local gateway both read them from here.
 */
export function scopesFor(route: Pick<RouteSpec, 'method' | 'auth' | 'scopes'>): readonly Scope[] {
  if (!route.auth) return [];
  return route.scopes ?? [route.method === 'GET' ? SCOPES.read : SCOPES.write];
}

/** The throttle API Gateway applies to a route (all callers together). */
export function throttleFor(route: RouteSpec): Throttle {
  return route.throttle ?? DEFAULT_THROTTLE;
}

/** The path parameter names of a path, in order (`/v1/guests/{guestId}` → `['guestId']`). */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}
