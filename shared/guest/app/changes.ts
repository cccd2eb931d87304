/**
 * Every change to a guest, made by the lifecycle core's versioned change (shared/core/app/changes.ts):
 * one conditional write on its version (carrying its audit event as `lastAudit`), then the audit
 * event as its own item, readable per guest. A task token and the activation code's hash never go
 * into an event as they are.
 */
import { applyChange, auditFields, changeWithRetry as retryChange, type ChangeKind } from '../../core/app/changes.ts';
import type { Clock } from '../../core/ports.ts';
import type { AuditEvent, Guest } from '../domain/model.ts';
import type { GuestRepository } from './ports.ts';

type GuestDeps = { guests: GuestRepository; clock: Clock };

/** Never written to an audit event as they are. */
function redact(key: string, value: unknown): unknown {
  if (key === 'approvalTaskToken') return value === undefined ? undefined : '[redacted]';
  if (key === 'activation' && value) return { ...(value as object), hash: '[redacted]' };
  return value;
}

const guestKind = (deps: GuestDeps): ChangeKind<Guest, AuditEvent> => ({
  save: (next) => deps.guests.save(next),
  appendAudit: (events) => deps.guests.appendAudit(events),
  event: ({ before, after, keys, seq, at, actor, action, detail }) => ({
    guestId: before.guestId,
    seq,
    at,
    actor,
    action,
    before: auditFields(before, keys, redact) as Partial<Guest>,
    after: auditFields(after, keys, redact) as Partial<Guest>,
    ...(detail ? { detail } : {}),
  }),
});

/**
 * Applies `patch` to `guest` if nobody changed it since it was read (else ConflictError), and
 * records the audit event (actor, action, time, before/after of the changed fields).
 */
export function change(deps: GuestDeps, guest: Guest, actor: string, action: string, patch: Partial<Guest>, detail?: Record<string, unknown>): Promise<Guest> {
  return applyChange(guestKind(deps), deps.clock, guest, actor, action, patch, detail);
}

/**
 * Re-reads and re-applies a change when another writer got there first. `attempt` returns the
 * patch to apply to the fresh guest, or undefined when nothing is left to do.
 */
export function changeWithRetry(deps: GuestDeps, guestId: string, actor: string, action: string, attempt: (g: Guest) => Partial<Guest> | undefined, tries = 4): Promise<Guest | undefined> {
  return retryChange(() => deps.guests.get(guestId), (g, patch) => change(deps, g, actor, action, patch), attempt, tries);
}
