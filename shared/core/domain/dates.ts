/**
 * Calendar arithmetic on ISO dates (`YYYY-MM-DD`) and wall-clock conversion for a time zone.
 * Pure: no clock, no I/O. HMS runs on America/New_York time.
 */
export const HMS_TIME_ZONE = 'America/New_York';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export type IsoDate = string;

export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function parts(date: IsoDate): [number, number, number] {
  const m = ISO_DATE.exec(date);
  if (!m || !isIsoDate(date)) throw new RangeError(`not an ISO date: ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function format(y: number, m: number, d: number): IsoDate {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  const [y, m, d] = parts(date);
  const t = new Date(Date.UTC(y, m - 1, d) + days * DAY_MS);
  return format(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** Same month and day `years` later; 29 February becomes 28 February in a common year. */
export function addYears(date: IsoDate, years: number): IsoDate {
  const [y, m, d] = parts(date);
  const ty = y + years;
  const lastDay = new Date(Date.UTC(ty, m, 0)).getUTCDate();
  return format(ty, m, Math.min(d, lastDay));
}

export function compareDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Days from a to b (b - a). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  const [ay, am, ad] = parts(a);
  const [by, bm, bd] = parts(b);
  return Math.round((Date.UTC(by, bm - 1, bd) - Date.UTC(ay, am - 1, ad)) / DAY_MS);
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function wallClock(instant: Date, timeZone: string): { date: IsoDate; ms: number } {
  const p = Object.fromEntries(formatter(timeZone).formatToParts(instant).map((x) => [x.type, x.value]));
  const date = format(Number(p.year), Number(p.month), Number(p.day));
  const ms = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return { date, ms };
}

/** The calendar date at `instant` in `timeZone`. */
export function dateIn(instant: Date, timeZone: string = HMS_TIME_ZONE): IsoDate {
  return wallClock(instant, timeZone).date;
}

/**
 * The instant at which the wall clock in `timeZone` shows `date` at `hour:minute`.
 * In a spring-forward gap the later valid instant is used; in a fall-back overlap, the first.
 */
export function zonedInstant(date: IsoDate, hour: number, minute = 0, timeZone: string = HMS_TIME_ZONE): Date {
  const [y, m, d] = parts(date);
  const wanted = Date.UTC(y, m - 1, d, hour, minute);
  // Offset at a guess, then correct once (handles DST changes between guess and answer).
  let guess = wanted;
  for (let i = 0; i < 3; i++) {
    const offset = wallClock(new Date(guess), timeZone).ms - guess;
    const next = wanted - offset;
    if (next === guess) break;
    guess = next;
  }
  // If the wall time does not exist (spring-forward gap), guess lands an hour off: keep the later instant.
  if (wallClock(new Date(guess), timeZone).ms !== wanted) {
    const offsetAt = (t: number) => wallClock(new Date(t), timeZone).ms - t;
    guess = Math.max(wanted - offsetAt(guess - 21_600_000), wanted - offsetAt(guess + 21_600_000));
  }
  // Fall-back overlap: prefer the earlier of two instants showing the same wall time.
  const earlier = guess - 3_600_000;
  if (wallClock(new Date(earlier), timeZone).ms === wanted) guess = earlier;
  return new Date(guess);
}

/** The first instant after the end of `date` in `timeZone` (midnight starting the next day). */
export function endOfDay(date: IsoDate, timeZone: string = HMS_TIME_ZONE): Date {
  return zonedInstant(addDays(date, 1), 0, 0, timeZone);
}

/** How an instant's time zone is named to people (emails write instants in HMS time). */
export const HMS_TIME_ZONE_NAME = 'Boston time';

// A date is formatted at UTC midnight of itself, so that no time zone can move it to another day.
const dayFormatter = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });
const clockFormatter = new Intl.DateTimeFormat('en-US', { timeZone: HMS_TIME_ZONE, hour: 'numeric', minute: '2-digit', hourCycle: 'h12' });

/** A calendar date as people write it, for emails: "Wednesday, June 30, 2027". */
export function readableDate(date: IsoDate): string {
  const [y, m, d] = parts(date);
  return dayFormatter.format(new Date(Date.UTC(y, m - 1, d)));
}

/**
 * An instant as people in Boston read it, for emails: "Monday, December 21, 2026 at 11:13 AM
 * (Boston time)". The time is put together from its parts with plain spaces: recent ICU versions
 * put a narrow no-break space before AM/PM, which some mail clients show as a box and text
 * searches miss.
 */
export function readableInstant(instant: Date | string): string {
  const at = typeof instant === 'string' ? new Date(instant) : instant;
  if (Number.isNaN(at.getTime())) throw new RangeError(`not an instant: ${String(instant)}`);
  const p = Object.fromEntries(clockFormatter.formatToParts(at).map((x) => [x.type, x.value]));
  return `${readableDate(dateIn(at))} at ${p.hour}:${p.minute} ${p.dayPeriod} (${HMS_TIME_ZONE_NAME})`;
}

/** ISO-8601 duration of days/hours/minutes/seconds (PnDTnHnMnS, PnW) to milliseconds. */
export function durationMs(duration: string): number {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(duration);
  if (!m || duration === 'P' || duration.endsWith('T')) throw new RangeError(`not an ISO-8601 duration: ${duration}`);
  const [w, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number];
  return ((((w * 7 + d) * 24 + h) * 60 + mi) * 60 + s) * 1000;
}
