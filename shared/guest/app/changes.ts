/**
 * Every change to a guest: one conditional write on its version (carrying its audit event as
 * `lastAudit`), then the audit event as its own item, readable per guest.
 */
import type { AuditEvent, Guest } from '../domain/model.ts';
import { ConflictError } from '../../core/domain/errors.ts';
import type { Deps } from '../../app/deps.ts';

const SECRET_FIELDS = new Set<keyof Guest>(['approvalTaskToken']);

function redact(guest: Guest, keys: (keyof Guest)[]): Partial<Guest> {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = guest[k];
    if (SECRET_FIELDS.has(k)) out[k] = v === undefined ? undefined : '[redacted]';
    else if (k === 'activation' && v) out[k] = { ...(v as object), hash: '[redacted]' };
    else out[k] = v;
  }
  return out as Partial<Guest>;
}

/**
 * Applies `patch` to `guest` if nobody changed it since it was read (else ConflictError), and
 * records the audit event (actor, action, time, before/after of the changed fields).
 */
export async function change(
  deps: Pick<Deps, 'guests' | 'clock'>,
  guest: Guest,
  actor: string,
  action: string,
  patch: Partial<Guest>,
  detail?: Record<string, unknown>,
): Promise<Guest> {
  const at = deps.clock.now().toISOString();
  const next: Guest = { ...guest, ...patch, updatedAt: at, version: guest.version + 1 };
  const keys = (Object.keys(patch) as (keyof Guest)[]).filter((k) => k !== 'lastAudit');
  const event: AuditEvent = { guestId: guest.guestId, seq: next.version, at, actor, action, before: redact(guest, keys), after: redact(next, keys) };
  if (detail) event.detail = detail;
  next.lastAudit = event;
  await deps.guests.save(next);
  // The previous change's event again: harmless if it landed, the only copy if its write was lost.
  await deps.guests.appendAudit(guest.lastAudit ? [guest.lastAudit, event] : [event]);
  return next;
}

/**
 * Re-reads and re-applies a change when another writer got there first. `attempt` returns the
 * patch to apply to the fresh guest, or undefined when nothing is left to do.
 */
export async function changeWithRetry(
  deps: Pick<Deps, 'guests' | 'clock'>,
  guestId: string,
  actor: string,
  action: string,
  attempt: (g: Guest) => Partial<Guest> | undefined,
  tries = 4,
): Promise<Guest | undefined> {
  for (let i = 0; ; i++) {
    const g = await deps.guests.get(guestId);
    if (!g) return undefined;
    const patch = attempt(g);
    if (!patch) return g;
    try {
      return await change(deps, g, actor, action, patch);
    } catch (err) {
      if (!(err instanceof ConflictError) || i + 1 >= tries) throw err;
    }
  }
}
