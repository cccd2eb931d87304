/**
 * Every port in memory, with the semantics the real adapters have where use cases depend on them:
 * create-only and version-conditional writes (ConflictError / StaleWriteError), items copied in and
 * out (no shared references, as with DynamoDB), audit events written once, cursors that page. For
 * use-case tests that need no SDK mock and no local system, and run in milliseconds.
 */
import { createHash } from 'node:crypto';
import { DIGITAL_LIBRARY_GROUP, MANAGED_GROUPS } from '../guest/domain/account.ts';
import { ConflictError, DirectoryConflictError, DirectoryNotFoundError, StaleWriteError, ValidationError, type AccountDirectoryError } from '../core/domain/errors.ts';
import { STATUSES, type AuditEvent, type Guest } from '../guest/domain/model.ts';
import { type HsrRecord, type Person } from '../core/domain/people.ts';
import type { Lab, O2Account, O2AuditEvent, O2Status, RegistrationStatus } from '../o2/domain/model.ts';
import { O2_GROUP } from '../o2/domain/rules.ts';
import type { AccountDirectory, Alerts, Checkpoints, DirectoryUser, DirectoryUserChanges, NewDirectoryUser, PasswordOutcome, AttemptCounter, Clock, EmailMessage, ExecutionDetail, ExecutionEvent, ExecutionStatus, HsrDirectory, LifecycleWorkflow, Mailer, MetricName, Metrics, Page, PeopleDirectory, PersonClaim, Random } from '../core/ports.ts';
import type { O2Query, O2Repository } from '../o2/app/ports.ts';
import type { GuestQuery, GuestRepository } from '../guest/app/ports.ts';

const copy = <T>(v: T): T => structuredClone(v);

const invalidCursor = () => new ValidationError('The cursor is not valid.', { 'query:cursor': ['not a cursor returned by this API'] });
const listCursor = (c: Record<string, unknown>) => Buffer.from(JSON.stringify(c)).toString('base64url');

const pageOf = <T>(all: T[], cursor: string | undefined, limit: number): Page<T> => {
  let start = 0;
  if (cursor) {
    start = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw new ValidationError('The cursor is not valid.', { 'query:cursor': ['not a cursor returned by this API'] });
  }
  const items = all.slice(start, start + limit);
  const next = start + limit < all.length ? Buffer.from(String(start + limit)).toString('base64url') : undefined;
  return { items, cursor: next };
};

export class MemoryGuestRepository implements GuestRepository {
  readonly guests = new Map<string, Guest>();
  readonly audit = new Map<string, AuditEvent>();
  readonly accounts = new Map<string, string>();
  readonly claims = new Map<string, PersonClaim>();

  async get(guestId: string): Promise<Guest | undefined> {
    const g = this.guests.get(guestId);
    return g && copy(g);
  }

  async create(guest: Guest): Promise<void> {
    if (this.guests.has(guest.guestId)) throw new ConflictError(`Guest ${guest.guestId} already exists.`);
    this.guests.set(guest.guestId, copy(guest));
  }

  async save(next: Guest): Promise<void> {
    const current = this.guests.get(next.guestId);
    if (current?.version !== next.version - 1) throw new StaleWriteError(`Guest ${next.guestId} was changed by someone else; read it again and retry.`);
    this.guests.set(next.guestId, copy(next));
  }

  async listBySponsors(sponsorHuids: readonly string[], query: GuestQuery): Promise<Page<Guest>> {
    const sponsors = [...new Set(sponsorHuids)].sort();
    return this.listOver('sponsor', sponsors, (g) => g.sponsorHuid, query, (p) => (/^\d{8}$/.test(p) ? sponsors.findIndex((s) => s > p) : undefined));
  }

  async listAll(query: GuestQuery): Promise<Page<Guest>> {
    return this.listOver('status', query.status ? [query.status] : [...STATUSES], (g) => g.status, query);
  }

  /**
   * As DynamoGuestRepository's lists: partitions one after the other, each by end date (then guest
   * ID, for a stable order), filtered by status, end date and failure; the cursor names the
   * partition and the last guest read, and a partition no longer listed is skipped.
   */
  private listOver(kind: string, partitions: string[], partitionOf: (g: Guest) => string | undefined, query: GuestQuery, resume: (p: string) => number | undefined = () => undefined): Page<Guest> {
    const limit = query.limit ?? 50;
    let at = 0;
    let after: { endDate: string; guestId: string } | undefined;
    if (query.cursor) {
      let c: { kind?: unknown; p?: unknown; endDate?: unknown; guestId?: unknown };
      try {
        c = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as typeof c;
      } catch {
        throw invalidCursor();
      }
      if (c?.kind !== kind || typeof c.p !== 'string') throw invalidCursor();
      at = partitions.indexOf(c.p);
      if (at >= 0) {
        if (typeof c.endDate === 'string' && typeof c.guestId === 'string') after = { endDate: c.endDate, guestId: c.guestId };
      } else {
        const next = resume(c.p);
        if (next === undefined) throw invalidCursor();
        at = next < 0 ? partitions.length : next;
      }
    }
    const order = (a: Guest, b: Guest) => a.endDate.localeCompare(b.endDate) || a.guestId.localeCompare(b.guestId);
    const items: Guest[] = [];
    let last: Guest | undefined;
    for (; at < partitions.length; at++, after = undefined) {
      const inPartition = [...this.guests.values()]
        .filter((g) => partitionOf(g) === partitions[at] && (!after || order(g, { ...g, ...after }) > 0))
        .filter((g) => (!query.expiringBefore || g.endDate < query.expiringBefore) && (!query.status || g.status === query.status) && (!query.failed || g.failure))
        .sort(order);
      const taken = inPartition.slice(0, limit - items.length);
      items.push(...taken.map(copy));
      last = taken.at(-1);
      if (items.length >= limit) {
        if (taken.length < inPartition.length) return { items, cursor: listCursor({ kind, p: partitions[at], endDate: last!.endDate, guestId: last!.guestId }) };
        at++;
        break;
      }
    }
    return { items, cursor: at < partitions.length ? listCursor({ kind, p: partitions[at] }) : undefined };
  }

  async listDue(before: string, cursor?: string): Promise<Page<Guest>> {
    const all = [...this.guests.values()]
      .filter((g) => g.dueAt && g.dueAt <= before)
      .sort((a, b) => a.dueAt!.localeCompare(b.dueAt!) || a.guestId.localeCompare(b.guestId));
    return pageOf(all.map(copy), cursor, 100);
  }

  async appendAudit(events: AuditEvent[]): Promise<void> {
    for (const e of events) {
      const key = `${e.guestId}#${e.seq}`;
      if (!this.audit.has(key)) this.audit.set(key, copy(e));
    }
  }

  async history(guestId: string): Promise<AuditEvent[]> {
    const events = [...this.audit.values()].filter((e) => e.guestId === guestId);
    const last = this.guests.get(guestId)?.lastAudit;
    if (last && !events.some((e) => e.seq === last.seq)) events.push(last);
    return events.sort((a, b) => a.seq - b.seq).map(copy);
  }

  async reserveAccountId(accountId: string, guestId: string): Promise<boolean> {
    const holder = this.accounts.get(accountId);
    if (holder && holder !== guestId) return false;
    this.accounts.set(accountId, guestId);
    return true;
  }

  async accountHolders(accountIds: readonly string[]): Promise<Map<string, string>> {
    if (accountIds.length > 100) throw new RangeError('at most 100 account IDs at a time');
    return new Map(accountIds.filter((id) => this.accounts.has(id)).map((id) => [id, this.accounts.get(id)!]));
  }

  async guestIdForAccount(accountId: string): Promise<string | undefined> {
    return this.accounts.get(accountId);
  }

  async personClaim(huid: string): Promise<PersonClaim | undefined> {
    const c = this.claims.get(huid);
    return c && copy(c);
  }

  async claimPerson(huid: string, claim: PersonClaim, previous: PersonClaim | undefined): Promise<boolean> {
    const current = this.claims.get(huid);
    const same = previous ? current?.guestId === previous.guestId && current.claimedAt === previous.claimedAt : current === undefined;
    if (!same) return false;
    this.claims.set(huid, copy(claim));
    return true;
  }
}

export class MemoryAttemptCounter implements AttemptCounter {
  readonly windows = new Map<string, number>();
  readonly records = new Map<string, { attempts: number; lastAt: string }>();

  async count(key: string, window: string, limit: number): Promise<number | undefined> {
    const k = `${key}|${window}`;
    const n = this.windows.get(k) ?? 0;
    if (n >= limit) return undefined;
    this.windows.set(k, n + 1);
    return n + 1;
  }

  async attempts(key: string): Promise<{ attempts: number; lastAt: string } | undefined> {
    const r = this.records.get(key);
    return r && { ...r };
  }

  async record(key: string, seen: number, at: string): Promise<boolean> {
    if ((this.records.get(key)?.attempts ?? 0) !== seen) return false;
    this.records.set(key, { attempts: seen + 1, lastAt: at });
    return true;
  }

  async reset(key: string): Promise<void> {
    this.records.delete(key);
  }
}

/** The people and HSR directories from the same records a seed file holds. */
export class MemoryDirectory implements PeopleDirectory, HsrDirectory {
  readonly people = new Map<string, Person>();
  readonly hsrs = new Map<string, HsrRecord>();

  constructor(seed: { people?: Person[]; hsr?: HsrRecord[] } = {}) {
    for (const p of seed.people ?? []) this.people.set(p.huid, copy(p));
    for (const h of seed.hsr ?? []) this.hsrs.set(h.huid, copy(h));
  }

  async person(huid: string): Promise<Person | undefined> {
    const p = this.people.get(huid);
    return p && copy(p);
  }

  async hsr(huid: string): Promise<HsrRecord | undefined> {
    const h = this.hsrs.get(huid);
    return h && copy(h);
  }

  async sponsorsOf(delegateHuid: string): Promise<string[]> {
    return [...this.people.values()].filter((p) => p.delegates?.includes(delegateHuid)).map((p) => p.huid).sort();
  }
}

export class MemoryMailer implements Mailer {
  readonly sent: EmailMessage[] = [];

  async send(message: EmailMessage): Promise<string> {
    this.sent.push(copy(message));
    return `memory-${this.sent.length}`;
  }

  /** Messages to one address. */
  to(address: string): EmailMessage[] {
    return this.sent.filter((m) => m.to.includes(address) || m.cc?.includes(address));
  }
}

/** Records what the use cases ask of Step Functions; executions run nowhere. */
export class MemoryWorkflow implements LifecycleWorkflow {
  readonly executions = new Map<string, { input: Record<string, unknown>; status: ExecutionStatus; startDate: string; cause?: string }>();

  /** Gives the executions it starts their start date (the world's clock). */
  constructor(private readonly clock?: Clock) {}
  readonly resumed: { taskToken: string; output: Record<string, unknown> }[] = [];
  /** Task tokens no longer valid (timed out, or the step ended). */
  readonly expiredTokens = new Set<string>();

  async start(executionName: string, input: Record<string, unknown>): Promise<void> {
    const existing = this.executions.get(executionName);
    if (existing && JSON.stringify(existing.input) !== JSON.stringify(input)) throw new Error(`Execution ${executionName} already exists with another input`);
    if (!existing) this.executions.set(executionName, { input: copy(input), status: 'RUNNING', startDate: (this.clock?.now() ?? new Date(0)).toISOString() });
  }

  async describe(executionName: string): Promise<ExecutionStatus | undefined> {
    return this.executions.get(executionName)?.status;
  }

  async execution(executionName: string): Promise<ExecutionDetail | undefined> {
    const e = this.executions.get(executionName);
    if (!e) return undefined;
    const events: ExecutionEvent[] = [{ id: 1, at: e.startDate, type: 'ExecutionStarted' }];
    if (e.status === 'ABORTED') events.unshift({ id: 2, at: e.startDate, type: 'ExecutionAborted', cause: e.cause });
    return { name: executionName, status: e.status, startDate: e.startDate, cause: e.cause, events, eventsTruncated: false };
  }

  async stop(executionName: string, cause: string): Promise<void> {
    const e = this.executions.get(executionName);
    if (e?.status === 'RUNNING') Object.assign(e, { status: 'ABORTED', cause });
  }

  async resume(taskToken: string, output: Record<string, unknown>): Promise<boolean> {
    if (this.expiredTokens.has(taskToken)) return false;
    this.resumed.push({ taskToken, output: copy(output) });
    this.expiredTokens.add(taskToken);
    return true;
  }
}

/** A clock that moves only when told. */
export class ManualClock implements Clock {
  constructor(private at: Date) {}

  now(): Date {
    return new Date(this.at);
  }

  set(at: Date | string): void {
    this.at = new Date(at);
  }

  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

/** Deterministic "random": UUIDs and bytes from a counter, integers from a list (then 0). */
export class SequenceRandom implements Random {
  private n = 0;
  constructor(private readonly ints: number[] = []) {}

  bytes(n: number): Buffer {
    this.n++;
    return Buffer.from(Array.from({ length: n }, (_, i) => (this.n * 31 + i * 17) % 256));
  }

  uuid(): string {
    this.n++;
    return `00000000-0000-4000-8000-${String(this.n).padStart(12, '0')}`;
  }

  int(maxExclusive: number): number {
    return (this.ints.shift() ?? 0) % maxExclusive;
  }
}

export class MemoryAlerts implements Alerts {
  readonly raised: { alert: string; detail: Record<string, unknown> }[] = [];

  async raise(alert: string, detail: Record<string, unknown>): Promise<void> {
    this.raised.push({ alert, detail: copy(detail) });
  }
}

/** Counts in memory, by metric name. */
export class MemoryMetrics implements Metrics {
  readonly counts = new Map<MetricName, number>();

  count(name: MetricName, value = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + value);
  }

  /** The count of one metric (0 when never counted). */
  of(name: MetricName): number {
    return this.counts.get(name) ?? 0;
  }
}

/** One user of the in-memory account directory. */
export interface MemoryDirectoryUser extends DirectoryUser {
  givenName: string;
  familyName: string;
  email: string;
  /** A hash of the password set, never the password. */
  passwordHash?: string | undefined;
}

/**
 * The account directory in memory, with the semantics of the SCIM adapter where use cases depend on
 * them: userName unique (case-insensitive: DirectoryConflictError), groups that must exist
 * (DirectoryNotFoundError), lastModified from the clock, users copied in and out. `down` makes every
 * call fail with that error (an outage); `failNext` fails the next calls of one operation.
 */
export class MemoryAccountDirectory implements AccountDirectory {
  readonly users = new Map<string, MemoryDirectoryUser>();
  readonly groups = new Map<string, Set<string>>();
  /** Every call, in order: `create jd123`, `update jd123 active=true`, `add hms-guest-email jd123`, ... */
  readonly calls: string[] = [];
  /** Every call fails with this while set. */
  down: AccountDirectoryError | undefined;
  private readonly failures: { op: string; error: AccountDirectoryError }[] = [];
  private n = 0;

  constructor(
    private readonly clock: Clock,
    private readonly opts: { takesPasswords?: boolean; setPasswordUrl?: string; groups?: readonly string[] } = {},
  ) {
    for (const g of opts.groups ?? [...MANAGED_GROUPS, O2_GROUP, 'hms-staff']) this.groups.set(g, new Set());
  }

  /** The next `times` calls of `op` (create, update, setPassword, addToGroup, removeFromGroup, find, modifiedSince) fail with `error`. */
  failNext(op: string, error: AccountDirectoryError, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push({ op, error });
  }

  /** The user holding this userName, with its groups (for assertions). */
  user(userName: string): MemoryDirectoryUser | undefined {
    const u = [...this.users.values()].find((x) => x.userName.toLowerCase() === userName.toLowerCase());
    return u && this.out(u);
  }

  /** A change made by hand in the directory (HMS IT's console): not through this system. */
  edit(userName: string, change: { active?: boolean; addGroup?: string; removeGroup?: string }): void {
    const u = [...this.users.values()].find((x) => x.userName === userName);
    if (!u) throw new Error(`no user ${userName}`);
    if (change.active !== undefined) u.active = change.active;
    if (change.addGroup) this.groups.get(change.addGroup)!.add(u.id);
    if (change.removeGroup) this.groups.get(change.removeGroup)?.delete(u.id);
    u.lastModified = this.clock.now().toISOString();
  }

  private gate(op: string): void {
    if (this.down) throw this.down;
    const i = this.failures.findIndex((f) => f.op === op);
    if (i >= 0) throw this.failures.splice(i, 1)[0]!.error;
  }

  private out(u: MemoryDirectoryUser): MemoryDirectoryUser {
    const groups = [...this.groups].filter(([, members]) => members.has(u.id)).map(([g]) => g).sort();
    return copy({ ...u, groups });
  }

  private touch(u: MemoryDirectoryUser): void {
    u.lastModified = this.clock.now().toISOString();
  }

  private byId(userId: string): MemoryDirectoryUser {
    const u = this.users.get(userId);
    if (!u) throw new DirectoryNotFoundError(`No user ${userId} in the directory.`, { status: 404 });
    return u;
  }

  async findByExternalId(externalId: string): Promise<DirectoryUser | undefined> {
    this.gate('find');
    const u = [...this.users.values()].find((x) => x.externalId === externalId);
    return u && this.out(u);
  }

  async findByUserName(userName: string): Promise<DirectoryUser | undefined> {
    this.gate('find');
    return this.user(userName);
  }

  async modifiedSince(since: string, cursor?: string): Promise<Page<DirectoryUser>> {
    this.gate('modifiedSince');
    const all = [...this.users.values()].filter((u) => (u.lastModified ?? '') > since).sort((a, b) => a.id.localeCompare(b.id));
    return pageOf(all.map((u) => this.out(u)), cursor, 2);
  }

  async create(user: NewDirectoryUser): Promise<DirectoryUser> {
    this.gate('create');
    if (this.user(user.userName)) throw new DirectoryConflictError(`userName ${user.userName} is already taken.`, { status: 409, scimType: 'uniqueness' });
    const id = `user-${++this.n}`;
    this.users.set(id, { ...copy(user), id, groups: [], lastModified: this.clock.now().toISOString() });
    this.calls.push(`create ${user.userName}`);
    return this.out(this.users.get(id)!);
  }

  async update(userId: string, changes: DirectoryUserChanges): Promise<void> {
    this.gate('update');
    const u = this.byId(userId);
    const { posix, ...rest } = copy(changes);
    Object.assign(u, rest);
    if (posix === null) delete u.posix;
    else if (posix) u.posix = posix;
    this.touch(u);
    this.calls.push(`update ${u.userName} ${Object.entries(changes).map(([k, v]) => `${k}=${v && typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ')}`);
  }

  /** A user HMS provisioned for a person's own role (not a guest's): for tests of O2 accounts of HMS people. */
  seedUser(user: { userName: string; givenName: string; familyName: string; email: string; active?: boolean }): MemoryDirectoryUser {
    const id = `user-${++this.n}`;
    this.users.set(id, { id, userName: user.userName, givenName: user.givenName, familyName: user.familyName, email: user.email, active: user.active ?? true, groups: [], lastModified: this.clock.now().toISOString() });
    return this.out(this.users.get(id)!);
  }

  async setPassword(userId: string, password: string): Promise<PasswordOutcome> {
    this.gate('setPassword');
    const u = this.byId(userId);
    if (this.opts.takesPasswords === false) return { set: false, setPasswordUrl: this.opts.setPasswordUrl ?? 'https://password.example/set' };
    u.passwordHash = createHash('sha256').update(password).digest('hex');
    this.touch(u);
    this.calls.push(`password ${u.userName}`);
    return { set: true };
  }

  async addToGroup(group: string, userId: string): Promise<void> {
    this.gate('addToGroup');
    const members = this.groups.get(group);
    if (!members) throw new DirectoryNotFoundError(`No group ${group} in the directory.`, { status: 404 });
    const u = this.byId(userId);
    if (group === DIGITAL_LIBRARY_GROUP) this.calls.push(`add ${group} ${u.userName} (the Digital Library!)`);
    if (members.has(userId)) return;
    members.add(userId);
    this.touch(u);
    this.calls.push(`add ${group} ${u.userName}`);
  }

  async removeFromGroup(group: string, userId: string): Promise<void> {
    this.gate('removeFromGroup');
    const members = this.groups.get(group);
    const u = this.byId(userId);
    if (!members?.has(userId)) return;
    members.delete(userId);
    this.touch(u);
    this.calls.push(`remove ${group} ${u.userName}`);
  }
}

/** Named instants in memory. */
export class MemoryCheckpoints implements Checkpoints {
  readonly values = new Map<string, string>();

  async get(name: string): Promise<string | undefined> {
    return this.values.get(name);
  }

  async set(name: string, value: string): Promise<void> {
    this.values.set(name, value);
  }
}

/** Labs and O2 accounts in memory, with the semantics of DynamoO2Repository where use cases depend on them. */
export class MemoryO2Repository implements O2Repository {
  readonly labs = new Map<string, Lab>();
  readonly accounts = new Map<string, O2Account>();
  readonly audit = new Map<string, O2AuditEvent>();
  readonly uids = new Map<number, string>();
  readonly claims = new Map<string, PersonClaim>();

  async getLab(labId: string): Promise<Lab | undefined> {
    const l = this.labs.get(labId);
    return l && copy(l);
  }

  async createLab(lab: Lab): Promise<void> {
    if (this.labs.has(lab.labId)) throw new ConflictError(`Lab ${lab.labId} already exists.`);
    this.labs.set(lab.labId, copy(lab));
  }

  async saveLab(next: Lab): Promise<void> {
    if (this.labs.get(next.labId)?.version !== next.version - 1) throw new StaleWriteError(`Lab ${next.labId} was changed by someone else; read it again and retry.`);
    this.labs.set(next.labId, copy(next));
  }

  async noteRegistrationRequested(lab: Lab, at: string): Promise<boolean> {
    const cur = this.labs.get(lab.labId);
    if (!cur || cur.version !== lab.version || cur.registrationRequestedAt) return false;
    this.labs.set(lab.labId, copy({ ...cur, registrationRequestedAt: at }));
    return true;
  }

  private page<T extends { createdAt: string }>(all: T[], query: O2Query): Page<T> {
    const sorted = all.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return pageOf(sorted.map(copy), query.cursor, query.limit ?? 50);
  }

  async labsOfPi(piHuid: string, query: O2Query): Promise<Page<Lab>> {
    return this.page([...this.labs.values()].filter((l) => l.piHuid === piHuid), query);
  }

  async labsByRegistration(status: RegistrationStatus, query: O2Query): Promise<Page<Lab>> {
    return this.page([...this.labs.values()].filter((l) => l.registration.status === status), query);
  }

  async get(id: string): Promise<O2Account | undefined> {
    const o = this.accounts.get(id);
    return o && copy(o);
  }

  async create(o2: O2Account): Promise<void> {
    if (this.accounts.has(o2.o2AccountId)) throw new ConflictError(`O2 account ${o2.o2AccountId} already exists.`);
    this.accounts.set(o2.o2AccountId, copy(o2));
  }

  async save(next: O2Account): Promise<void> {
    if (this.accounts.get(next.o2AccountId)?.version !== next.version - 1) throw new StaleWriteError(`O2 account ${next.o2AccountId} was changed by someone else; read it again and retry.`);
    this.accounts.set(next.o2AccountId, copy(next));
  }

  async listByPi(piHuid: string, query: O2Query): Promise<Page<O2Account>> {
    return this.page([...this.accounts.values()].filter((o) => o.piHuid === piHuid), query);
  }

  async listByUser(userHuid: string, query: O2Query): Promise<Page<O2Account>> {
    return this.page([...this.accounts.values()].filter((o) => o.userHuid === userHuid), query);
  }

  async listByStatus(statuses: readonly O2Status[], query: O2Query): Promise<Page<O2Account>> {
    const all = statuses.flatMap((s) => [...this.accounts.values()].filter((o) => o.status === s).sort((a, b) => b.createdAt.localeCompare(a.createdAt)));
    return pageOf(all.map(copy), query.cursor, query.limit ?? 50);
  }

  async listByLab(labId: string, query: O2Query): Promise<Page<O2Account>> {
    return this.page([...this.accounts.values()].filter((o) => o.labId === labId), query);
  }

  async listForPi(piHuid: string, labIds: readonly string[], query: O2Query): Promise<Page<O2Account>> {
    const newest = (xs: O2Account[]) => xs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const all = [
      ...newest([...this.accounts.values()].filter((o) => o.piHuid === piHuid)),
      ...labIds.flatMap((labId) => newest([...this.accounts.values()].filter((o) => o.labId === labId && o.piHuid !== piHuid))),
    ];
    return pageOf(all.map(copy), query.cursor, query.limit ?? 50);
  }

  async listDue(before: string, cursor?: string): Promise<Page<O2Account>> {
    const all = [...this.accounts.values()].filter((o) => o.dueAt && o.dueAt <= before).sort((a, b) => a.dueAt!.localeCompare(b.dueAt!) || a.o2AccountId.localeCompare(b.o2AccountId));
    return pageOf(all.map(copy), cursor, 100);
  }

  async appendAudit(events: O2AuditEvent[]): Promise<void> {
    for (const e of events) {
      const key = `${e.kind}#${e.id}#${e.seq}`;
      if (!this.audit.has(key)) this.audit.set(key, copy(e));
    }
  }

  async history(kind: O2AuditEvent['kind'], id: string): Promise<O2AuditEvent[]> {
    const events = [...this.audit.values()].filter((e) => e.kind === kind && e.id === id);
    const last = (kind === 'lab' ? this.labs.get(id) : this.accounts.get(id))?.lastAudit;
    if (last && !events.some((e) => e.seq === last.seq)) events.push(last);
    return events.sort((a, b) => a.seq - b.seq).map(copy);
  }

  async reserveUidNumber(uidNumber: number, o2AccountId: string): Promise<boolean> {
    const holder = this.uids.get(uidNumber);
    if (holder && holder !== o2AccountId) return false;
    this.uids.set(uidNumber, o2AccountId);
    return true;
  }

  async userClaim(huid: string): Promise<PersonClaim | undefined> {
    const c = this.claims.get(huid);
    return c && copy(c);
  }

  async claimUser(huid: string, claim: PersonClaim, previous: PersonClaim | undefined): Promise<boolean> {
    const current = this.claims.get(huid);
    const same = previous ? current?.guestId === previous.guestId && current.claimedAt === previous.claimedAt : current === undefined;
    if (!same) return false;
    this.claims.set(huid, copy(claim));
    return true;
  }
}
