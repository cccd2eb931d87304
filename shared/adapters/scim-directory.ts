/**
 * The AccountDirectory port over SCIM 2.0 (RFC 7643 schema, RFC 7644 protocol): the reference
 * adapter for HMS's identity store (AWS IAM Identity Center, Entra ID's inbound provisioning, WSO2,
 * PingDirectory and others accept SCIM writes), and what the local system's embedded server speaks.
 *
 * Mapping: the HMS account ID is `userName`; the guest ID is `externalId` (every create looks it up
 * first, so a create is idempotent); the name and the personal email; the guest facts (end date,
 * population, sponsor HUID) in this project's schema extension (GUEST_EXTENSION); an O2 login's
 * POSIX attributes (RFC 2307 posixAccount: uidNumber, homeDirectory, loginShell) in a second one
 * (POSIX_EXTENSION), taken away by removing them. Group membership is changed on the groups
 * (PATCH /Groups/{id} members), found by displayName.
 *
 * Errors: every SCIM error becomes an AccountDirectoryError (shared/core/domain/errors.ts), transient or
 * permanent. Idempotent calls (everything but POST) are retried here a few times with backoff,
 * honouring a short Retry-After; a longer one is the caller's (DirectoryThrottledError). The bearer
 * token comes from `token` (AWS Secrets Manager in AWS: read once, kept, read again once on a 401,
 * for a rotated token) and is never logged; neither is a password, nor what the directory says about
 * one.
 */
import { GUEST_EXTENSION } from '../guest/domain/account.ts';
import {
  DirectoryConflictError,
  DirectoryNotFoundError,
  DirectoryRejectedError,
  DirectoryThrottledError,
  DirectoryUnavailableError,
  type AccountDirectoryError,
} from '../core/domain/errors.ts';
import type { AccountDirectory, DirectoryUser, DirectoryUserChanges, NewDirectoryUser, Page, PasswordOutcome } from '../core/ports.ts';

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** The POSIX attributes of an O2 login (RFC 2307 posixAccount's names), a schema extension of the User (beside GUEST_EXTENSION; scimmy, and so the local directory, takes only URNs under urn:ietf:params:scim:schemas:). */
export const POSIX_EXTENSION = 'urn:ietf:params:scim:schemas:extension:hms:2.0:PosixAccount';
/** The login shell every O2 login gets. */
export const O2_LOGIN_SHELL = '/bin/bash';
const SCIM_JSON = 'application/scim+json';

/** The bearer token: kept once read; `refresh` reads it again (a rotated secret). */
export interface BearerToken {
  token(): Promise<string>;
  refresh(): Promise<string>;
}

/** One failed call, as the adapter reports it (a metric and an alarm in AWS): never a body, a token or a password. */
export interface DirectoryFailure {
  operation: string;
  status?: number | undefined;
  transient: boolean;
  error: string;
}

export interface ScimDirectoryOptions {
  /** The SCIM base URL, e.g. https://directory.example/scim/v2. */
  endpoint: string;
  token: BearerToken;
  /** Where guests set their password when the directory takes no password writes (its ServiceProviderConfig says changePassword is not supported). */
  setPasswordUrl?: string | undefined;
  /** Attempts of an idempotent call (default 3). */
  maxAttempts?: number;
  /** The longest Retry-After waited for within a call (default 2 s); a longer one is DirectoryThrottledError. */
  maxRetryAfterMs?: number;
  /** Each request's timeout (default 10 s). */
  timeoutMs?: number;
  /** First backoff (default 200 ms), doubled each attempt. */
  backoffMs?: number;
  /** Users per page of a list (default 100). */
  pageSize?: number;
  onFailure?: (failure: DirectoryFailure) => void;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

interface ScimUser {
  id: string;
  userName: string;
  externalId?: string;
  active?: boolean | string;
  groups?: { value?: string; display?: string }[];
  meta?: { lastModified?: string };
  [GUEST_EXTENSION]?: { endDate?: string; population?: string; sponsorHuid?: string };
  [POSIX_EXTENSION]?: { uidNumber?: number | string; homeDirectory?: string; loginShell?: string };
}

interface ScimList<T> {
  totalResults?: number;
  itemsPerPage?: number;
  startIndex?: number;
  Resources?: T[];
}

interface ScimErrorBody {
  status?: string | number;
  scimType?: string;
  detail?: string;
}

/** A string for a SCIM filter: quoted, with `"` and `\` escaped (RFC 7644 §3.4.2.2, JSON string rules). */
export const filterString = (value: string) => JSON.stringify(value);

/** Entra-style booleans ("True", "False") as booleans. */
const bool = (v: unknown): boolean => v === true || (typeof v === 'string' && v.toLowerCase() === 'true');

export class ScimAccountDirectory implements AccountDirectory {
  private readonly endpoint: string;
  private readonly groupIds = new Map<string, string>();
  private readonly groupNames = new Map<string, string>();
  private passwords: Promise<boolean> | undefined;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: ScimDirectoryOptions) {
    this.endpoint = opts.endpoint.replace(/\/+$/, '');
    this.fetch = opts.fetch ?? ((input, init) => fetch(input, init));
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async findByExternalId(externalId: string): Promise<DirectoryUser | undefined> {
    return this.findOne(`externalId eq ${filterString(externalId)}`);
  }

  async findByUserName(userName: string): Promise<DirectoryUser | undefined> {
    // userName is case-insensitive (RFC 7643 caseExact false); HMS account IDs are lower case.
    return this.findOne(`userName eq ${filterString(userName.toLowerCase())}`);
  }

  async modifiedSince(since: string, cursor?: string): Promise<Page<DirectoryUser>> {
    const startIndex = cursor ? Number(cursor) : 1;
    if (!Number.isInteger(startIndex) || startIndex < 1) throw new RangeError(`not a cursor of modifiedSince: ${cursor}`);
    const count = this.opts.pageSize ?? 100;
    // Only the users of guests (those carrying this project's extension), changed after `since`.
    const filter = `meta.lastModified gt ${filterString(since)} and ${GUEST_EXTENSION}:sponsorHuid pr`;
    const list = await this.call<ScimList<ScimUser>>('list users', 'GET', `/Users?${new URLSearchParams({ filter, startIndex: String(startIndex), count: String(count) })}`);
    const items = await Promise.all((list.Resources ?? []).map((u) => this.toUser(u)));
    const seen = startIndex - 1 + items.length;
    return { items, cursor: items.length > 0 && seen < (list.totalResults ?? 0) ? String(seen + 1) : undefined };
  }

  async create(user: NewDirectoryUser): Promise<DirectoryUser> {
    const body = {
      schemas: [SCIM_USER_SCHEMA, GUEST_EXTENSION],
      userName: user.userName,
      externalId: user.externalId,
      name: { formatted: `${user.givenName} ${user.familyName}`.trim(), givenName: user.givenName, familyName: user.familyName },
      displayName: `${user.givenName} ${user.familyName}`.trim(),
      emails: user.email ? [{ value: user.email, type: 'home', primary: true }] : [],
      active: user.active,
      [GUEST_EXTENSION]: { endDate: user.endDate, population: user.population, sponsorHuid: user.sponsorHuid },
    };
    return this.toUser(await this.call<ScimUser>('create user', 'POST', '/Users', body, { retry: false }));
  }

  async update(userId: string, changes: DirectoryUserChanges): Promise<void> {
    const ops: Record<string, unknown>[] = [];
    if (changes.active !== undefined) ops.push({ op: 'replace', path: 'active', value: changes.active });
    if (changes.externalId !== undefined) ops.push({ op: 'replace', path: 'externalId', value: changes.externalId });
    for (const key of ['endDate', 'population', 'sponsorHuid'] as const) {
      if (changes[key] !== undefined) ops.push({ op: 'replace', path: `${GUEST_EXTENSION}:${key}`, value: changes[key] });
    }
    if (changes.posix === null) {
      // Each attribute by its path (RFC 7644 §3.5.2.2): removing one that is not there changes nothing.
      for (const key of ['uidNumber', 'homeDirectory', 'loginShell'] as const) ops.push({ op: 'remove', path: `${POSIX_EXTENSION}:${key}` });
    } else if (changes.posix) {
      const attributes = { uidNumber: changes.posix.uidNumber, homeDirectory: changes.posix.homeDirectory, loginShell: O2_LOGIN_SHELL };
      // `add` of a single-valued attribute sets it, whether it was there or not (RFC 7644 §3.5.2.1).
      for (const [key, value] of Object.entries(attributes)) ops.push({ op: 'add', path: `${POSIX_EXTENSION}:${key}`, value });
    }
    if (!ops.length) return;
    await this.call('update user', 'PATCH', `/Users/${encodeURIComponent(userId)}`, { schemas: [SCIM_PATCH_OP], Operations: ops });
  }

  async setPassword(userId: string, password: string): Promise<PasswordOutcome> {
    if (!(await this.takesPasswords())) {
      if (this.opts.setPasswordUrl) return { set: false, setPasswordUrl: this.opts.setPasswordUrl };
      throw this.fail('set password', new DirectoryRejectedError('The directory takes no password writes (changePassword is not supported) and no set-password link is configured.'));
    }
    await this.call('set password', 'PATCH', `/Users/${encodeURIComponent(userId)}`, { schemas: [SCIM_PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: password }] }, { secret: true });
    return { set: true };
  }

  async addToGroup(group: string, userId: string): Promise<void> {
    const id = await this.groupId(group);
    await this.call('add group member', 'PATCH', `/Groups/${encodeURIComponent(id)}`, { schemas: [SCIM_PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }] });
  }

  async removeFromGroup(group: string, userId: string): Promise<void> {
    const id = await this.groupId(group);
    await this.call('remove group member', 'PATCH', `/Groups/${encodeURIComponent(id)}`, {
      schemas: [SCIM_PATCH_OP],
      Operations: [{ op: 'remove', path: `members[value eq ${filterString(userId)}]` }],
    });
  }

  // --- reading ----------------------------------------------------------------------------------

  private async findOne(filter: string): Promise<DirectoryUser | undefined> {
    const list = await this.call<ScimList<ScimUser>>('find user', 'GET', `/Users?${new URLSearchParams({ filter, count: '2' })}`);
    const user = list.Resources?.[0];
    return user ? this.toUser(user) : undefined;
  }

  private async toUser(u: ScimUser): Promise<DirectoryUser> {
    const facts = u[GUEST_EXTENSION] ?? {};
    const posix = u[POSIX_EXTENSION];
    const uidNumber = posix?.uidNumber === undefined || posix.uidNumber === '' ? Number.NaN : Number(posix.uidNumber);
    // A directory that lists no groups on its users (the attribute is optional) is asked by group.
    const memberships = u.groups ?? (await this.call<ScimList<{ id: string; displayName?: string }>>('find groups', 'GET', `/Groups?${new URLSearchParams({ filter: `members.value eq ${filterString(u.id)}`, attributes: 'displayName' })}`)).Resources?.map((g) => ({ value: g.id, display: g.displayName })) ?? [];
    const groups: string[] = [];
    for (const g of memberships) {
      const name = g.display ?? (g.value ? await this.groupName(g.value) : undefined);
      if (name) groups.push(name);
    }
    return {
      id: u.id,
      userName: u.userName,
      externalId: u.externalId,
      active: bool(u.active),
      groups: groups.sort(),
      endDate: facts.endDate,
      population: facts.population,
      sponsorHuid: facts.sponsorHuid,
      lastModified: u.meta?.lastModified,
      // Both attributes, or none: half an O2 login is none (the next sync sets both again).
      posix: Number.isInteger(uidNumber) && posix?.homeDirectory ? { uidNumber, homeDirectory: posix.homeDirectory } : undefined,
    };
  }

  /** A group's ID by its displayName, kept once found. */
  private async groupId(name: string): Promise<string> {
    const known = this.groupIds.get(name);
    if (known) return known;
    const list = await this.call<ScimList<{ id: string; displayName: string }>>('find group', 'GET', `/Groups?${new URLSearchParams({ filter: `displayName eq ${filterString(name)}`, attributes: 'displayName' })}`);
    const group = list.Resources?.find((g) => g.displayName === name);
    if (!group) throw this.fail('find group', new DirectoryNotFoundError(`The directory has no group ${name}.`, { status: 404 }));
    this.groupIds.set(name, group.id);
    this.groupNames.set(group.id, name);
    return group.id;
  }

  private async groupName(id: string): Promise<string | undefined> {
    const known = this.groupNames.get(id);
    if (known) return known;
    const group = await this.call<{ id: string; displayName?: string }>('read group', 'GET', `/Groups/${encodeURIComponent(id)}?attributes=displayName`);
    if (group.displayName) {
      this.groupNames.set(id, group.displayName);
      this.groupIds.set(group.displayName, id);
    }
    return group.displayName;
  }

  /** Whether the directory takes password writes (its ServiceProviderConfig's changePassword), asked once. */
  private takesPasswords(): Promise<boolean> {
    this.passwords ??= this.call<{ changePassword?: { supported?: boolean | string } }>('read service provider config', 'GET', '/ServiceProviderConfig').then(
      (c) => bool(c.changePassword?.supported),
      (err: unknown) => {
        this.passwords = undefined;
        throw err;
      },
    );
    return this.passwords;
  }

  // --- the wire ---------------------------------------------------------------------------------

  private fail(operation: string, err: AccountDirectoryError): AccountDirectoryError {
    this.opts.onFailure?.({ operation, status: err.status, transient: err.transient, error: err.name });
    return err;
  }

  /**
   * One SCIM call: the bearer token, a timeout, retries of idempotent calls (5xx, a connection lost,
   * a short Retry-After), a 401 answered by reading the token again once. `secret`: the request
   * holds a password — nothing the directory says back is kept in the error.
   */
  private async call<T = unknown>(operation: string, method: string, path: string, body?: unknown, opts: { retry?: boolean; secret?: boolean } = {}): Promise<T> {
    const attempts = opts.retry === false ? 1 : (this.opts.maxAttempts ?? 3);
    let refreshed = false;
    let last: AccountDirectoryError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let res: Response;
      try {
        const token = await this.opts.token.token();
        res = await this.fetch(`${this.endpoint}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, accept: SCIM_JSON, ...(body !== undefined ? { 'content-type': SCIM_JSON } : {}) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        });
      } catch (err) {
        const why = (err as Error)?.name === 'TimeoutError' ? 'did not answer in time' : `could not be reached (${(err as Error)?.message ?? String(err)})`;
        last = new DirectoryUnavailableError(`SCIM ${method} ${resourceOf(path)}: the directory ${why}.`);
        if (attempt < attempts) await this.backoff(attempt);
        continue;
      }
      const text = await res.text().catch(() => '');
      if (res.ok) return (text ? JSON.parse(text) : undefined) as T;
      const problem = parseError(text);
      const detail = opts.secret ? '' : problem.detail ? `: ${problem.detail.slice(0, 300)}` : '';
      const what = `SCIM ${method} ${resourceOf(path)} answered ${res.status}${problem.scimType ? ` ${problem.scimType}` : ''}${detail}`;
      const meta = { status: res.status, scimType: problem.scimType };
      if (res.status === 401 && !refreshed) {
        // A rotated token: read the secret again, once.
        refreshed = true;
        await this.opts.token.refresh();
        attempt--;
        continue;
      }
      if (res.status === 401 || res.status === 403) throw this.fail(operation, new DirectoryUnavailableError(`${what} (the bearer token was refused: HMS IT renews it)`, meta));
      if (res.status === 429) {
        const retryAfter = retryAfterSeconds(res.headers.get('retry-after'));
        last = new DirectoryThrottledError(what, { ...meta, retryAfterSeconds: retryAfter });
        if (attempt < attempts && retryAfter * 1000 <= (this.opts.maxRetryAfterMs ?? 2000)) {
          await this.sleep(retryAfter * 1000);
          continue;
        }
        throw this.fail(operation, last);
      }
      if (res.status >= 500 || res.status === 412 || res.status === 408) {
        last = new DirectoryUnavailableError(what, { ...meta, retryAfterSeconds: retryAfterSeconds(res.headers.get('retry-after')) });
        if (attempt < attempts) await this.backoff(attempt);
        continue;
      }
      if (res.status === 404) throw this.fail(operation, new DirectoryNotFoundError(what, meta));
      if (res.status === 409 && (problem.scimType ?? 'uniqueness') === 'uniqueness') throw this.fail(operation, new DirectoryConflictError(what, meta));
      throw this.fail(operation, new DirectoryRejectedError(what, meta));
    }
    throw this.fail(operation, last ?? new DirectoryUnavailableError(`SCIM ${method} ${resourceOf(path)} failed.`));
  }

  private backoff(attempt: number): Promise<void> {
    const base = (this.opts.backoffMs ?? 200) * 2 ** (attempt - 1);
    return this.sleep(base / 2 + Math.random() * base);
  }
}

/** The resource type of a path, for messages (never a query string, an ID or a filter value). */
function resourceOf(path: string): string {
  return `/${path.replace(/^\//, '').split(/[/?]/)[0] ?? ''}`;
}

function parseError(text: string): ScimErrorBody {
  try {
    const body = JSON.parse(text) as ScimErrorBody;
    return typeof body === 'object' && body ? body : {};
  } catch {
    return {};
  }
}

/** Retry-After in seconds (delta-seconds, or an HTTP date), at least 1; 1 when absent or unreadable. */
export function retryAfterSeconds(header: string | null, nowMs: number = performance.timeOrigin + performance.now()): number {
  if (!header) return 1;
  if (/^\d+$/.test(header.trim())) return Math.max(1, Number(header.trim()));
  const at = Date.parse(header);
  return Number.isNaN(at) ? 1 : Math.max(1, Math.ceil((at - nowMs) / 1000));
}
