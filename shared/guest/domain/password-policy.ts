/**
 * Rule "Password policy" (issue 13): the password a guest chooses at activation is at least 12
 * characters, does not contain the HMS account ID or the guest's names, and is not a common
 * password. Checked after the activation code (a caller without the right code learns nothing about
 * the password) and before anything changes: a refused password uses nothing up. Pure; the password
 * is never stored, logged or echoed — the refusal names the rule, never the password.
 */
import { COMMON_PASSWORDS } from './common-passwords.ts';
import { withoutInvisible } from '../../core/domain/text.ts';

export const MIN_PASSWORD_LENGTH = 12;
/** The longest password taken (a bound on the work, not a rule a person meets). */
export const MAX_PASSWORD_LENGTH = 256;
/** Name parts shorter than this are not looked for (two letters are inside too many words). */
const MIN_NAME_PART = 3;

export type PasswordRule = 'length' | 'account-id' | 'name' | 'common';

/** Each rule in the words the guest is told (the activation page shows them all before the guest types). */
export const PASSWORD_RULES: { readonly [R in PasswordRule]: string } = {
  length: `must be at least ${MIN_PASSWORD_LENGTH} characters long`,
  'account-id': 'must not contain your HMS account ID',
  name: 'must not contain your first or last name',
  common: 'must not be a common password (or one with only digits or symbols added)',
};


const COMMON = new Set(COMMON_PASSWORDS);

/** Case and accents folded, so that "Grâce" is found in "grace2027!". */
const fold = (s: string) => withoutInvisible(s.normalize('NFKD')).replace(/\p{M}/gu, '').toLowerCase();

/**
 * The first rule the password breaks, or undefined when it keeps them all. `names`: the guest's
 * names as the directory knows them (first, last, the whole name).
 */
export function passwordProblem(password: string, who: { accountId: string; names: readonly string[] }): PasswordRule | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return 'length';
  const folded = fold(password);
  if (who.accountId && folded.includes(fold(who.accountId))) return 'account-id';
  const parts = who.names.flatMap((n) => fold(n).split(/[^\p{L}]+/u)).filter((p) => [...p].length >= MIN_NAME_PART);
  if (parts.some((p) => folded.includes(p))) return 'name';
  const core = folded.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  if (COMMON.has(folded) || (core !== '' && COMMON.has(core)) || /^(.)\1*$/su.test(folded)) return 'common';
  return undefined;
}
