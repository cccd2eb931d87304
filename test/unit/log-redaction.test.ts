import { describe, expect, it } from 'vitest';
import { redactForLog } from '../../shared/adapters/log-redaction.ts';

describe('log redaction', () => {
  it.each([
    ['guestEmail', 'grace@example.org', '[redacted]'],
    ['guestName', 'Grace Guest', '[redacted]'],
    ['firstName', 'Grace', '[redacted]'],
    ['taskToken', 'abc', '[redacted]'],
    ['password', 'correct-tulip-7-lantern', '[redacted]'],
    ['token', 'the-directory-bearer-token', '[redacted]'],
    ['SecretString', 'the-directory-bearer-token', '[redacted]'],
    ['authorization', 'Bearer the-directory-bearer-token', '[redacted]'],
    ['message', 'mail to grace.guest@example.org failed', 'mail to [email redacted] failed'],
    ['status', 'ACTIVE', 'ACTIVE'],
    ['count', 3, 3],
  ])('%s', (key, value, expected) => {
    expect(redactForLog(key, value)).toEqual(expected);
  });

  it('applies through JSON.stringify, at any depth', () => {
    const out = JSON.stringify({ guest: { guestEmail: 'a@b.org', status: 'ACTIVE' }, error: { message: 'x@y.edu' } }, (k, v) => redactForLog(k, v));
    expect(out).not.toMatch(/a@b\.org|x@y\.edu/);
    expect(out).toContain('ACTIVE');
  });

  it('never shows the password of an activation, whatever object holds it', () => {
    const out = JSON.stringify({ body: { accountId: 'ggu123', code: 'ABCDE-FGHJK', password: 'correct-tulip-7-lantern' } }, (k, v) => redactForLog(k, v));
    expect(out).not.toContain('correct-tulip-7-lantern');
    expect(out).not.toContain('ABCDE-FGHJK');
    expect(out).toContain('ggu123');
  });
});
