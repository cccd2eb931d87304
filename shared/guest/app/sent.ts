/**
 * Recording that an email went out. SES has no idempotency key: from the moment SES accepts a
 * message until its record lands on the guest, a retried task would send it again. So the record
 * is not a single conditional write that can fail the task: on a conflict (a concurrent change, or
 * our own earlier attempt whose answer was lost) or any other error it re-reads the guest and
 * re-applies, and a record that is already there is done. See docs/design.md, "Exactly once".
 */
import type { Guest } from '../domain/model.ts';
import { change } from './changes.ts';
import type { GuestDeps as Deps } from '../../app/deps.ts';

/** Writes in all before giving up (each write is itself retried by the SDK). */
export const RECORD_TRIES = 3;

/**
 * Applies `patchFor(guest)` — the record of what was sent — first to `guest` as read before the
 * send, then to a fresh read. `patchFor` answers undefined when the record is already there (or no
 * longer applies). A recorded send is progress, so it also ends a streak of recorded failures.
 */
export async function recordSent(
  deps: Pick<Deps, 'guests' | 'clock'>,
  guest: Guest,
  actor: string,
  action: string,
  patchFor: (g: Guest) => Partial<Guest> | undefined,
  detail?: Record<string, unknown>,
): Promise<Guest> {
  let g: Guest | undefined = guest;
  for (let i = 1; ; i++) {
    const patch = patchFor(g);
    if (!patch) return g;
    try {
      return await change(deps, g, actor, action, g.failure ? { ...patch, failure: undefined } : patch, detail);
    } catch (err) {
      if (i >= RECORD_TRIES) throw err;
    }
    g = await deps.guests.get(guest.guestId);
    if (!g) return guest;
  }
}
