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
  expiringBefore?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

export interface GuestRepository {
  get(guestId: string): Promise<Guest | undefined>;
  /** Creates the guest; fails with ConflictError if the ID exists. */
  create(guest: Guest): Promise<void>;
  /** Writes `next` only if the stored version is still `next.version - 1` (else ConflictError). */
  save(next: Guest): Promise<void>;
  listBySponsor(sponsorHuid: string, query: GuestQuery): Promise<Page<Guest>>;
  /** Guests with work due at or before `before`, from the due-date index (never a Scan). */
  listDue(before: string, cursor?: string): Promise<Page<Guest>>;
  /** Writes audit events as items; writing one again (same guest and seq) changes nothing. */
  appendAudit(events: AuditEvent[]): Promise<void>;
  /** Every audit event of the guest in order, including the one carried by the guest item (`lastAudit`). */
  history(guestId: string): Promise<AuditEvent[]>;
  /** Reserves an HMS account ID for a guest; false if another guest holds it. Idempotent per guest. */
  reserveAccountId(accountId: string, guestId: string): Promise<boolean>;
  guestIdForAccount(accountId: string): Promise<string | undefined>;
}

/** Counts attempts per key and window with a conditional write (for limits no gateway can apply). */
export interface AttemptCounter {
  /** Counts one attempt; false (and nothing counted) when `limit` attempts are already counted in this window. */
  count(key: string, window: string, limit: number, expiresAt: Date): Promise<boolean>;
}

export interface PeopleDirectory {
  person(huid: string): Promise<Person | undefined>;
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
