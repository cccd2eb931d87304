/**
 * My guests: every guest of the person (and, for a delegate, of every sponsor who named them), with
 * status, end date and days left, expiring first; a filter by status; the end dates of the next 90
 * days on a calendar. Two API calls at most besides GET /v1/me (the person's own list and, for a
 * delegate, the delegated one), pages of 500.
 */
import { useCallback, useMemo } from 'react';
import { allGuests, type Guest, type GuestStatus } from '../api/client.ts';
import { api } from '../api.ts';
import { today as businessToday } from '../clock.ts';
import { ResourceBlock, useResource } from '../kit/resource.tsx';
import { Alert, Page } from '../kit/ui.tsx';
import { Link, navigate, useLocation } from '../router.tsx';
import { addDays, compareDates, isFinal } from './rules.ts';
import { useSession } from '../session.tsx';
import { STATUS_LABELS } from '../text.ts';
import { EndDateCalendar } from './Calendar.tsx';
import { GuestCells, GuestHeads } from './GuestCells.tsx';

const STATUS_ORDER = Object.keys(STATUS_LABELS) as GuestStatus[];

async function collect(it: AsyncGenerator<Guest>): Promise<Guest[]> {
  const out: Guest[] = [];
  for await (const g of it) out.push(g);
  return out;
}

/** Live guests first, by end date (the next to expire on top); then closed ones, most recent first. */
export function expiringFirst(a: Guest, b: Guest): number {
  const closed = (g: Guest) => (isFinal(g.status) || g.status === 'EXPIRED' ? 1 : 0);
  return closed(a) - closed(b) || (closed(a) ? compareDates(b.endDate, a.endDate) : compareDates(a.endDate, b.endDate)) || a.guestName.localeCompare(b.guestName);
}

/** The person's own guests and, for a delegate, the delegated ones: each once, expiring first. */
async function readGuests(delegating: boolean): Promise<Guest[]> {
  const [own, delegated] = await Promise.all([collect(allGuests(api(), { as: 'sponsor' })), delegating ? collect(allGuests(api(), { as: 'delegate' })) : Promise.resolve([])]);
  const byId = new Map([...own, ...delegated].map((g) => [g.guestId, g]));
  return [...byId.values()].sort(expiringFirst);
}

export function MyGuests() {
  const { me } = useSession();
  const delegating = me.delegateOf.length > 0;
  const guests = useResource(() => readGuests(delegating), [delegating]);
  const list = guests.state.kind === 'ready' ? guests.state.value : [];
  const lead = delegating ? (
    <p>
      Your guests and those of the sponsors who named you their delegate: {me.delegateOf.map((s) => `${s.name ?? s.huid} (${s.huid})`).join(', ')}.
    </p>
  ) : (
    <p>Every guest you sponsor, the next to expire first.</p>
  );
  return (
    <Page title="My guests" lead={lead}>
      {!me.sponsorEligibility.eligible && me.sponsorEligibility.reason !== 'wyss' && list.some((g) => g.sponsorHuid === me.huid && !isFinal(g.status)) ? (
        <Alert kind="warning" title="You can no longer act on your guests">
          <p>{me.sponsorEligibility.detail} You can still see them; HMS IT can move them to another sponsor.</p>
        </Alert>
      ) : null}
      <ResourceBlock resource={guests} what="your guests">
        {(all) => (all.length === 0 ? <NoGuests /> : <GuestList guests={all} delegating={delegating} />)}
      </ResourceBlock>
    </Page>
  );
}

function mayRequest(me: ReturnType<typeof useSession>['me']): boolean {
  return me.sponsorEligibility.eligible || me.delegateOf.some((s) => s.eligible);
}

function NoGuests() {
  const { me } = useSession();
  return (
    <div className="empty">
      <p>
        <strong>You have no guests yet.</strong>
      </p>
      {mayRequest(me) ? (
        <p>
          To give a visitor access to HMS systems, first set them up with a Harvard Sponsored Role (HSR), then <Link to="/request">request a guest account</Link>.
        </p>
      ) : (
        <p>{me.sponsorEligibility.detail ?? 'You may not sponsor guests.'}</p>
      )}
    </div>
  );
}

/** The list with its status filter (in the address), the table and the calendar of the next 90 days' end dates. */
function GuestList({ guests, delegating }: { guests: Guest[]; delegating: boolean }) {
  const { me } = useSession();
  const { search } = useLocation();
  const filter = (STATUS_ORDER as string[]).includes(search.get('status') ?? '') ? (search.get('status') as GuestStatus) : 'all';
  const today = businessToday();
  const setFilter = useCallback((value: string) => navigate(value === 'all' ? '/' : `/?status=${value}`, { replace: true }), []);
  const shown = useMemo(() => (filter === 'all' ? guests : guests.filter((g) => g.status === filter)), [guests, filter]);
  const counts = useMemo(() => {
    const c = new Map<GuestStatus, number>();
    for (const g of guests) c.set(g.status, (c.get(g.status) ?? 0) + 1);
    return c;
  }, [guests]);
  return (
    <>
      <div className="toolbar">
        <div className="field inline">
          <label htmlFor="status-filter">Show</label>
          <select id="status-filter" value={filter} onChange={(e) => setFilter(e.target.value)}>
            <option value="all">All guests ({guests.length})</option>
            {STATUS_ORDER.filter((s) => counts.has(s)).map((s) => (
              <option key={s} value={s}>
                {STATUS_LABELS[s]} ({counts.get(s)})
              </option>
            ))}
          </select>
        </div>
        {mayRequest(me) ? (
          <Link to="/request" className="button">
            Request a guest account
          </Link>
        ) : null}
      </div>
      <p role="status" className="count">
        {filter === 'all' ? `${guests.length} ${guests.length === 1 ? 'guest' : 'guests'}` : `${shown.length} of ${guests.length} guests: ${STATUS_LABELS[filter]}`}
      </p>
      {shown.length === 0 ? (
        <div className="empty">
          <p>No guest has this status now.</p>
          <p>
            <button type="button" onClick={() => setFilter('all')}>
              Show all guests
            </button>
          </p>
        </div>
      ) : (
        <GuestTable guests={shown} delegating={delegating} today={today} />
      )}
      <EndDateCalendar guests={guests.filter((g) => !isFinal(g.status) && g.status !== 'EXPIRED')} from={today} to={addDays(today, 89)} />
    </>
  );
}

function GuestTable({ guests, delegating, today }: { guests: Guest[]; delegating: boolean; today: string }) {
  const { me } = useSession();
  const sponsorName = useMemo(() => new Map([[me.huid, me.name ?? me.huid], ...me.delegateOf.map((s) => [s.huid, s.name ?? s.huid] as const)]), [me]);
  return (
    <div className="table-wrap">
      <table className="guests stack">
        <caption className="visually-hidden">Guests, the next to expire first</caption>
        <thead>
          <tr>
            <GuestHeads />
            {delegating ? <th scope="col">Sponsor</th> : null}
          </tr>
        </thead>
        <tbody>
          {guests.map((g) => (
            <tr key={g.guestId}>
              <GuestCells guest={g} today={today} sub={`HUID ${g.guestHuid}`} />
              {delegating ? <td data-label="Sponsor">{sponsorName.get(g.sponsorHuid) ?? g.sponsorHuid}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
