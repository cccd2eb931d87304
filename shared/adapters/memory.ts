/**
 * Every port in memory, with the semantics the real adapters have where use cases depend on them:
 * create-only and version-conditional writes (ConflictError / StaleWriteError), items copied in and
 * out (no shared references, as with DynamoDB), audit events written once, cursors that page. For
 * use-case tests that need no SDK mock and no local system, and run in milliseconds. Each
 * lifecycle's repository in memory is in its own folder (shared/guest/adapters/memory-guests.ts,
 * shared/o2/adapters/memory-o2.ts).
 */
import { createHash } from 'node:crypto';
import { DirectoryConflictError, DirectoryNotFoundError, ValidationError, type AccountDirectoryError } from '../core/domain/errors.ts';
import { type HsrRecord, type Person } from '../core/domain/people.ts';
import type { AccountDirectory, Alerts, Checkpoints, DirectoryUser, DirectoryUserChanges, NewDirectoryUser, PasswordOutcome, AttemptCounter, Clock, EmailMessage, ExecutionDetail, ExecutionEvent, ExecutionStatus, HsrDirectory, LifecycleWorkflow, Mailer, MetricName, Metrics, Page, PeopleDirectory, Random } from '../core/ports.ts';

/** Items are copied in and out: no shared references, as with DynamoDB. */
export const copy = <T>(v: T): T => structuredClone(v);

export const invalidCursor = () => new ValidationError('The cursor is not valid.', { 'query:cursor': ['not a cursor returned by this API'] });
export const listCursor = (c: Record<string, unknown>) => Buffer.from(JSON.stringify(c)).toString('base64url');

export const pageOf = <T>(all: T[], cursor: string | undefined, limit: number): Page<T> => {
  let start = 0;
  if (cursor) {
    start = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw new ValidationError('The cursor is not valid.', { 'query:cursor': ['not a cursor returned by this API'] });
  }
  const items = all.slice(start, start + limit);
  const next = start + limit < all.length ? Buffer.from(String(start + limit)).toString('base64url') : undefined;
  return { items, cursor: next };
};

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
    private readonly opts: { takesPasswords?: boolean; setPasswordUrl?: string; groups?: readonly string[]; flagged?: Readonly<Record<string, string>> } = {},
  ) {
    for (const g of opts.groups ?? []) this.groups.set(g, new Set());
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
    const flag = this.opts.flagged?.[group];
    if (flag) this.calls.push(`add ${group} ${u.userName} (${flag})`);
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
