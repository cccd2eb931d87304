/**
 * The local system's one clock. Frozen (moves only when told) or following real time with an
 * offset. Everything that waits — Step Functions Wait states, callback timeouts, schedules —
 * registers a timer here; moving the clock fires due timers in time order and then waits until
 * the system is quiet again, so a caller can check the effects right after.
 */
import type { Clock } from '../shared/core/ports.ts';

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

const MAX_REAL_TIMEOUT = 2 ** 31 - 1;

export class LocalClock implements Clock {
  private virtualNow: number;
  private offset = 0;
  private readonly timers = new Set<Timer>();
  private seq = 0;
  private busy = 0;
  private idleWaiters: (() => void)[] = [];
  private realTimer: NodeJS.Timeout | undefined;

  constructor(
    start?: Date,
    /** Frozen: moves only when told. Otherwise real time plus whatever was advanced. */
    readonly frozen = start !== undefined,
    /** For a real-time clock: how far ahead of real time it starts (moved ahead in an earlier run). */
    aheadMs = 0,
  ) {
    this.virtualNow = (start ?? new Date()).getTime();
    if (!frozen) this.offset = Math.max(0, aheadMs);
  }

  /** How far a real-time clock has been moved ahead of real time; 0 for a frozen clock. */
  get aheadMs(): number {
    return this.frozen ? 0 : this.offset;
  }

  now(): Date {
    return new Date(this.frozen ? this.virtualNow : Date.now() + this.offset);
  }

  /** Resolves when the clock reaches `at` (at once if it already has). Rejects if `signal` aborts. */
  sleepUntil(at: Date, signal?: AbortSignal): Promise<void> {
    if (at.getTime() <= this.now().getTime()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = {
        at: at.getTime(),
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers.delete(timer);
        reject(signal?.reason ?? new Error('aborted'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.add(timer);
      this.armRealTimer();
    });
  }

  /** Marks work in progress: moving the clock waits until every piece of work is done or asleep. */
  begin(): () => void {
    this.busy++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.busy--;
      if (this.busy === 0) this.wakeIdle();
    };
  }

  /** Runs `fn` as work in progress. */
  async track<T>(fn: () => Promise<T>): Promise<T> {
    const end = this.begin();
    try {
      return await fn();
    } finally {
      end();
    }
  }

  /** Waits until no work is in progress (asleep on the clock or on a callback does not count). */
  async idle(): Promise<void> {
    for (;;) {
      // Let promise chains and I/O callbacks settle, then look again.
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 2));
      if (this.busy === 0) {
        await new Promise((r) => setImmediate(r));
        if (this.busy === 0) return;
      }
      await new Promise<void>((r) => this.idleWaiters.push(r));
    }
  }

  private wakeIdle() {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Moves the clock to `target`, firing every timer due on the way, in time order. */
  async advanceTo(target: Date): Promise<void> {
    await this.idle();
    const to = target.getTime();
    for (;;) {
      const next = [...this.timers].filter((t) => t.at <= to).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.setNow(Math.max(next.at, this.now().getTime()));
      this.fireDue();
      await this.idle();
    }
    if (to > this.now().getTime()) this.setNow(to);
    this.fireDue();
    await this.idle();
  }

  async advanceBy(ms: number): Promise<void> {
    return this.advanceTo(new Date(this.now().getTime() + ms));
  }

  pendingTimers(): number {
    return this.timers.size;
  }

  private setNow(ms: number) {
    if (this.frozen) this.virtualNow = ms;
    else this.offset = ms - Date.now();
  }

  private fireDue() {
    const now = this.now().getTime();
    const due = [...this.timers].filter((t) => t.at <= now).sort((a, b) => a.at - b.at || a.seq - b.seq);
    for (const t of due) {
      this.timers.delete(t);
      t.fire();
    }
    this.armRealTimer();
  }

  /** In real-time mode, timers also fire by themselves when their moment comes. */
  private armRealTimer() {
    if (this.frozen) return;
    if (this.realTimer) clearTimeout(this.realTimer);
    this.realTimer = undefined;
    if (!this.timers.size) return;
    const next = Math.min(...[...this.timers].map((t) => t.at));
    const delay = Math.min(Math.max(0, next - this.now().getTime()), MAX_REAL_TIMEOUT);
    this.realTimer = setTimeout(() => this.fireDue(), delay);
    this.realTimer.unref();
  }

  dispose() {
    if (this.realTimer) clearTimeout(this.realTimer);
  }
}
