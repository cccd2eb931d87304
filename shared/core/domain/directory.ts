/** The HMS account directory's shapes every lifecycle shares. */

/** The POSIX attributes of a login (an O2 login) in the account directory (RFC 2307 posixAccount's names). */
export interface Posix {
  uidNumber: number;
  homeDirectory: string;
}

/** HMS account IDs: initials (up to three letters, like eCommons IDs) and a number of at least three digits, e.g. "jd123". */
export const ACCOUNT_ID_PATTERN = /^[a-z]{1,3}\d{3,9}$/;
