import { describe, expect, it } from 'vitest';
import { hasLineBreak, hasUnsafeCharacters, safeLine, safeText } from '../../shared/core/domain/text.ts';
import { emails } from '../../shared/guest/app/emails.ts';
import type { Guest } from '../../shared/guest/domain/model.ts';
import type { Person } from '../../shared/core/domain/people.ts';

describe('text from outside', () => {
  it.each([
    ['plain', 'Ada Lovelace', false, false],
    ['accents and CJK', 'José 李', false, false],
    ['a line feed', 'a\nb', true, false],
    ['a tab', 'a\tb', true, false],
    ['CR LF', 'a\r\nb', true, true],
    ['NUL', 'a\u0000', true, true],
    ['BEL', 'a\u0007', true, true],
    ['DEL', 'a\u007F', true, true],
    ['a C1 control', 'a\u0085', true, true],
    ['a right-to-left override', 'a\u202Eb', true, true],
    ['a bidi isolate', 'a\u2066b', true, true],
    ['a left-to-right mark', 'a\u200Eb', true, true],
    ['a line separator', 'a\u2028b', true, true],
  ])('%s: unsafe in one line %s, in several lines %s', (_case, s, oneLine, multi) => {
    expect(hasUnsafeCharacters(s) || hasLineBreak(s)).toBe(oneLine);
    expect(hasUnsafeCharacters(s, { multiline: true })).toBe(multi);
  });

  it('renders safely: breaks become spaces, other controls go, one bounded line', () => {
    expect(safeText('Eve\r\nBcc: x\u0007\u202E')).toBe('Eve  Bcc: x');
    expect(safeLine('Eve\r\nBcc:   x', 150)).toBe('Eve Bcc: x');
    expect(safeLine('x'.repeat(200), 150)).toHaveLength(150);
  });

  it('an email built from hostile names has a one-line subject and no control characters', () => {
    // Prepare
    const guest = { guestId: 'g1', guestName: 'Eve\r\nBcc: attacker@example.com\u202E', accountId: 'eev123', endDate: '2027-06-30' } as Guest;
    const sponsor = { name: 'Ada\u0000', email: 'ada@hms.harvard.edu' } as Person;

    // Act
    const mail = emails.expiryNotice(guest, sponsor, { activationUrl: 'https://x/activate', portalUrl: 'https://x' }, '2027-06-23');

    // Assess
    expect(mail.subject).toBe('HMS guest account eev123 for Eve Bcc: attacker@example.com expires on 2027-06-30');
    expect(mail.text).not.toMatch(/[\r\u0000\u202E]|\nBcc:/);
    expect(mail.html).not.toMatch(/[\r\n\u0000\u202E]/);
  });
});
