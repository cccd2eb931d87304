/**
 * The guest lifecycle's part of the daily reconciler (shared/app/reconcile.ts runs it): it reads
 * only guests whose next due time has passed (the byDue index), and for each one whose execution is
 * missing, failed, timed out, or running but late, starts a fresh execution that picks up from what
 * DynamoDB says (the core's loop: shared/core/app/reconcile.ts).
 *
 * Drift repair: the table is the source of truth for guest accounts. The reconciler compares the
 * HMS account directory with it for the users the directory reports changed since its last run (a
 * SCIM filter on meta.lastModified) and for the guests due — never a scan of either side — and sets
 * each difference right (a user enabled by hand after expiry, a missing group, a guest in the
 * Digital Library's group), each repair audited with actor `reconciler` and counted
 * (AccountsRepaired, alarmed). A directory that cannot be reached defers the comparison to the
 * next run: it is not an error of the run.
 */
import { AccountDirectoryError, ConflictError } from '../../core/domain/errors.ts';
import { errorMessage, forEachDue, restartIfFallenThrough } from '../../core/app/reconcile.ts';
import type { GuestDeps as Deps } from '../../app/deps.ts';
import type { Guest } from '../domain/model.ts';
import { isFinal, isProvisioned } from '../domain/transitions.ts';
import { syncAccount } from './account.ts';
import { activationOwed } from './activation.ts';
import { change } from './changes.ts';
import { EXECUTION_PHASE, executionInput } from './contract.ts';


/** The checkpoint of the drift check: when the last run that read every changed user began. */
export const DRIFT_CHECKPOINT = 'reconciler-drift';
/** Users changed this long before the last run began are read again (clocks of two systems, a change landing late). */
export const DRIFT_OVERLAP_MS = 15 * 60_000;
/** A first run reads the changes of the last day and a bit. */
const FIRST_RUN_LOOKBACK_MS = 25 * 3_600_000;
/** A user changed this recently may be in the middle of an activation or a change of the API: left to the next run. */
export const DRIFT_GRACE_MS = 5 * 60_000;
const GUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the guests' part of a run did. */
export interface GuestReconcileReport {
  examined: number;
  restarted: string[];
  skipped: number;
  /** Where the guests' part adds what could not be repaired (the run's list, which holds O2 accounts too). */
  errors: { push(error: { guestId: string; error: string }): unknown };
  /** Users the directory reported changed since the last run. */
  usersChanged: number;
  /** Directory accounts set right, and what was set right. */
  accountsRepaired: { guestId: string; repaired: string[] }[];
  /** Guests whose directory account could not be compared (the directory unavailable): the next run does. */
  deferred: string[];
}

/** The changed users compared with their guests, then every guest due, each repaired if its lifecycle fell through. */
export async function reconcileGuests(deps: Deps, now: Date, report: GuestReconcileReport): Promise<void> {
  const compared = await repairChangedUsers(deps, now, report);
  await forEachDue(
    (before, cursor) => deps.guests.listDue(before, cursor),
    now,
    async (due) => {
      report.examined++;
      // Compared (and maybe repaired, a new version) with the changed users already: read again.
      let guest = compared.has(due.guestId) ? ((await deps.guests.get(due.guestId)) ?? due) : due;
      if (due.accountId && !compared.has(due.guestId)) {
        try {
          guest = await repairAccount(deps, due, report);
        } catch (err) {
          if (!(err instanceof AccountDirectoryError && err.transient)) throw err;
          // The directory is not answering: the guest stays due, for the next run (nothing is lost).
          report.deferred.push(due.guestId);
          report.skipped++;
          return;
        }
      }
      if (await repair(deps, guest, now)) report.restarted.push(guest.guestId);
      else report.skipped++;
    },
    (due, err) => report.errors.push({ guestId: due.guestId, error: errorMessage(err) }),
  );
}

/**
 * The users the directory changed since the last run (by hand, or by this system), each compared
 * with its guest and set right; the checkpoint moves on only when every one was read. Answers the
 * guests compared.
 */
async function repairChangedUsers(deps: Deps, now: Date, report: GuestReconcileReport): Promise<Set<string>> {
  const compared = new Set<string>();
  const last = await deps.checkpoints.get(DRIFT_CHECKPOINT);
  const since = new Date((last ? Date.parse(last) : now.getTime() - FIRST_RUN_LOOKBACK_MS) - DRIFT_OVERLAP_MS).toISOString();
  let cursor: string | undefined;
  try {
    do {
      const page = await deps.accounts.modifiedSince(since, cursor);
      for (const user of page.items) {
        report.usersChanged++;
        if (!user.externalId || !GUEST_ID.test(user.externalId)) continue;
        // In the middle of a change (an activation enables the user before the table says ACTIVE): the next run reads it again.
        if (user.lastModified && now.getTime() - Date.parse(user.lastModified) < DRIFT_GRACE_MS) continue;
        const guest = await deps.guests.get(user.externalId);
        if (!guest) continue;
        compared.add(guest.guestId);
        try {
          await repairAccount(deps, guest, report);
        } catch (err) {
          if (err instanceof AccountDirectoryError && err.transient) throw err;
          report.errors.push({ guestId: guest.guestId, error: errorMessage(err) });
        }
      }
      cursor = page.cursor;
    } while (cursor);
    await deps.checkpoints.set(DRIFT_CHECKPOINT, now.toISOString());
  } catch (err) {
    if (!(err instanceof AccountDirectoryError && err.transient)) throw err;
    // The directory is not answering: the changed users are read again from the same checkpoint next run.
    report.deferred.push('changed-users');
  }
  return compared;
}

/**
 * Sets the guest's directory account right if it differs from the guest record, and audits it
 * (actor `reconciler`, `account-repaired`, what was set right). The record is re-read first, and
 * read again if it changes while the directory is being set right. Answers the guest as it is now.
 */
async function repairAccount(deps: Deps, guest: Guest, report: GuestReconcileReport): Promise<Guest> {
  let g: Guest | undefined = guest;
  for (let attempt = 0; attempt < 3 && g; attempt++) {
    const result = await syncAccount(deps, g);
    if (!result.changed.length) return g;
    try {
      const next = await change(deps, g, RECONCILER, 'account-repaired', {}, { repaired: result.changed });
      report.accountsRepaired.push({ guestId: g.guestId, repaired: result.changed });
      return next;
    } catch (err) {
      // Changed meanwhile: what the directory should be may have changed with it.
      if (!(err instanceof ConflictError)) throw err;
      g = await deps.guests.get(guest.guestId);
    }
  }
  return g ?? guest;
}

const RECONCILER = 'reconciler';

async function repair(deps: Deps, guest: Guest, now: Date): Promise<boolean> {
  if (isFinal(guest.status)) {
    await change(deps, guest, RECONCILER, 'closed', { dueAt: undefined });
    return false;
  }
  return restartIfFallenThrough(
    {
      workflow: deps.workflow,
      executionName: (g, generation) => `${g.guestId}-${generation}`,
      recordRestart: async (g, execution, detail) => void (await change(deps, g, RECONCILER, 'execution-restarted', { execution }, detail)),
      // A provisioned guest goes straight to the schedule, unless the activation email is still owed:
      // then from the start, where CheckHsr sends it on to Provision.
      executionInput: (g) => executionInput(g.guestId, isProvisioned(g.status) && !activationOwed(g) ? EXECUTION_PHASE.schedule : undefined),
    },
    guest,
    now,
  );
}
