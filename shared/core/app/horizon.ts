/**
 * Continue-as-new, the same for every lifecycle: an execution hands over to a new one before it
 * grows old (one year is Step Functions' limit; 25,000 history events another), and no Wait of an
 * execution lasts past its horizon. Step Functions timestamps, as its Wait states take them.
 */

/**
 * The continue-as-new horizon: an execution hands over to a new one this long after it started
 * (the hard limit is one year), and no Wait of an execution lasts past it.
 */
export const CONTINUE_AFTER_MS = 300 * 86_400_000;
/**
 * ...or after this many schedule loops (each is 11 to 14 history events: the plan task 5, the count
 * 2, the Choice 2, then a Wait 2 or a notice/expiry task 5; the limit is 25,000).
 */
export const CONTINUE_AFTER_ITERATIONS = 1_000;

/** Step Functions timestamps: RFC 3339 with an uppercase Z, whole seconds (rounded up, never early). */
export function sfnTimestamp(d: Date): string {
  return new Date(Math.ceil(d.getTime() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The execution's horizon (its start + CONTINUE_AFTER_MS): no wait goes past it. */
export function horizonOf(executionStartTime: string): number {
  const started = Date.parse(executionStartTime);
  if (Number.isNaN(started)) throw new Error(`Not an execution start time: ${String(executionStartTime)}`);
  return started + CONTINUE_AFTER_MS;
}

/** Whole seconds, at least one: a Wait's or a callback's timeout. */
export const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
