/** What the benchmarks share: the figures of a set of samples, and stopping what they started on Ctrl-C. */

/** Median, min and max (rounded to `digits` decimals), with the samples themselves when asked. */
export function stats(samples: number[], opts: { digits?: number; samples?: boolean } = {}): { median: number; min: number; max: number; samples?: number[] } {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const scale = 10 ** (opts.digits ?? 0);
  const r = (n: number) => Math.round(n * scale) / scale;
  return { median: r(median), min: r(sorted[0]!), max: r(sorted.at(-1)!), ...(opts.samples ? { samples: samples.map(r) } : {}) };
}

/** On SIGINT or SIGTERM: `stop` (kill the systems, remove worktrees), then exit with the signal's code. */
export function stopOnSignal(stop: () => Promise<void>): (code: number) => Promise<void> {
  const cleanUp = async (code: number) => {
    await stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void cleanUp(130));
  process.once('SIGTERM', () => void cleanUp(143));
  return cleanUp;
}
