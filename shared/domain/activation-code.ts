/** Rule "Activation email": activation codes are random (128 bits), shown once, stored only as a hash. */
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
 * Activation guessing limits (SECURITY.md, "Activation"). Every attempt is counted before the code is
 * compared, each with its own conditional counter, so parallel guesses are all counted. None of
 * them depends on whether the account ID exists: a stranger learns nothing from being slowed down.
 *
 * - per source address: at most `perSource.attempts` attempts in each fixed window, whatever the account;
 * - per (account ID, source address): an exponential delay between attempts (1 s, 2 s, 4 s, ... after
 *   the 1st, 2nd, 3rd attempt), and after `perPair.lockAfter` attempts that pair is locked for
 *   `perPair.lockMs`; other addresses (the guest's own) are not affected;
 * - per account ID and code: a generous ceiling over all addresses. At `perAccount.burst` attempts
 *   the sponsor is told; at `perAccount.ceiling` the code is locked (a resend issues a new one), the
 *   sponsor is told and HMS IT is alerted. Reaching it takes at least ceiling / lockAfter addresses.
 */
export const ACTIVATION_LIMITS = {
  perSource: { attempts: 10, windowMs: 15 * 60_000 },
  perPair: { baseDelayMs: 1_000, maxDelayMs: 15 * 60_000, lockAfter: 10, lockMs: 24 * 3_600_000 },
  /** `lockedRetryAfterSeconds`: what a caller is told to wait once the code is locked (until the sponsor sends a new one). */
  perAccount: { burst: 20, ceiling: 100, lockedRetryAfterSeconds: 3600 },
} as const;

/** Kept for the tests and documents that name the per-source limit. */
export const ACTIVATION_ATTEMPTS_PER_SOURCE = ACTIVATION_LIMITS.perSource;

export function activationAttemptWindow(now: Date): { window: string; retryAfterSeconds: number; expiresAt: Date } {
  const { windowMs } = ACTIVATION_LIMITS.perSource;
  const start = Math.floor(now.getTime() / windowMs) * windowMs;
  return {
    window: new Date(start).toISOString(),
    retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - now.getTime()) / 1000)),
    // Kept a day past the window, then removed by the table's TTL.
    expiresAt: new Date(start + windowMs + 86_400_000),
  };
}

/** What one (account ID, source address) pair has done so far. */
export interface PairAttempts {
  attempts: number;
  lastAt: string;
}

/** How long a pair waits after `attempts` attempts before the next one: 0, then 1 s, 2 s, 4 s, ... up to the maximum. */
export function pairDelayMs(attempts: number): number {
  const { baseDelayMs, maxDelayMs } = ACTIVATION_LIMITS.perPair;
  if (attempts <= 0) return 0;
  return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempts - 1, 30));
}

/** May this pair try now? If not, for how long it must wait. */
export function pairVerdict(record: PairAttempts | undefined, now: Date): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
  if (!record) return { allowed: true };
  const { lockAfter, lockMs } = ACTIVATION_LIMITS.perPair;
  const last = Date.parse(record.lastAt);
  const until = record.attempts >= lockAfter ? last + lockMs : last + pairDelayMs(record.attempts);
  if (now.getTime() >= until) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((until - now.getTime()) / 1000)) };
}

/** A pair's record is kept as long as it can still slow anyone down, then removed by the table's TTL. */
export function pairRecordExpiry(now: Date): Date {
  return new Date(now.getTime() + ACTIVATION_LIMITS.perPair.lockMs + 86_400_000);
}

/** What reaching this many attempts on one account and code means: nothing, tell the sponsor, or lock the code. */
export function accountAttemptsMilestone(attempts: number): 'burst' | 'ceiling' | undefined {
  if (attempts === ACTIVATION_LIMITS.perAccount.ceiling) return 'ceiling';
  if (attempts === ACTIVATION_LIMITS.perAccount.burst) return 'burst';
  return undefined;
}
