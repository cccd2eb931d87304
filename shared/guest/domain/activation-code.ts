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

/** The prefix length an IPv6 client is counted by: one client commonly holds a whole /48 (a free tunnel broker gives one). */
export const IPV6_CLIENT_PREFIX = 48;

/**
 * The client a source address counts as, for the activation limits: an IPv4 address as it is (an
 * IPv4-mapped IPv6 address as its IPv4 address); an IPv6 address by its /48, so that one client
 * cannot pass for many addresses (the per-source window, the per-pair lock, and with them the
 * "at least ceiling / lockAfter addresses" the code lock takes). Anything else is its own client.
 */
export function activationClient(address: string): string {
  const ip = address.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!ip.includes(':')) return ip;
  const groups = expandIpv6(ip);
  if (!groups) return ip;
  if (groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff') {
    const [hi, lo] = [parseInt(groups[6]!, 16), parseInt(groups[7]!, 16)];
    return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
  }
  const prefix = groups.slice(0, IPV6_CLIENT_PREFIX / 16);
  while (prefix.at(-1) === '0') prefix.pop();
  return `${prefix.join(':')}::/${IPV6_CLIENT_PREFIX}`;
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail as two), lower case without leading zeros; undefined when it is not one. */
function expandIpv6(ip: string): string[] | undefined {
  let text = ip;
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const part = (h: string) => (h === '' ? [] : h.split(':'));
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return all.map((g) => parseInt(g, 16).toString(16));
}

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
