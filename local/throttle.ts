/**
 * Token buckets (rate per second, burst), as API Gateway throttles; the local gateway applies the
 * limits per client (shared/http/client-limits.ts) on top of each route's own (shared/http/routes.ts).
 */
import type { Throttle } from '../shared/http/routes.ts';

export type Limits = Throttle;

// The limits per client are declared once, beside the routes: the WAF web ACL in AWS reads them too.
export { CLIENT_ROUTE_THROTTLES, CLIENT_THROTTLE, clientThrottleFor } from '../shared/http/client-limits.ts';

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
