/**
 * Limits per client, one source for the two places that apply them: the local gateway (token
 * buckets, local/throttle.ts) and, in AWS, the WAF web ACL on the CloudFront distribution
 * (rate-based rules, infra/edge-stack.ts). An HTTP API's own throttles are per route, for every
 * caller together (shared/http/routes.ts); these are well under them, so that no one client can use
 * a route up for everyone. No CDK import.
 */
import type { RouteKey, Throttle } from './routes.ts';

/** Per client on signed-in routes: the token's subject locally, the `Authorization` header at the edge. */
export const CLIENT_THROTTLE: Throttle = { burstLimit: 60, rateLimit: 20 };

/** Per client on the routes that need their own (the source address: these routes are public). */
export const CLIENT_ROUTE_THROTTLES: Readonly<Partial<Record<RouteKey, Throttle>>> = {
  'POST /v1/activate': { burstLimit: 20, rateLimit: 2 },
};

/** The per-client throttle of a route key. */
export function clientThrottleFor(key: string): Throttle {
  return CLIENT_ROUTE_THROTTLES[key as RouteKey] ?? CLIENT_THROTTLE;
}

/**
 * The most requests a token bucket lets one client make in `seconds`: its whole burst, then its
 * rate. A WAF rate-based rule counts requests over a window instead of refilling a bucket: this is
 * the count over that window that matches the bucket.
 */
export function requestsPerWindow(throttle: Throttle, seconds: number): number {
  return throttle.burstLimit + throttle.rateLimit * seconds;
}

/** The evaluation window of the WAF rate-based rules (WAF allows 60, 120, 300 or 600 seconds). */
export const EDGE_WINDOW_SECONDS = 60;
