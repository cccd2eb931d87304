/**
 * Every change to a lab or an O2 account, made by the lifecycle core's versioned change
 * (shared/core/app/changes.ts): one conditional write on its version (carrying its audit event as
 * `lastAudit`), then the audit event as its own item. A task token never goes into an event.
 */
import { applyChange, auditFields, changeWithRetry, type ChangeKind } from '../../core/app/changes.ts';
import type { Clock } from '../../core/ports.ts';
import type { Lab, O2Account, O2AuditEvent } from '../domain/model.ts';
import type { O2Repository } from './ports.ts';

type O2Deps = { o2: O2Repository; clock: Clock };

const redact = (key: string, value: unknown) => (key === 'taskToken' ? (value === undefined ? undefined : '[redacted]') : value);

function eventKind<T extends O2Account | Lab>(kind: O2AuditEvent['kind'], idOf: (r: T) => string, save: (next: T) => Promise<void>, deps: O2Deps): ChangeKind<T, O2AuditEvent> {
  return {
    save,
    appendAudit: (events) => deps.o2.appendAudit(events),
    event: ({ before, after, keys, seq, at, actor, action, detail }) => ({
      kind,
      id: idOf(before),
      seq,
      at,
      actor,
      action,
      before: auditFields(before, keys, redact),
      after: auditFields(after, keys, redact),
      ...(detail ? { detail } : {}),
    }),
  };
}

const o2Kind = (deps: O2Deps) => eventKind<O2Account>('o2', (o) => o.o2AccountId, (next) => deps.o2.save(next), deps);
const labKind = (deps: O2Deps) => eventKind<Lab>('lab', (l) => l.labId, (next) => deps.o2.saveLab(next), deps);

/** Applies `patch` to the O2 account if nobody changed it since it was read (else StaleWriteError), and records the audit event. */
export function changeO2(deps: O2Deps, o2: O2Account, actor: string, action: string, patch: Partial<O2Account>, detail?: Record<string, unknown>): Promise<O2Account> {
  return applyChange(o2Kind(deps), deps.clock, o2, actor, action, patch, detail);
}

/** Re-reads and re-applies a change when another writer got there first; `attempt` answers the patch, or undefined when nothing is left to do. */
export function changeO2WithRetry(
  deps: O2Deps,
  o2AccountId: string,
  actor: string,
  action: string,
  attempt: (o: O2Account) => Partial<O2Account> | undefined,
  detail?: Record<string, unknown>,
  tries = 4,
): Promise<O2Account | undefined> {
  return changeWithRetry(() => deps.o2.get(o2AccountId), (o, patch) => changeO2(deps, o, actor, action, patch, detail), attempt, tries);
}

/** The record of an email that went out (see shared/guest/app/sent.ts): re-read and re-applied until it lands; a recorded email clears a recorded failure. */
export async function recordO2Sent(deps: O2Deps, o2: O2Account, actor: string, name: string, patch: Partial<O2Account> = {}, detail?: Record<string, unknown>): Promise<O2Account> {
  const done = await changeO2WithRetry(
    deps,
    o2.o2AccountId,
    actor,
    'email-sent',
    (cur) => (cur.sent?.includes(name) ? undefined : { ...patch, sent: [...(cur.sent ?? []), name], ...(cur.failure ? { failure: undefined } : {}) }),
    { email: name, ...detail },
  );
  return done ?? o2;
}

/** Applies `patch` to the lab on its version, with its audit event. */
export function changeLab(deps: O2Deps, lab: Lab, actor: string, action: string, patch: Partial<Lab>, detail?: Record<string, unknown>): Promise<Lab> {
  return applyChange(labKind(deps), deps.clock, lab, actor, action, patch, detail);
}
