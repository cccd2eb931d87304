/** How long a guest account has left, in words: soon (7 days or fewer) in bold. */
import type { Guest } from '../api/client.ts';
import { daysLeft, isFinal } from './rules.ts';

export function DaysLeft({ guest, today }: { guest: Guest; today: string }) {
  const n = daysLeft(guest, today);
  if (guest.status === 'EXPIRED') return <>Expired {n < 0 ? `${-n} day${n === -1 ? '' : 's'} ago` : ''}</>;
  if (isFinal(guest.status)) return <span aria-label="not applicable">—</span>;
  if (n < 0) return <>Ended</>;
  if (n === 0) return <strong className="soon">Last day</strong>;
  return n <= 7 ? <strong className="soon">{n} {n === 1 ? 'day' : 'days'}</strong> : <>{n} days</>;
}
