/** Rule "Password policy" (shared/guest/domain/password-policy.ts): each rule, and what it does not refuse. */
import { describe, expect, it } from 'vitest';
import { MIN_PASSWORD_LENGTH, PASSWORD_RULES, passwordProblem } from '../../shared/guest/domain/password-policy.ts';

const grace = { accountId: 'ggu123', names: ['Grace Guest'] };

describe('passwordProblem', () => {
  it.each([
    ['', 'length'],
    ['a'.repeat(MIN_PASSWORD_LENGTH - 1), 'length'],
    ['🌷🌷🌷🌷🌷🌷🌷🌷🌷🌷🌷', 'length'],
    ['my-ggu123-secret!', 'account-id'],
    ['MY-GGU123-SECRET!', 'account-id'],
    ['grace-in-boston-7', 'name'],
    ['Boston-GUEST-2027', 'name'],
    ['Grâce-in-boston-7', 'name'],
    // Invisible characters render as nothing: a name split by them is still the name.
    ['gr\u200Bace-in-boston-7', 'name'],
    ['gra\u00ADce-in-boston-7', 'name'],
    ['gu\u200Dest-\u2060in-boston-7', 'name'],
    ['my-ggu\uFEFF123-secret!', 'account-id'],
    ['my-ggu\u3164123-secret!', 'account-id'],
    ['gra\u2800ce-in-boston-7', 'name'],
    ['Pass\u3164word1234', 'common'],
    ['password1234', 'common'],
    ['Password1234!', 'common'],
    ['!!Welcome2027!!', 'common'],
    ['qwertyuiop123', 'common'],
    ['Harvard2027!!', 'common'],
    ['aaaaaaaaaaaaaaaa', 'common'],
  ] as const)('%j breaks the rule %s', (password, rule) => {
    expect(passwordProblem(password, grace)).toBe(rule);
  });

  it.each(['correct-tulip-7-lantern', 'violet harbor lantern 42', 'Tr0ub4dor&3-Quill', 'ß-straße-über-alles'])('%j keeps every rule', (password) => {
    expect(passwordProblem(password, grace)).toBeUndefined();
  });

  it('looks for name parts of three letters and more only (two letters are inside too many words)', () => {
    expect(passwordProblem('violet-harbor-li-42', { accountId: 'jli001', names: ['Jo Li'] })).toBeUndefined();
    expect(passwordProblem('violet-harbor-jo-42', { accountId: 'jli001', names: ['Jo Li'] })).toBeUndefined();
  });

  it('names every rule in words a guest reads (the activation page lists them)', () => {
    expect(Object.keys(PASSWORD_RULES).sort()).toEqual(['account-id', 'common', 'length', 'name']);
    for (const words of Object.values(PASSWORD_RULES)) expect(words).toMatch(/^must /);
  });
});

describe('passwordProblem: names from the directory with invisible characters in them', () => {
  it('a name split by a zero-width space is still found in the password', () => {
    expect(passwordProblem('grace-in-boston-7', { accountId: 'ggu123', names: ['Gr\u200Bace Guest'] })).toBe('name');
  });
});
