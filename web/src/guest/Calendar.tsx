/**
 * The end dates of the next 90 days, as a calendar: one row per week, one cell per day, the guests
 * whose account ends that day in it (a table: each day is read with its weekday header).
 */
import { useMemo } from 'react';
import type { Guest } from '../api/client.ts';
import { Link } from '../router.tsx';
import { addDays, compareDates, daysBetween } from './rules.ts';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Names shown in one day's cell; more are counted. */
const PER_DAY = 3;

const weekday = (date: string) => new Date(`${date}T12:00:00Z`).getUTCDay();
const fullDate = (date: string) => new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' }).format(new Date(`${date}T12:00:00Z`));

export function EndDateCalendar({ guests, from, to }: { guests: Guest[]; from: string; to: string }) {
  const byDate = useMemo(() => {
    const m = new Map<string, Guest[]>();
    for (const g of guests) {
      if (compareDates(g.endDate, from) < 0 || compareDates(g.endDate, to) > 0) continue;
      m.set(g.endDate, [...(m.get(g.endDate) ?? []), g]);
    }
    return m;
  }, [guests, from, to]);
  const first = addDays(from, -weekday(from));
  const weeks = Math.ceil((daysBetween(first, to) + 1) / 7);
  const total = [...byDate.values()].reduce((n, list) => n + list.length, 0);

  return (
    <section className="calendar" aria-labelledby="calendar-heading">
      <h2 id="calendar-heading">End dates in the next 90 days</h2>
      <p>
        {total === 0
          ? 'No account ends in the next 90 days.'
          : `${total} ${total === 1 ? 'account ends' : 'accounts end'} between ${fullDate(from)} and ${fullDate(to)}. The sponsor is notified 7 days before, then daily.`}
      </p>
      {/* An empty calendar says nothing the sentence above does not. */}
      {total === 0 ? null : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">End dates from {fullDate(from)} to {fullDate(to)}, one row per week</caption>
            <thead>
              <tr>
                {WEEKDAYS.map((d) => (
                  <th key={d} scope="col">
                    <abbr title={d}>{d.slice(0, 3)}</abbr>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {Array.from({ length: weeks }, (_, w) => (
                <tr key={w}>
                  {Array.from({ length: 7 }, (_, d) => {
                    const date = addDays(first, w * 7 + d);
                    const inside = compareDates(date, from) >= 0 && compareDates(date, to) <= 0;
                    const ending = byDate.get(date) ?? [];
                    const [, m, day] = date.split('-').map(Number) as [number, number, number];
                    const label = day === 1 || (w === 0 && d === weekday(from)) ? `${MONTHS[m - 1]} ${day}` : String(day);
                    return (
                      <td key={date} className={`${inside ? '' : 'outside'}${ending.length ? ' has-ending' : ''}${date === from ? ' today' : ''}`}>
                        <span className="day" aria-hidden="true">
                          {label}
                        </span>
                        <span className="visually-hidden">{fullDate(date)}{date === from ? ', today' : ''}{ending.length ? `: ${ending.length} ending` : ''}</span>
                        {ending.length ? (
                          <ul>
                            {ending.slice(0, PER_DAY).map((g) => (
                              <li key={g.guestId}>
                                <Link to={`/guests/${g.guestId}`}>{g.guestName}</Link>
                              </li>
                            ))}
                            {ending.length > PER_DAY ? <li className="more">and {ending.length - PER_DAY} more</li> : null}
                          </ul>
                        ) : null}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
