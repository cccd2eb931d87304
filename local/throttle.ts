/**
 * Token buckets (rate per second, burst), as API Gateway throttles, and the limits per client the
 * local gateway applies on top of each route's own (shared/http/routes.ts).
 */
import type { RouteKey, Throttle } from '../shared/http/routes.ts';

export type Limits = Throttle;

/**
 * Limits per client, well under the route ceilings so that no one client can use a route up for
 * everyone: per token subject on signed-in routes, per source address on public ones. An HTTP API
 * cannot apply these (its throttles are per route, for all callers); the local gateway applies
 * them, and in AWS they belong to a WAF rate-based rule on the CloudFront distribution in front of
 * the API (SECURITY.md, "Limits per client").
 */
export const CLIENT_THROTTLE: Throttle = { burstLimit: 60, rateLimit: 20 };
export const CLIENT_ROUTE_THROTTLES: Readonly<Partial<Record<RouteKey, Throttle>>> = {
  'POST /v1/activate': { burstLimit: 20, rateLimit: 2 },
};

/** The per-client throttle of a route key. */
export function clientThrottleFor(key: string): Throttle {
  return CLIENT_ROUTE_THROTTLES[key as RouteKey] ?? CLIENT_THROTTLE;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  take(key: string, limits: Limits, nowMs: number): boolean {
    const b = this.buckets.get(key) ?? { tokens: limits.burstLimit, at: nowMs };
    b.tokens = Math.min(limits.burstLimit, b.tokens + ((nowMs - b.at) / 1000) * limits.rateLimit);
    b.at = nowMs;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.buckets.set(key, b);
    if (this.buckets.size > 10_000) this.buckets.delete(this.buckets.keys().next().value!);
    return ok;
  }
}
