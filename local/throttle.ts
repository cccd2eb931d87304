/** Token buckets (rate per second, burst), as API Gateway throttles; one per key (the route key). */
export interface Limits {
  rateLimit: number;
  burstLimit: number;
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
