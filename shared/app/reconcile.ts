/**
 * The daily reconciler: repairs what fell through. It reads only guests whose next due time has
 * passed (the byDue index), and for each one whose execution is missing, failed, timed out, or
 * running but late, starts a fresh execution that picks up from what DynamoDB says.
 *
 * Drift repair: the table is the source of truth for guest accounts. The reconciler compares the
 * HMS account directory with it for the users the directory reports changed since its last run (a
 * SCIM filter on meta.lastModified) and for the guests due — never a scan of either side — and sets
 * each difference right (a user enabled by hand after expiry, a missing group, a guest in the
 * Digital Library's group), each repair audited with actor `reconciler` and counted
 * (AccountsRepaired, alarmed). A directory that cannot be reached defers the comparison to the
 * next run: it is not an error of the run.
 *
 * O2 accounts (issue 14) are repaired the same way, from the O2 table's byDue index: an O2 account
 * whose work is due and whose execution is missing, failed, timed out, or running but late gets a
 * fresh execution (the next generation, from the start: CheckHmsAccount sends it on by status).
 */
import { AccountDirectoryError, ConflictError } from '../core/domain/errors.ts';
import type { Guest } from '../guest/domain/model.ts';
import type { O2Account } from '../o2/domain/model.ts';
import { o2Can, o2IsFinal } from '../o2/domain/transitions.ts';
import { isFinal, isProvisioned, MAX_FAILURES } from '../guest/domain/transitions.ts';
import { syncAccount } from '../guest/app/account.ts';
import { activationOwed } from '../guest/app/activation.ts';
import { change } from '../guest/app/changes.ts';
import type { Deps } from './deps.ts';
import { EXECUTION_PHASE, executionInput } from '../guest/app/contract.ts';
import { syncO2Login } from '../o2/app/login.ts';
import { changeO2 } from '../o2/app/changes.ts';
import { o2ExecutionInput, o2ExecutionName } from '../o2/app/contract.ts';
import { METRIC_NAMES } from '../core/ports.ts';

/** A running execution is left alone until its guest is this late (it may simply be about to act). */
export const LATE_AFTER_MS = 60 * 60 * 1000;

/** The checkpoint of the drift check: when the last run that read every changed user began. */
export const DRIFT_CHECKPOINT = 'reconciler-drift';
/** Users changed this long before the last run began are read again (clocks of two systems, a change landing late). */
export const DRIFT_OVERLAP_MS = 15 * 60_000;
/** A first run reads the changes of the last day and a bit. */
const FIRST_RUN_LOOKBACK_MS = 25 * 3_600_000;
/** A user changed this recently may be in the middle of an activation or a change of the API: left to the next run. */
export const DRIFT_GRACE_MS = 5 * 60_000;
const GUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ReconcileReport {
  examined: number;
  restarted: string[];
  skipped: number;
  /** What could not be repaired: a guest (`guestId`) or an O2 account (`o2AccountId`). */
  errors: ({ guestId: string; error: string } | { o2AccountId: string; error: string })[];
  /** Users the directory reported changed since the last run. */
  usersChanged: number;
  /** Directory accounts set right, and what was set right. */
  accountsRepaired: { guestId: string; repaired: string[] }[];
  /** Guests whose directory account could not be compared (the directory unavailable): the next run does. */
  deferred: string[];
  /** O2 accounts due, and those whose O2 lifecycle was started again. */
  o2Examined: number;
  o2Restarted: string[];
}

const message = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

export interface ReconcileOptions {
  /** Repair O2 accounts too (the function is bound to the O2 table and state machine). */
  o2?: boolean;
}

export async function reconcile(deps: Deps, opts: ReconcileOptions = { o2: true }): Promise<ReconcileReport> {
  const now = deps.clock.now();
  const report: ReconcileReport = { examined: 0, restarted: [], skipped: 0, errors: [], usersChanged: 0, accountsRepaired: [], deferred: [], o2Examined: 0, o2Restarted: [] };
  const compared = await repairChangedUsers(deps, now, report);
  let cursor: string | undefined;
  do {
    const page = await deps.guests.listDue(now.toISOString(), cursor);
    for (const due of page.items) {
      report.examined++;
      try {
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
            continue;
          }
        }
        if (await repair(deps, guest, now)) report.restarted.push(guest.guestId);
        else report.skipped++;
      } catch (err) {
        report.errors.push({ guestId: due.guestId, error: message(err) });
      }
    }
    cursor = page.cursor;
  } while (cursor);
  if (opts.o2) await reconcileO2(deps, now, report);
  deps.metrics.count(METRIC_NAMES.accountRepaired, report.accountsRepaired.length);
  // Every run, zero included: the dashboard shows a day without repairs as such.
  deps.metrics.count(METRIC_NAMES.repaired, report.restarted.length + report.o2Restarted.length);
  return report;
}

/**
 * The users the directory changed since the last run (by hand, or by this system), each compared
 * with its guest and set right; the checkpoint moves on only when every one was read. Answers the
 * guests compared.
 */
async function repairChangedUsers(deps: Deps, now: Date, report: ReconcileReport): Promise<Set<string>> {
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
          report.errors.push({ guestId: guest.guestId, error: message(err) });
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
async function repairAccount(deps: Deps, guest: Guest, report: ReconcileReport): Promise<Guest> {
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
    await change(deps, guest, 'reconciler', 'closed', { dueAt: undefined });
    return false;
  }
  if ((guest.failure?.count ?? 0) >= MAX_FAILURES) return false;
  const status = guest.execution ? await deps.workflow.describe(guest.execution.name) : undefined;
  const late = guest.dueAt ? now.getTime() - Date.parse(guest.dueAt) > LATE_AFTER_MS : false;
  if (status === 'RUNNING' && !late) return false;
  if (status === 'RUNNING' && guest.execution) await deps.workflow.stop(guest.execution.name, 'late: replaced by the reconciler');
  const generation = (guest.execution?.generation ?? 0) + 1;
  const execution = { name: `${guest.guestId}-${generation}`, generation };
  await change(deps, guest, 'reconciler', 'execution-restarted', { execution }, { previous: guest.execution?.name ?? null, previousStatus: status ?? 'MISSING' });
  // A provisioned guest goes straight to the schedule, unless the activation email is still owed:
  // then from the start, where CheckHsr sends it on to Provision.
  const toSchedule = isProvisioned(guest.status) && !activationOwed(guest);
  await deps.workflow.start(execution.name, executionInput(guest.guestId, toSchedule ? EXECUTION_PHASE.schedule : undefined));
  return true;
}

/** The O2 accounts whose work is due (byDue of the O2 table), each repaired if its lifecycle fell through. */
async function reconcileO2(deps: Deps, now: Date, report: ReconcileReport): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await deps.o2.listDue(now.toISOString(), cursor);
    for (const due of page.items) {
      report.o2Examined++;
      try {
        if (await repairO2(deps, due, now)) report.o2Restarted.push(due.o2AccountId);
        else report.skipped++;
      } catch (err) {
        report.errors.push({ o2AccountId: due.o2AccountId, error: message(err) });
      }
    }
    cursor = page.cursor;
  } while (cursor);
}

/** Starts the O2 account's lifecycle again (the next generation) when its execution is missing, ended, or running but late. */
async function repairO2(deps: Deps, o: O2Account, now: Date): Promise<boolean> {
  // Nothing left to do: a final account, or an expired one told already (a renewal starts its own execution).
  if (o2IsFinal(o.status) || (o2Can(o.status, 'renew') && o.expiredNoticeSentAt)) {
    // Its O2 login as the record says (none), before it is let go: a directory that fails keeps it due.
    const changed = await syncO2Login(deps, o);
    await changeO2(deps, o, RECONCILER, 'closed', { dueAt: undefined }, changed.length ? { repaired: changed } : undefined);
    return false;
  }
  if ((o.failure?.count ?? 0) >= MAX_FAILURES) return false;
  const status = o.execution ? await deps.o2Workflow.describe(o.execution.name) : undefined;
  const late = o.dueAt ? now.getTime() - Date.parse(o.dueAt) > LATE_AFTER_MS : false;
  if (status === 'RUNNING' && !late) return false;
  if (status === 'RUNNING' && o.execution) await deps.o2Workflow.stop(o.execution.name, 'late: replaced by the reconciler');
  const generation = (o.execution?.generation ?? 0) + 1;
  const execution = { name: o2ExecutionName(o.o2AccountId, generation), generation };
  await changeO2(deps, o, RECONCILER, 'execution-restarted', { execution, taskToken: undefined, waitingFor: undefined }, { previous: o.execution?.name ?? null, previousStatus: status ?? 'MISSING' });
  await deps.o2Workflow.start(execution.name, o2ExecutionInput(o.o2AccountId));
  return true;
}
