/**
 * The daily reconciler: repairs what fell through. It reads only guests whose next due time has
 * passed (the byDue index), and for each one whose execution is missing, failed, timed out, or
 * running but late, starts a fresh execution that picks up from what DynamoDB says.
 */
import type { Guest } from '../domain/model.ts';
import { isFinal, isProvisioned, MAX_FAILURES } from '../domain/transitions.ts';
import { activationOwed } from './activation.ts';
import { change } from './changes.ts';
import type { Deps } from './deps.ts';
import { EXECUTION_PHASE, executionInput } from './lifecycle-contract.ts';

/** A running execution is left alone until its guest is this late (it may simply be about to act). */
export const LATE_AFTER_MS = 60 * 60 * 1000;

export interface ReconcileReport {
  examined: number;
  restarted: string[];
  skipped: number;
  errors: { guestId: string; error: string }[];
}

export async function reconcile(deps: Deps): Promise<ReconcileReport> {
  const now = deps.clock.now();
  const report: ReconcileReport = { examined: 0, restarted: [], skipped: 0, errors: [] };
  let cursor: string | undefined;
  do {
    const page = await deps.guests.listDue(now.toISOString(), cursor);
    for (const guest of page.items) {
      report.examined++;
      try {
        if (await repair(deps, guest, now)) report.restarted.push(guest.guestId);
        else report.skipped++;
      } catch (err) {
        report.errors.push({ guestId: guest.guestId, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return report;
}

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
