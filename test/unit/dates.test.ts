import { describe, expect, it } from 'vitest';
import { addDays, addYears, dateIn, daysBetween, durationMs, endOfDay, isIsoDate, readableDate, readableInstant, zonedInstant } from '../../shared/core/domain/dates.ts';

describe('calendar dates', () => {
  it.each([
    ['2024-02-29', true],
    ['2025-02-29', false],
    ['2025-13-01', false],
    ['2025-1-01', false],
    ['2025-12-31', true],
  ])('isIsoDate(%s) is %s', (value, expected) => {
    expect(isIsoDate(value)).toBe(expected);
  });

  it('adds a year to a leap day as 28 February', () => {
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYears('2025-03-01', 1)).toBe('2026-03-01');
  });

  it('adds days across a year end and a leap day', () => {
    expect(addDays('2025-12-28', 7)).toBe('2026-01-04');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(daysBetween('2025-12-25', '2026-01-01')).toBe(7);
  });
});

describe('dates and instants as people read them (the emails)', () => {
  it('a date in words, whatever the time zone of the machine', () => {
    expect(readableDate('2027-06-30')).toBe('Wednesday, June 30, 2027');
    expect(readableDate('2028-02-29')).toBe('Tuesday, February 29, 2028');
    expect(() => readableDate('2027-02-29')).toThrow(RangeError);
  });

  it.each([
    ['winter (EST)', '2026-12-21T16:13:31.816Z', 'Monday, December 21, 2026 at 11:13 AM (Boston time)'],
    ['summer (EDT)', '2027-07-01T18:05:00Z', 'Thursday, July 1, 2027 at 2:05 PM (Boston time)'],
    ['just after midnight in Boston', '2027-01-05T05:01:00Z', 'Tuesday, January 5, 2027 at 12:01 AM (Boston time)'],
    ['late evening in Boston, already the next day in UTC', '2026-01-01T03:00:00Z', 'Wednesday, December 31, 2025 at 10:00 PM (Boston time)'],
  ])('an instant in Boston time: %s', (_case, instant, want) => {
    expect(readableInstant(instant)).toBe(want);
    expect(readableInstant(new Date(instant))).toBe(want);
  });

  it('plain spaces only (no narrow no-break space before AM/PM), and a string that is no instant is refused', () => {
    expect(readableInstant('2026-12-21T16:13:31.816Z')).not.toMatch(/[\u00A0\u202F]/);
    expect(() => readableInstant('soon')).toThrow(RangeError);
  });
});

describe('HMS time (America/New_York)', () => {
  it('reads the local date, which differs from UTC late in the evening', () => {
    // Prepare: 2026-01-01T03:00Z is 22:00 on 31 Dec in Boston (EST, UTC-5)
    const instant = new Date('2026-01-01T03:00:00Z');
    // Act / Assess
    expect(dateIn(instant)).toBe('2025-12-31');
    expect(dateIn(instant, 'UTC')).toBe('2026-01-01');
  });

  it('ends a day at local midnight in winter (UTC-5) and summer (UTC-4)', () => {
    expect(endOfDay('2026-01-15').toISOString()).toBe('2026-01-16T05:00:00.000Z');
    expect(endOfDay('2026-07-15').toISOString()).toBe('2026-07-16T04:00:00.000Z');
  });

  it('handles the DST changes: spring forward and fall back', () => {
    // 8 March 2026: clocks jump 02:00 -> 03:00. 9:00 that day is EDT.
    expect(zonedInstant('2026-03-08', 9).toISOString()).toBe('2026-03-08T13:00:00.000Z');
    // 02:30 does not exist that day: the later valid instant (03:30 EDT) is used.
    expect(zonedInstant('2026-03-08', 2, 30).toISOString()).toBe('2026-03-08T07:30:00.000Z');
    // The day before the change ends at midnight EST.
    expect(endOfDay('2026-03-07').toISOString()).toBe('2026-03-08T05:00:00.000Z');
    // 1 Nov 2026: 01:30 happens twice; the first (EDT) is used.
    expect(zonedInstant('2026-11-01', 1, 30).toISOString()).toBe('2026-11-01T05:30:00.000Z');
    expect(endOfDay('2026-11-01').toISOString()).toBe('2026-11-02T05:00:00.000Z');
  });
});

describe('ISO-8601 durations', () => {
  it.each([
    ['P7D', 7 * 86_400_000],
    ['PT1H', 3_600_000],
    ['P1DT2H30M', 95_400_000],
    ['P2W', 14 * 86_400_000],
  ])('%s', (duration, ms) => {
    expect(durationMs(duration)).toBe(ms);
  });

  it.each(['P', 'PT', '7D', 'P1Y'])('refuses %s', (bad) => {
    expect(() => durationMs(bad)).toThrow(RangeError);
  });
});
