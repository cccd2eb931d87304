/** The HMS account directory's shapes every lifecycle shares. */

/** The POSIX attributes of a login (an O2 login) in the account directory (RFC 2307 posixAccount's names). */
export interface Posix {
  uidNumber: number;
  homeDirectory: string;
}
