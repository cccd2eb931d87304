/**
 * A lifecycle's failures, the same rule for every lifecycle: a task that fails past its retries is
 * recorded on its record; after MAX_FAILURES counted failures in a row (or one permanent failure of
 * the account directory) the lifecycle is FAILED; a transient failure of the directory never counts.
 */
import { DIRECTORY_ERRORS } from './errors.ts';

/** A failure as Step Functions' Catch hands it over. */
export type TaskError = { Error?: string; Cause?: string };

/** After this many recorded failures in a row (transient ones of the account directory aside) a lifecycle is FAILED. */
export const MAX_FAILURES = 3;

/** How a failure counts: a transient one of the account directory never does; a permanent one ends the lifecycle at once. */
export function failureKind(errorName: string): 'transient' | 'permanent' | undefined {
  if ((DIRECTORY_ERRORS.transient as readonly string[]).includes(errorName)) return 'transient';
  if ((DIRECTORY_ERRORS.permanent as readonly string[]).includes(errorName)) return 'permanent';
  return undefined;
}

/** A failure as a record keeps it. */
export interface RecordedFailure {
  state: string;
  error: string;
  cause?: string;
  at: string;
  count: number;
  kind?: 'transient' | 'permanent';
}

/**
 * The failure to record on a record whose task failed (`state`: which lifecycle's), and whether it
 * ends the lifecycle (FAILED): at the MAX_FAILURES-th counted failure in a row, or at once for a
 * permanent one. `retryAt`: when the reconciler looks again if it does not.
 */
export function nextFailure(previous: Pick<RecordedFailure, 'count'> | undefined, state: string, error: TaskError, now: Date): { failure: RecordedFailure; fails: boolean; retryAt: string } {
  const name = error.Error ?? 'Unknown';
  const kind = failureKind(name);
  const count = (previous?.count ?? 0) + (kind === 'transient' ? 0 : 1);
  const failure: RecordedFailure = { state, error: name, at: now.toISOString(), count, ...(kind ? { kind } : {}), ...(error.Cause ? { cause: String(error.Cause).slice(0, 1000) } : {}) };
  const fails = kind !== 'transient' && (count >= MAX_FAILURES || kind === 'permanent');
  return { failure, fails, retryAt: new Date(now.getTime() + 3_600_000).toISOString() };
}
