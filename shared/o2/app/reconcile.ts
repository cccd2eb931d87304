/**
 * The O2 lifecycle's part of the daily reconciler (shared/app/reconcile.ts runs it): an O2 account
 * whose work is due (the O2 table's byDue index) and whose execution is missing, failed, timed out,
 * or running but late gets a fresh execution (the next generation, from the start: CheckHmsAccount
 * sends it on by status); one with nothing left to do loses its O2 login if the directory still has
 * it, and is let go.
 */
import { errorMessage, forEachDue, restartIfFallenThrough } from '../../core/app/reconcile.ts';
import type { O2Deps as Deps } from '../../app/deps.ts';
import type { O2Account } from '../domain/model.ts';
import { o2Can, o2IsFinal } from '../domain/transitions.ts';
import { changeO2 } from './changes.ts';
import { o2ExecutionInput, o2ExecutionName } from './contract.ts';
import { syncO2Login } from './login.ts';

const RECONCILER = 'reconciler';

/** What the O2 part of a run did. */
export interface O2ReconcileReport {
  o2Examined: number;
  o2Restarted: string[];
  skipped: number;
  /** Where the O2 part adds what could not be repaired (the run's list, which holds guests too). */
  errors: { push(error: { o2AccountId: string; error: string }): unknown };
}

/** The O2 accounts whose work is due (byDue of the O2 table), each repaired if its lifecycle fell through. */
export async function reconcileO2(deps: Deps, now: Date, report: O2ReconcileReport): Promise<void> {
  await forEachDue(
    (before, cursor) => deps.o2.listDue(before, cursor),
    now,
    async (due) => {
      report.o2Examined++;
      if (await repairO2(deps, due, now)) report.o2Restarted.push(due.o2AccountId);
      else report.skipped++;
    },
    (due, err) => report.errors.push({ o2AccountId: due.o2AccountId, error: errorMessage(err) }),
  );
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
  return restartIfFallenThrough(
    {
      workflow: deps.o2Workflow,
      executionName: (r, generation) => o2ExecutionName(r.o2AccountId, generation),
      recordRestart: async (r, execution, detail) => void (await changeO2(deps, r, RECONCILER, 'execution-restarted', { execution, taskToken: undefined, waitingFor: undefined }, detail)),
      executionInput: (r) => o2ExecutionInput(r.o2AccountId),
    },
    o,
    now,
  );
}
