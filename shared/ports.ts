/**
 * Ports: what the application needs from the outside world. Adapters in shared/adapters implement
 * them over AWS (or over HTTP for the Harvard directories); tests and the local runner wire the same
 * adapters to local endpoints.
 */
import type { AuditEvent, Guest, GuestStatus, HsrRecord, Person } from './domain/model.ts';
import type { Lab, O2Account, O2AuditEvent, O2Status, Posix, RegistrationStatus } from './o2/domain/model.ts';

export interface Clock {
  now(): Date;
}

export interface Page<T> {
  items: T[];
  cursor?: string | undefined;
}

export interface GuestQuery {
  status?: GuestStatus | undefined;
  /** Only guests whose end date is before this day. */
  expiringBefore?: string | undefined;
  /** Only guests with a recorded lifecycle failure (FAILED ones keep theirs). */
  failed?: boolean | undefined;
  /** Where the previous page ended (the page's `cursor`), for the same selection. */
  cursor?: string | undefined;
  /** At most this many items (MAX_PAGE); fewer when the selection ends, never more. */
  limit?: number | undefined;
}

/** The most guests one page holds. */
export const MAX_PAGE = 500;

export interface GuestRepository {
  get(guestId: string): Promise<Guest | undefined>;
  /** Creates the guest; fails with ConflictError if the ID exists. */
  create(guest: Guest): Promise<void>;
  /** Writes `next` only if the stored version is still `next.version - 1` (else ConflictError). */
  save(next: Guest): Promise<void>;
  /**
   * The guests of these sponsors (by the sponsor index, never a Scan): ordered by sponsor HUID,
   * then end date. A cursor names the sponsor its page ended in and the place in that sponsor's
   * guests, so it stays meaningful when the list of sponsors changes between pages (a sponsor no
   * longer listed is skipped, the next one in HUID order is read).
   */
  listBySponsors(sponsorHuids: readonly string[], query: GuestQuery): Promise<Page<Guest>>;
  /**
   * Every guest (HMS IT), from the status index (never a Scan): one status, or all of them one
   * after the other (in the order of STATUSES), each by end date.
   */
  listAll(query: GuestQuery): Promise<Page<Guest>>;
  /** Guests with work due at or before `before`, from the due-date index (never a Scan). */
  listDue(before: string, cursor?: string): Promise<Page<Guest>>;
  /** Writes audit events as items; writing one again (same guest and seq) changes nothing. */
  appendAudit(events: AuditEvent[]): Promise<void>;
  /** Every audit event of the guest in order, including the one carried by the guest item (`lastAudit`). */
  history(guestId: string): Promise<AuditEvent[]>;
  /** Reserves an HMS account ID for a guest; false if another guest holds it. Idempotent per guest. */
  reserveAccountId(accountId: string, guestId: string): Promise<boolean>;
  /** Which of these account IDs (at most 100) are reserved already, and by which guest: one batched read. */
  accountHolders(accountIds: readonly string[]): Promise<Map<string, string>>;
  guestIdForAccount(accountId: string): Promise<string | undefined>;
  /** The guest that last claimed this person (HUID) as theirs: one live HMS guest account per person. */
  personClaim(huid: string): Promise<PersonClaim | undefined>;
  /**
   * Claims the person for `claim.guestId` if nobody has (`previous` undefined) or if the claim is
   * still the one read (`previous`): false if another request claimed the person first.
   */
  claimPerson(huid: string, claim: PersonClaim, previous: PersonClaim | undefined): Promise<boolean>;
}

/** A person's claim: which guest record holds the person's one live HMS guest account, since when. */
export interface PersonClaim {
  guestId: string;
  claimedAt: string;
}

/** A page of labs or O2 accounts: `cursor` from the previous page, at most `limit` (MAX_PAGE). */
export interface O2Query {
  cursor?: string | undefined;
  limit?: number | undefined;
}

/**
 * Labs and O2 accounts (issue 14), with their audit events: single-item conditional writes on a
 * version, lists from indexes only (never a Scan), newest first.
 */
export interface O2Repository {
  getLab(labId: string): Promise<Lab | undefined>;
  /** Creates the lab; ConflictError if the ID exists. */
  createLab(lab: Lab): Promise<void>;
  /** Writes `next` only if the stored version is still `next.version - 1` (else StaleWriteError). */
  saveLab(next: Lab): Promise<void>;
  /** A PI's labs (the `byPi` index). */
  labsOfPi(piHuid: string, query: O2Query): Promise<Page<Lab>>;
  /**
   * Notes on the lab that the RC Core was asked to register it (once per lab), without changing its
   * version: book-keeping, not a change anyone made to the lab, so the lab's ETag (which the RC Core's
   * registration sends as If-Match) stays. False when the lab changed or the note is there already.
   */
  noteRegistrationRequested(lab: Lab, at: string): Promise<boolean>;
  /** Labs by registration status (the `byQueue` index): the RC Core's queue is `pending`. */
  labsByRegistration(status: RegistrationStatus, query: O2Query): Promise<Page<Lab>>;

  get(o2AccountId: string): Promise<O2Account | undefined>;
  create(o2: O2Account): Promise<void>;
  save(next: O2Account): Promise<void>;
  /** O2 accounts a person sponsors (`byPi`). */
  listByPi(piHuid: string, query: O2Query): Promise<Page<O2Account>>;
  /** A user's O2 accounts (`byUser`). */
  listByUser(userHuid: string, query: O2Query): Promise<Page<O2Account>>;
  /** O2 accounts in these statuses, one status after the other (`byQueue`): the RC Core's queue. */
  listByStatus(statuses: readonly O2Status[], query: O2Query): Promise<Page<O2Account>>;
  /** The O2 accounts of a lab (`byLab`): those waiting for its registration. */
  listByLab(labId: string, query: O2Query): Promise<Page<O2Account>>;
  /**
   * What a PI or lab manager looks after: the O2 accounts they sponsor (`byPi`), then those of each
   * of these labs (`byLab`), one after the other, each account once (one they sponsor in a lab is
   * listed with the first).
   */
  listForPi(piHuid: string, labIds: readonly string[], query: O2Query): Promise<Page<O2Account>>;
  /** O2 accounts with work due at or before `before` (`byDue`): the reconciler. */
  listDue(before: string, cursor?: string): Promise<Page<O2Account>>;

  /** Writes audit events as items; writing one again changes nothing. */
  appendAudit(events: O2AuditEvent[]): Promise<void>;
  /** Every audit event of the lab or O2 account in order, including the one its item carries. */
  history(kind: O2AuditEvent['kind'], id: string): Promise<O2AuditEvent[]>;
  /** Reserves a Unix uid number for an HMS account (its Unix username: a person keeps one uid across O2 accounts); false if another holds it. Idempotent per owner. */
  reserveUidNumber(uidNumber: number, owner: string): Promise<boolean>;
  /** The O2 account that last claimed this user: one live O2 account per person. */
  userClaim(huid: string): Promise<PersonClaim | undefined>;
  /** Claims the user for `claim.guestId` (an O2 account ID here) if nobody has, or if the claim is still `previous`. */
  claimUser(huid: string, claim: PersonClaim, previous: PersonClaim | undefined): Promise<boolean>;
}

/** Counts attempts with conditional writes (for limits no gateway can apply). */
export interface AttemptCounter {
  /** Counts one attempt in (key, window): the new count, or undefined (nothing counted) when `limit` attempts are already counted. */
  count(key: string, window: string, limit: number, expiresAt: Date): Promise<number | undefined>;
  /** The attempts recorded under `key` by `record`. */
  attempts(key: string): Promise<{ attempts: number; lastAt: string } | undefined>;
  /** Records one more attempt at `at` if the record still holds `seen` attempts; false if another attempt was recorded first. */
  record(key: string, seen: number, at: string, expiresAt: Date): Promise<boolean>;
  /** Forgets the attempts recorded under `key` by `record` (the caller proved to hold the code). */
  reset(key: string): Promise<void>;
}

/** Raises an alert for HMS IT (a structured log line in AWS, with a metric filter and an alarm on it). */
export interface Alerts {
  raise(alert: 'activation-ceiling' | 'o2-rc-core-overdue', detail: Record<string, unknown>): Promise<void>;
}

export interface PeopleDirectory {
  person(huid: string): Promise<Person | undefined>;
  /**
   * HUIDs of the people who named this person as a delegate (the reverse of `Person.delegates`).
   * May hold a sponsor who has since removed the delegate: the sponsor's own record decides.
   */
  sponsorsOf(delegateHuid: string): Promise<string[]>;
}

export interface HsrDirectory {
  hsr(huid: string): Promise<HsrRecord | undefined>;
}

export interface EmailMessage {
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(message: EmailMessage): Promise<string>;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

/** One event of an execution's history, as Step Functions records it. */
export interface ExecutionEvent {
  id: number;
  at: string;
  /** StateEntered, TaskFailed, ExecutionSucceeded, ... */
  type: string;
  /** The state the event is about, when it is about one. */
  state?: string | undefined;
  error?: string | undefined;
  cause?: string | undefined;
}

/** An execution as an operator looks at it: DescribeExecution and the latest events of GetExecutionHistory. */
export interface ExecutionDetail {
  name: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string | undefined;
  error?: string | undefined;
  cause?: string | undefined;
  /** The latest events, newest first (at most EXECUTION_EVENTS_SHOWN). */
  events: ExecutionEvent[];
  /** Older events were left out. */
  eventsTruncated: boolean;
}

/** The most events of one execution an operator is shown (the newest). */
export const EXECUTION_EVENTS_SHOWN = 200;

export interface LifecycleWorkflow {
  /** Starts an execution; starting the same name with the same input again is harmless. */
  start(executionName: string, input: Record<string, unknown>): Promise<void>;
  describe(executionName: string): Promise<ExecutionStatus | undefined>;
  /** Status and latest history events of an execution (undefined when there is none by that name). */
  execution(executionName: string): Promise<ExecutionDetail | undefined>;
  stop(executionName: string, cause: string): Promise<void>;
  /** Wakes the approval step; false if the token is no longer valid (timed out, or the step ended). */
  resume(taskToken: string, output: Record<string, unknown>): Promise<boolean>;
}

export interface Random {
  bytes(n: number): Buffer;
  uuid(): string;
  int(maxExclusive: number): number;
}

/**
 * What the system did, counted for the operators' dashboard (CloudWatch metrics from the functions'
 * log lines, EMF, in AWS; in memory for tests). Counting never fails a use case.
 */
export interface Metrics {
  count(name: MetricName, value?: number): void;
}

/** Every metric the use cases count, by name (the dashboard, infra/monitoring.ts, reads the same list). */
export const METRIC_NAMES = {
  /** A sponsor or delegate requested a guest account (POST /v1/guests). */
  requested: 'GuestsRequested',
  /** An account was provisioned (account ID, entitlements), before its activation email. */
  provisioned: 'GuestsProvisioned',
  /** An expiry notice went to the sponsor. */
  noticeSent: 'ExpiryNoticesSent',
  /** An account expired (at its end date, or by HMS IT). */
  expired: 'GuestsExpired',
  /** A lifecycle failure was recorded on a guest (every task's retries were used up). */
  lifecycleFailure: 'LifecycleFailures',
  /** The reconciler started a lifecycle again (missing, failed or late execution). */
  repaired: 'LifecyclesRepaired',
  /** The reconciler set a directory account right that differed from the guest record (drift repair; alarmed). */
  accountRepaired: 'AccountsRepaired',
  /** A call to the account directory failed after the adapter's own retries (alarmed). */
  directoryFailure: 'DirectoryFailures',
  /** An O2 account was requested (POST /v1/o2-accounts, or a guest's `o2` service). */
  o2Requested: 'O2AccountsRequested',
  /** An O2 account became active (set up on-Quad, or completed by the RC Core). */
  o2Activated: 'O2AccountsActivated',
  /** An O2 account expired with its HMS account. */
  o2Expired: 'O2AccountsExpired',
} as const;
export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];

/** A user of the account directory, as the use cases need it (the HMS account of a guest). */
export interface DirectoryUser {
  /** The directory's own ID of the user. */
  id: string;
  /** The HMS account ID. */
  userName: string;
  /** The guest ID of the guest record the user belongs to (this system's key), when it has one. */
  externalId?: string | undefined;
  active: boolean;
  /** Every group the user is in, by name (displayName). */
  groups: string[];
  /** The guest facts of the schema extension, as the directory holds them. */
  endDate?: string | undefined;
  population?: string | undefined;
  sponsorHuid?: string | undefined;
  /** When the directory last changed the user (meta.lastModified). */
  lastModified?: string | undefined;
  /** The user's POSIX attributes (an O2 login), when it has them. */
  posix?: Posix | undefined;
}

/** A user to create: the HMS account of one guest. */
export interface NewDirectoryUser {
  userName: string;
  externalId: string;
  givenName: string;
  familyName: string;
  /** The guest's personal email (from the HSR). */
  email: string;
  active: boolean;
  endDate: string;
  population: string;
  sponsorHuid: string;
}

/** Attributes to replace on a user (only those given). */
export interface DirectoryUserChanges {
  active?: boolean;
  endDate?: string;
  population?: string;
  sponsorHuid?: string;
  /** The guest record the user now belongs to (a person's own account kept as a guest account when leaving HMS). */
  externalId?: string;
  /** The POSIX attributes of an O2 login; null takes them away. */
  posix?: Posix | null;
}

/** What setting a password came to: set, or (a directory that takes no password writes) the link where the guest sets it. */
export type PasswordOutcome = { set: true } | { set: false; setPasswordUrl: string };

/**
 * The HMS account directory (HMS's identity store): the reference adapter speaks SCIM 2.0
 * (shared/adapters/scim-directory.ts); an LDAP one would sit behind the same port. Every failure is
 * an AccountDirectoryError (shared/core/domain/errors.ts), transient or permanent.
 */
export interface AccountDirectory {
  /** The user whose externalId is this guest ID, if any. */
  findByExternalId(externalId: string): Promise<DirectoryUser | undefined>;
  /** The user with this userName (HMS account ID; case-insensitive), if any. */
  findByUserName(userName: string): Promise<DirectoryUser | undefined>;
  /** Users the directory changed after `since` (ISO instant), a page at a time (never every user). */
  modifiedSince(since: string, cursor?: string): Promise<Page<DirectoryUser>>;
  /** Creates the user; DirectoryConflictError when its userName is taken. */
  create(user: NewDirectoryUser): Promise<DirectoryUser>;
  /** Replaces these attributes (enable or disable with `active`). */
  update(userId: string, changes: DirectoryUserChanges): Promise<void>;
  /** Sets the user's password (sent to the directory only, over TLS), or answers where the guest sets it. */
  setPassword(userId: string, password: string): Promise<PasswordOutcome>;
  /** Adds the user to the group (by name); adding a member again changes nothing. */
  addToGroup(group: string, userId: string): Promise<void>;
  /** Removes the user from the group (by name); removing a non-member changes nothing. */
  removeFromGroup(group: string, userId: string): Promise<void>;
}

/** Named instants this system keeps between runs (the reconciler's last drift check). */
export interface Checkpoints {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
}
