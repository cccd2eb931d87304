import { describe, expect, it } from 'vitest';
import {
  ACTIVATION_ATTEMPTS_PER_SOURCE,
  activationClient,
  activationAttemptWindow,
  activationCodeMatches,
  formatActivationCode,
  hashActivationCode,
} from '../../shared/guest/domain/activation-code.ts';

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

describe('activationClient: what a source address counts as', () => {
  it.each([
    ['an IPv4 address', '198.51.100.7', '198.51.100.7'],
    ['an IPv4-mapped IPv6 address', '::ffff:198.51.100.7', '198.51.100.7'],
    ['an IPv4-mapped IPv6 address, written out', '0:0:0:0:0:ffff:c633:6407', '198.51.100.7'],
    ['an IPv6 address: its /48', '2001:db8:abcd:12::1', '2001:db8:abcd::/48'],
    ['another address of that /48, written out with leading zeros', '2001:0DB8:ABCD:FFFF:0000:0000:0000:0001', '2001:db8:abcd::/48'],
    ['in brackets, with a zone', '[2001:db8:abcd::9%eth0]', '2001:db8:abcd::/48'],
    ['a /48 ending in zeros', '2001:db8::1', '2001:db8::/48'],
    ['an embedded IPv4 tail', '64:ff9b:1::198.51.100.7', '64:ff9b:1::/48'],
    ['not an address: itself', 'garbage', 'garbage'],
    ['too many groups: itself', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8:9'],
  ])('%s: %s → %s', (_name, address, client) => {
    expect(activationClient(address)).toBe(client);
  });

  it('addresses of another /48 are another client', () => {
    expect(activationClient('2001:db8:abce::1')).not.toBe(activationClient('2001:db8:abcd::1'));
  });
});
