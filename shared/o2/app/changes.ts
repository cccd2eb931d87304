/**
 * Every change to a lab or an O2 account, as for guests (changes.ts): one conditional write on its
 * version (carrying its audit event as `lastAudit`), then the audit event as its own item.
 */
import { ConflictError } from '../../core/domain/errors.ts';
import type { Lab, O2Account, O2AuditEvent } from '../domain/model.ts';
import type { Deps } from '../../app/deps.ts';

/** Never written to an audit event as they are. */
const SECRET_FIELDS = new Set<string>(['taskToken']);

function pick(record: object, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = (record as Record<string, unknown>)[k];
    out[k] = SECRET_FIELDS.has(k) ? (v === undefined ? undefined : '[redacted]') : v;
  }
  return out;
}

function eventOf(kind: O2AuditEvent['kind'], id: string, before: object, after: object, keys: string[], seq: number, at: string, actor: string, action: string, detail?: Record<string, unknown>): O2AuditEvent {
  const event: O2AuditEvent = { kind, id, seq, at, actor, action, before: pick(before, keys), after: pick(after, keys) };
  if (detail) event.detail = detail;
  return event;
}

type O2Deps = Pick<Deps, 'o2' | 'clock'>;

/** Applies `patch` to the O2 account if nobody changed it since it was read (else StaleWriteError), and records the audit event. */
export async function changeO2(deps: O2Deps, o2: O2Account, actor: string, action: string, patch: Partial<O2Account>, detail?: Record<string, unknown>): Promise<O2Account> {
  const at = deps.clock.now().toISOString();
  const next: O2Account = { ...o2, ...patch, updatedAt: at, version: o2.version + 1 };
  const keys = Object.keys(patch).filter((k) => k !== 'lastAudit');
  const event = eventOf('o2', o2.o2AccountId, o2, next, keys, next.version, at, actor, action, detail);
  next.lastAudit = event;
  await deps.o2.save(next);
  await deps.o2.appendAudit(o2.lastAudit ? [o2.lastAudit, event] : [event]);
  return next;
}

/** Re-reads and re-applies a change when another writer got there first; `attempt` answers the patch, or undefined when nothing is left to do. */
export async function changeO2WithRetry(
  deps: O2Deps,
  o2AccountId: string,
  actor: string,
  action: string,
  attempt: (o: O2Account) => Partial<O2Account> | undefined,
  detail?: Record<string, unknown>,
  tries = 4,
): Promise<O2Account | undefined> {
  for (let i = 0; ; i++) {
    const o = await deps.o2.get(o2AccountId);
    if (!o) return undefined;
    const patch = attempt(o);
    if (!patch) return o;
    try {
      return await changeO2(deps, o, actor, action, patch, detail);
    } catch (err) {
      if (!(err instanceof ConflictError) || i + 1 >= tries) throw err;
    }
  }
}

/** The record of an email that went out (see sent.ts): re-read and re-applied until it lands; a recorded email clears a recorded failure. */
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
export async function changeLab(deps: O2Deps, lab: Lab, actor: string, action: string, patch: Partial<Lab>, detail?: Record<string, unknown>): Promise<Lab> {
  const at = deps.clock.now().toISOString();
  const next: Lab = { ...lab, ...patch, updatedAt: at, version: lab.version + 1 };
  const keys = Object.keys(patch).filter((k) => k !== 'lastAudit');
  const event = eventOf('lab', lab.labId, lab, next, keys, next.version, at, actor, action, detail);
  next.lastAudit = event;
  await deps.o2.saveLab(next);
  await deps.o2.appendAudit(lab.lastAudit ? [lab.lastAudit, event] : [event]);
  return next;
}
