/**
 * The versioned change every lifecycle record goes through (a guest, a lab, an O2 account): one
 * conditional write on the version the change read (the record carrying its audit event as
 * `lastAudit`), then the audit event as its own item — with the previous change's event again,
 * harmless if it landed, the only copy if its write was lost. A lifecycle says how its records are
 * stored (`save`, `appendAudit`) and how an event of its looks (`event`); this says how a change is
 * made, retried and recorded.
 */
import { ConflictError } from '../domain/errors.ts';
import type { Clock } from '../ports.ts';

/** A record that changes by versions, carrying the audit event of its last change. */
export interface Versioned<E> {
  version: number;
  updatedAt: string;
  lastAudit?: E;
}

/** What the audit event of one change is made of. */
export interface ChangeFacts<T> {
  before: T;
  after: T;
  /** The fields the change set (never `lastAudit`). */
  keys: string[];
  seq: number;
  at: string;
  actor: string;
  action: string;
  detail?: Record<string, unknown> | undefined;
}

/** How one kind of record is changed: where it is written, and its audit event. */
export interface ChangeKind<T extends Versioned<E>, E> {
  /** Writes `next` only if the stored version is still `next.version - 1` (else a ConflictError: StaleWriteError). */
  save(next: T): Promise<void>;
  /** Writes audit events as items; writing one again changes nothing. */
  appendAudit(events: E[]): Promise<void>;
  event(facts: ChangeFacts<T>): E;
}

/**
 * Applies `patch` to `record` if nobody changed it since it was read (else the kind's ConflictError),
 * and records the audit event (actor, action, time, before/after of the changed fields).
 */
export async function applyChange<T extends Versioned<E>, E>(
  kind: ChangeKind<T, E>,
  clock: Clock,
  record: T,
  actor: string,
  action: string,
  patch: Partial<T>,
  detail?: Record<string, unknown>,
): Promise<T> {
  const at = clock.now().toISOString();
  const next: T = { ...record, ...patch, updatedAt: at, version: record.version + 1 };
  const keys = Object.keys(patch).filter((k) => k !== 'lastAudit');
  const event = kind.event({ before: record, after: next, keys, seq: next.version, at, actor, action, detail });
  next.lastAudit = event;
  await kind.save(next);
  await kind.appendAudit(record.lastAudit ? [record.lastAudit, event] : [event]);
  return next;
}

/**
 * Re-reads and re-applies a change when another writer got there first. `attempt` answers the
 * patch to apply to the fresh record, or undefined when nothing is left to do (the fresh record is
 * answered); undefined when the record is gone.
 */
export async function changeWithRetry<T>(
  read: () => Promise<T | undefined>,
  apply: (current: T, patch: Partial<T>) => Promise<T>,
  attempt: (current: T) => Partial<T> | undefined,
  tries = 4,
): Promise<T | undefined> {
  for (let i = 0; ; i++) {
    const current = await read();
    if (!current) return undefined;
    const patch = attempt(current);
    if (!patch) return current;
    try {
      return await apply(current, patch);
    } catch (err) {
      if (!(err instanceof ConflictError) || i + 1 >= tries) throw err;
    }
  }
}

/** The fields of a record as an audit event shows them: the named ones, secrets redacted. */
export function auditFields(record: object, keys: readonly string[], redact: (key: string, value: unknown) => unknown = (_k, v) => v): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = redact(k, (record as Record<string, unknown>)[k]);
  return out;
}
