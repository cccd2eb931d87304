/** Rule 8: activation codes are random (128 bits), shown once, stored only as a hash. */
import { createHash, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // 32 symbols, no 0/O or 1/I

/** 26 symbols of 5 bits = 130 bits, from the random bytes given; grouped for reading aloud. */
export function formatActivationCode(random: Buffer): string {
  if (random.length < 17) throw new RangeError('an activation code needs at least 17 random bytes');
  let bits = 0n;
  for (const b of random.subarray(0, 17)) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 26; i++) {
    out += ALPHABET[Number(bits & 31n)];
    bits >>= 5n;
  }
  return out.match(/.{1,5}/g)!.join('-');
}

export function normalizeActivationCode(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

export function hashActivationCode(code: string): string {
  return createHash('sha256').update(`hms-guest-activation:${normalizeActivationCode(code)}`).digest('hex');
}

/** Constant-time comparison of a presented code with a stored hash. */
export function activationCodeMatches(presented: string, storedHash: string | undefined): boolean {
  const a = Buffer.from(hashActivationCode(presented), 'hex');
  const b = Buffer.from(storedHash ?? '0'.repeat(64), 'hex');
  return a.length === b.length && timingSafeEqual(a, b) && storedHash !== undefined;
}

/**
 * Activation attempts per source address: at most `attempts` in each fixed window of `windowMs`,
 * on top of the per-code lockout after 5 wrong codes (API Gateway throttles per route, not per address).
 */
export const ACTIVATION_ATTEMPTS_PER_SOURCE = { attempts: 10, windowMs: 15 * 60_000 } as const;

export function activationAttemptWindow(now: Date): { window: string; retryAfterSeconds: number; expiresAt: Date } {
  const { windowMs } = ACTIVATION_ATTEMPTS_PER_SOURCE;
  const start = Math.floor(now.getTime() / windowMs) * windowMs;
  return {
    window: new Date(start).toISOString(),
    retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - now.getTime()) / 1000)),
    // Kept a day past the window, then removed by the table's TTL.
    expiresAt: new Date(start + windowMs + 86_400_000),
  };
}
