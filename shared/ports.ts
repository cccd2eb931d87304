/**
 * Ports: what the application needs from the outside world. Adapters in shared/adapters implement
 * them over AWS (or over HTTP for the Harvard directories); tests and the local runner wire the same
 * adapters to local endpoints.
 */
import type { AuditEvent, Guest, GuestStatus, HsrRecord, Person } from './domain/model.ts';

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

/** Counts attempts with conditional writes (for limits no gateway can apply). */
export interface AttemptCounter {
  /** Counts one attempt in (key, window): the new count, or undefined (nothing counted) when `limit` attempts are already counted. */
  count(key: string, window: string, limit: number, expiresAt: Date): Promise<number | undefined>;
  /** The attempts recorded under `key` by `record`. */
  attempts(key: string): Promise<{ attempts: number; lastAt: string } | undefined>;
  /** Records one more attempt at `at` if the record still holds `seen` attempts; false if another attempt was recorded first. */
  record(key: string, seen: number, at: string, expiresAt: Date): Promise<boolean>;
}

/** Raises an alert for HMS IT (a structured log line in AWS, with a metric filter and an alarm on it). */
export interface Alerts {
  raise(alert: 'activation-ceiling', detail: Record<string, unknown>): Promise<void>;
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

export interface LifecycleWorkflow {
  /** Starts an execution; starting the same name with the same input again is harmless. */
  start(executionName: string, input: Record<string, unknown>): Promise<void>;
  describe(executionName: string): Promise<ExecutionStatus | undefined>;
  stop(executionName: string, cause: string): Promise<void>;
  /** Wakes the approval step; false if the token is no longer valid (timed out, or the step ended). */
  resume(taskToken: string, output: Record<string, unknown>): Promise<boolean>;
}

export interface Random {
  bytes(n: number): Buffer;
  uuid(): string;
  int(maxExclusive: number): number;
}
