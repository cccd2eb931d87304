/** The process clock and randomness. The clock can be replaced as a whole (the local runner moves time). */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { Clock, Random } from '../core/ports.ts';

class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

let current: Clock = new SystemClock();

/** The clock every adapter and use case reads. */
export const clock: Clock = { now: () => current.now() };

/** Installs another time source for the whole process (the local runner's movable clock). */
export function useClock(source: Clock): void {
  current = source;
}

export const random: Random = {
  bytes: (n) => randomBytes(n),
  uuid: () => randomUUID(),
  int: (max) => randomInt(max),
};
