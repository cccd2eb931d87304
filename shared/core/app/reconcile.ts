/**
 * The reconcile loop every lifecycle's repair runs on: the records whose work is due (a byDue index,
 * a page at a time: never a scan), and for each one whose execution is missing, ended, or running but
 * late, a fresh execution (the next generation) that picks up from what the table says. A lifecycle
 * says how its records are listed, named, started and recorded; this says when one has fallen through.
 */
import type { LifecycleWorkflow, Page } from '../ports.ts';
import { MAX_FAILURES } from '../domain/failures.ts';

/** A running execution is left alone until its record is this late (it may simply be about to act). */
export const LATE_AFTER_MS = 60 * 60 * 1000;

/** What the loop reads of a record. */
export interface Restartable {
  dueAt?: string | undefined;
  failure?: { count: number } | undefined;
  execution?: { name: string; generation: number } | undefined;
}

/** How one lifecycle's executions are restarted. */
export interface RestartSpec<T extends Restartable> {
  workflow: LifecycleWorkflow;
  /** The name of the record's execution of this generation. */
  executionName(record: T, generation: number): string;
  /** Records the new execution on the record (audited), before it starts. */
  recordRestart(record: T, execution: { name: string; generation: number }, detail: { previous: string | null; previousStatus: string }): Promise<void>;
  /** The input of the record's new execution. */
  executionInput(record: T): Record<string, unknown>;
}

/**
 * Starts the record's lifecycle again (the next generation) when its execution is missing, ended,
 * or running but more than LATE_AFTER_MS late; never one FAILED by its failures. Answers whether it did.
 */
export async function restartIfFallenThrough<T extends Restartable>(spec: RestartSpec<T>, record: T, now: Date): Promise<boolean> {
  if ((record.failure?.count ?? 0) >= MAX_FAILURES) return false;
  const status = record.execution ? await spec.workflow.describe(record.execution.name) : undefined;
  const late = record.dueAt ? now.getTime() - Date.parse(record.dueAt) > LATE_AFTER_MS : false;
  if (status === 'RUNNING' && !late) return false;
  if (status === 'RUNNING' && record.execution) await spec.workflow.stop(record.execution.name, 'late: replaced by the reconciler');
  const generation = (record.execution?.generation ?? 0) + 1;
  const execution = { name: spec.executionName(record, generation), generation };
  await spec.recordRestart(record, execution, { previous: record.execution?.name ?? null, previousStatus: status ?? 'MISSING' });
  await spec.workflow.start(execution.name, spec.executionInput(record));
  return true;
}

/** Every record due at `now`, a page at a time, each visited once; a visit that throws is reported and the loop goes on. */
export async function forEachDue<T>(listDue: (before: string, cursor?: string) => Promise<Page<T>>, now: Date, visit: (record: T) => Promise<void>, onError: (record: T, err: unknown) => void): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await listDue(now.toISOString(), cursor);
    for (const record of page.items) {
      try {
        await visit(record);
      } catch (err) {
        onError(record, err);
      }
    }
    cursor = page.cursor;
  } while (cursor);
}

/** An error, for a report. */
export const errorMessage = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));
