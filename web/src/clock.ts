/**
 * The pages' clock: business time. In AWS that is the browser's clock; the local system serves its
 * own movable clock in /config.json (`now`), and the pages keep the same distance from the
 * browser's clock, so "today", days left and the date bounds agree with the rules the API applies.
 * Dates are HMS dates (America/New_York), as the rules use them.
 */
import { dateIn, type IsoDate } from '../../shared/core/domain/dates.ts';

let skewMs = 0;

/** The browser's clock (the one place the pages read it). */
const browserMs = (): number => new Date().getTime();

/** Business time follows `now` from here on (the local system's clock). */
export function setBusinessNow(now: string | undefined): void {
  const at = now ? Date.parse(now) : Number.NaN;
  skewMs = Number.isNaN(at) ? 0 : at - browserMs();
}

export function now(): Date {
  return new Date(browserMs() + skewMs);
}

/** Today in New York, where the rules count days. */
export function today(): IsoDate {
  return dateIn(now());
}
