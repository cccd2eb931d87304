/**
 * Structured logs never carry a guest's or sponsor's personal email or name, a password, a code or
 * a token: values under these keys are replaced, and any email address inside a logged string is masked.
 */
const PERSONAL_KEYS = new Set([
  'email',
  'personalEmail',
  'guestEmail',
  'guestName',
  'firstName',
  'lastName',
  'givenName',
  'familyName',
  'sponsorName',
  'to',
  'cc',
  'code',
  'taskToken',
  'approvalTaskToken',
  'authorization',
  // The password a guest chooses at activation, and the account directory's bearer token.
  'password',
  'token',
  'SecretString',
]);
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

export function redactForLog(key: string, value: unknown): unknown {
  if (PERSONAL_KEYS.has(key) && value !== undefined && value !== null) return '[redacted]';
  if (typeof value === 'string') return value.replace(EMAIL, '[email redacted]');
  return value;
}
