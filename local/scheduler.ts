/**
 * The local EventBridge Scheduler: fires the stack's schedules on the local clock.
 * Understands the cron form the stack uses: cron(minute hour * * ? *) in a time zone.
 */
import { addDays, dateIn, zonedInstant } from '../shared/core/domain/dates.ts';
import type { LocalClock } from './clock.ts';

export interface ScheduleSpec {
  expression: string;
  timezone: string;
}

/** The next instant strictly after `after` at which a daily cron(M H * * ? *) fires. */
export function nextDailyFire(spec: ScheduleSpec, after: Date): Date {
  const m = /^cron\((\d{1,2}) (\d{1,2}) \* \* \? \*\)$/.exec(spec.expression);
  if (!m) throw new Error(`Local scheduler supports daily cron(M H * * ? *) only, not ${spec.expression}`);
  const [minute, hour] = [Number(m[1]), Number(m[2])];
  let day = dateIn(after, spec.timezone);
  for (let i = 0; i < 3; i++, day = addDays(day, 1)) {
    const at = zonedInstant(day, hour, minute, spec.timezone);
    if (at.getTime() > after.getTime()) return at;
  }
  throw new Error('unreachable');
}

/** One schedule of the stack, fired on the local clock. */
export class LocalScheduler {
  private readonly abort = new AbortController();
  readonly fired: { schedule: string; at: string; ok: boolean; error?: string }[] = [];

  constructor(
    private readonly clock: LocalClock,
    private readonly spec: ScheduleSpec & { name?: string },
    private readonly target: () => Promise<unknown>,
  ) {}

  start(): void {
    void this.loop();
  }

  private async loop() {
    let after = this.clock.now();
    for (;;) {
      const at = nextDailyFire(this.spec, after);
      try {
        await this.clock.sleepUntil(at, this.abort.signal);
      } catch {
        return;
      }
      after = at;
      await this.clock.track(async () => {
        try {
          await this.target();
          this.fired.push({ schedule: this.spec.name ?? this.spec.expression, at: at.toISOString(), ok: true });
        } catch (err) {
          // EventBridge Scheduler would retry and then dead-letter; locally it is recorded and shown.
          this.fired.push({ schedule: this.spec.name ?? this.spec.expression, at: at.toISOString(), ok: false, error: (err as Error).message });
        }
      });
    }
  }

  stop(): void {
    this.abort.abort();
  }
}
