/**
 * The daily reconciler: repairs what fell through, each lifecycle's part in its folder
 * (shared/guest/app/reconcile.ts, shared/o2/app/reconcile.ts) on the core's loop
 * (shared/core/app/reconcile.ts): the guests first (drift repair of their directory accounts, then
 * every guest due), then the O2 accounts due. One report for the run, its figures as metrics.
 */
import { LATE_AFTER_MS } from '../core/app/reconcile.ts';
import { METRIC_NAMES } from '../core/ports.ts';
import { DRIFT_CHECKPOINT, DRIFT_GRACE_MS, DRIFT_OVERLAP_MS, reconcileGuests } from '../guest/app/reconcile.ts';
import { reconcileO2 } from '../o2/app/reconcile.ts';
import type { Deps } from './deps.ts';

export { DRIFT_CHECKPOINT, DRIFT_GRACE_MS, DRIFT_OVERLAP_MS, LATE_AFTER_MS };

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

export interface ReconcileOptions {
  /** Repair O2 accounts too (the function is bound to the O2 table and state machine). */
  o2?: boolean;
}

export async function reconcile(deps: Deps, opts: ReconcileOptions = { o2: true }): Promise<ReconcileReport> {
  const now = deps.clock.now();
  const report: ReconcileReport = { examined: 0, restarted: [], skipped: 0, errors: [], usersChanged: 0, accountsRepaired: [], deferred: [], o2Examined: 0, o2Restarted: [] };
  await reconcileGuests(deps, now, report);
  if (opts.o2) await reconcileO2(deps, now, report);
  deps.metrics.count(METRIC_NAMES.accountRepaired, report.accountsRepaired.length);
  // Every run, zero included: the dashboard shows a day without repairs as such.
  deps.metrics.count(METRIC_NAMES.repaired, report.restarted.length + report.o2Restarted.length);
  return report;
}
