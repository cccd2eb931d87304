import { describe, expect, it } from 'vitest';
import {
  ACTIVATION_ATTEMPTS_PER_SOURCE,
  activationAttemptWindow,
  activationCodeMatches,
  formatActivationCode,
  hashActivationCode,
} from '../../shared/domain/activation-code.ts';

describe('activation codes (rule 8)', () => {
  it('has 26 symbols (130 bits) in groups of five, from an alphabet without 0/O and 1/I', () => {
    // Prepare / Act
    const code = formatActivationCode(Buffer.alloc(17, 0xa5));

    // Assess
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{5}(-[A-HJ-NP-Z2-9]{5}){4}-[A-HJ-NP-Z2-9]$/);
  });

  it('refuses fewer than 17 random bytes (it would have under 128 bits)', () => {
    expect(() => formatActivationCode(Buffer.alloc(16))).toThrow(RangeError);
  });

  it('matches its hash whatever the case and grouping, and nothing else', () => {
    // Prepare
    const code = formatActivationCode(Buffer.from('0123456789abcdef0123456789abcdef01', 'hex'));
    const hash = hashActivationCode(code);

    // Act / Assess
    expect(activationCodeMatches(code.toLowerCase().replace(/-/g, ' '), hash)).toBe(true);
    expect(activationCodeMatches(`${code.slice(0, -1)}${code.endsWith('X') ? 'Y' : 'X'}`, hash)).toBe(false);
    expect(activationCodeMatches(code, undefined)).toBe(false);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(code);
  });
});

describe('activation attempts per source address', () => {
  const { windowMs } = ACTIVATION_ATTEMPTS_PER_SOURCE;

  it('puts instants of one window in the same fixed window, and says how long until it ends', () => {
    // Prepare
    const start = Date.parse('2027-01-04T14:00:00.000Z');

    // Act
    const first = activationAttemptWindow(new Date(start));
    const last = activationAttemptWindow(new Date(start + windowMs - 1));
    const next = activationAttemptWindow(new Date(start + windowMs));

    // Assess
    expect(first.window).toBe('2027-01-04T14:00:00.000Z');
    expect(last.window).toBe(first.window);
    expect(next.window).not.toBe(first.window);
    expect(first.retryAfterSeconds).toBe(windowMs / 1000);
    expect(last.retryAfterSeconds).toBe(1);
  });

  it('keeps a counter a day past its window, for the TTL to remove', () => {
    const w = activationAttemptWindow(new Date('2027-01-04T14:07:00.000Z'));
    expect(w.expiresAt.toISOString()).toBe(new Date(Date.parse(w.window) + windowMs + 86_400_000).toISOString());
  });
});
