/**
 * Ports every lifecycle uses: what the application needs from the outside world (the clock, mail,
 * the people directories, the account directory, Step Functions, metrics, alerts). Adapters in
 * shared/adapters implement them over AWS (or over HTTP for the Harvard directories); tests and the
 * local runner wire the same adapters to local endpoints. Each lifecycle's own repository port is in
 * its folder (shared/guest/app/ports.ts, shared/o2/app/ports.ts).
 */
import type { Posix } from './domain/directory.ts';
import type { HsrRecord, Person } from './domain/people.ts';

export interface Clock {
  now(): Date;
}

export interface Page<T> {
  items: T[];
  cursor?: string | undefined;
}

export const MAX_PAGE = 500;

/** A person's claim: which guest record holds the person's one live HMS guest account, since when. */
export interface PersonClaim {
  guestId: string;
  claimedAt: string;
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
