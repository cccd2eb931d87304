/**
 * The HTTP API's route table and throttling, with no CDK imports: the stack (infra/api.ts) builds
 * API Gateway from it, and the local API server imports it to apply the same rules locally.
 */

export type HttpMethod = 'GET' | 'POST';

export interface Route {
  readonly method: HttpMethod;
  /** API Gateway path, path parameters in braces (`/v1/guests/{guestId}`). */
  readonly path: string;
  /** true: the JWT authorizer must accept the bearer token; false: public. */
  readonly auth: boolean;
}

export const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/v1/guests', auth: true },
  { method: 'GET', path: '/v1/guests', auth: true },
  { method: 'GET', path: '/v1/guests/{guestId}', auth: true },
  { method: 'POST', path: '/v1/guests/{guestId}/decision', auth: true },
  { method: 'POST', path: '/v1/guests/{guestId}/extension', auth: true },
  { method: 'POST', path: '/v1/guests/{guestId}/cancel', auth: true },
  { method: 'POST', path: '/v1/guests/{guestId}/activation/resend', auth: true },
  { method: 'GET', path: '/v1/guests/{guestId}/history', auth: true },
  // HMS IT only (the handler checks the groups claim).
  { method: 'POST', path: '/v1/guests/{guestId}/expire', auth: true },
  { method: 'POST', path: '/v1/guests/{guestId}/reassign', auth: true },
  // Public: the guest activates with the emailed code; the OpenAPI document.
  { method: 'POST', path: '/v1/activate', auth: false },
  { method: 'GET', path: '/openapi.json', auth: false },
];

/** API Gateway route key, e.g. `POST /v1/activate`. */
export function routeKey(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

export interface Throttle {
  /** Token bucket size (requests). */
  readonly burstLimit: number;
  /** Steady-state requests per second. */
  readonly rateLimit: number;
}

/** Default stage throttling, for every route: a ceiling for all callers together. */
export const DEFAULT_THROTTLE: Throttle = { burstLimit: 300, rateLimit: 100 };

/**
 * Stricter throttling per route key (public, unauthenticated endpoints). API Gateway applies it to
 * the route as a whole, from every caller together; the limit per source address and the lockout
 * per code are enforced by the activation use case (shared/domain/activation-code.ts).
 */
export const ROUTE_THROTTLES: Readonly<Record<string, Throttle>> = {
  'POST /v1/activate': { burstLimit: 100, rateLimit: 50 },
};

/** The throttle that applies to a route key. */
export function throttleFor(key: string): Throttle {
  return ROUTE_THROTTLES[key] ?? DEFAULT_THROTTLE;
}

/**
 * Limits per client, well under the route ceilings so that no one client can use a route up for
 * everyone: per token subject on signed-in routes, per source address on public ones. An HTTP API
 * cannot apply these (its throttles are per route, for all callers); the local gateway applies
 * them, and in AWS they belong to a WAF rate-based rule on the CloudFront distribution in front of
 * the API (SECURITY.md, "Limits per client").
 */
export const CLIENT_THROTTLE: Throttle = { burstLimit: 60, rateLimit: 20 };
export const CLIENT_ROUTE_THROTTLES: Readonly<Record<string, Throttle>> = {
  'POST /v1/activate': { burstLimit: 20, rateLimit: 2 },
};

/** The per-client throttle of a route key. */
export function clientThrottleFor(key: string): Throttle {
  return CLIENT_ROUTE_THROTTLES[key] ?? CLIENT_THROTTLE;
}

/**
 * A path segment, percent-decoded; one that is not valid percent-encoded UTF-8 (`%E0%A4%A`) is
 * passed on as it came, for the handler to refuse as a bad parameter rather than fail here.
 */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Finds the route for a request, returning it with the path parameters. Literal segments must
 * match exactly; `{name}` matches one non-empty segment.
 */
export function matchRoute(
  method: string,
  path: string,
  routes: readonly Route[] = ROUTES,
): { route: Route; pathParameters: Record<string, string> } | undefined {
  const segments = path.split('/');
  for (const route of routes) {
    if (route.method !== method.toUpperCase()) continue;
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const p = pattern[i]!;
      const s = segments[i]!;
      const param = /^\{(\w+)\}$/.exec(p);
      if (param) {
        if (s === '') ok = false;
        else pathParameters[param[1]!] = decodePathSegment(s);
      } else if (p !== s) ok = false;
    }
    if (ok) return { route, pathParameters };
  }
  return undefined;
}
