/** How long a guest account has left, in words: soon (7 days or fewer) in bold; and the cells every list of guests shows. */
import type { ReactNode } from 'react';
import type { Guest } from '../api/client.ts';
import { StatusBadge } from '../kit/ui.tsx';
import { Link } from '../router.tsx';
import { formatDate } from '../text.ts';
import { daysLeft, isFinal } from './rules.ts';

export function DaysLeft({ guest, today }: { guest: Guest; today: string }) {
  const n = daysLeft(guest, today);
  if (guest.status === 'EXPIRED') return <>Expired {n < 0 ? `${-n} day${n === -1 ? '' : 's'} ago` : ''}</>;
  if (isFinal(guest.status)) return <span aria-label="not applicable">—</span>;
  if (n < 0) return <>Ended</>;
  if (n === 0) return <strong className="soon">Last day</strong>;
  return n <= 7 ? <strong className="soon">{n} {n === 1 ? 'day' : 'days'}</strong> : <>{n} days</>;
}

/** The cells every list of guests starts with: the guest (a link to its page, with `sub` under it), its status, end date and days left. */
export function GuestCells({ guest: g, today, sub }: { guest: Guest; today: string; sub: ReactNode }) {
  return (
    <>
      <th scope="row">
        <Link to={`/guests/${g.guestId}`}>{g.guestName}</Link>
        <span className="sub">{sub}</span>
      </th>
      <td data-label="Status">
        <StatusBadge status={g.status} />
      </td>
      <td data-label="End date">
        <time dateTime={g.endDate}>{formatDate(g.endDate)}</time>
      </td>
      <td data-label="Days left">
        <DaysLeft guest={g} today={today} />
      </td>
    </>
  );
}

/** The heads of those cells' columns. */
export function GuestHeads() {
  return (
    <>
      <th scope="col">Guest</th>
      <th scope="col">Status</th>
      <th scope="col">End date</th>
      <th scope="col">Days left</th>
    </>
  );
}
