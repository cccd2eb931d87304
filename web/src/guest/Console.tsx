/**
 * The HMS IT console: every guest, with filters (status, sponsor, expiring before, failed);
 * failures and lifecycles at risk first (FAILED, a recorded failure, a sponsor who may no longer
 * sponsor); each guest's page has its executions and the expire and reassign actions. The filtered
 * list downloads as CSV.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { allGuests, sponsorStandings, type Guest, type GuestStatus, type ListQuery, type SponsorStanding } from '../api/client.ts';
import { api } from '../api.ts';
import { today as businessToday } from '../clock.ts';
import { ResourceBlock, useResource } from '../kit/resource.tsx';
import { Alert, Field, Page } from '../kit/ui.tsx';
import { navigate, useLocation } from '../router.tsx';
import { compareDates, isFinal } from './rules.ts';
import { useSession } from '../session.tsx';
import { POPULATION_LABELS, STATUS_LABELS } from '../text.ts';
import { GuestCells, GuestHeads } from './GuestCells.tsx';

const STATUSES = Object.keys(STATUS_LABELS) as GuestStatus[];

type Row = { guest: Guest; sponsor: SponsorStanding | undefined; risk: 0 | 1 | 2 | 3 };

const RISK_LABELS = ['Failed', 'Lifecycle failure recorded', 'Sponsor may no longer sponsor', ''] as const;

/** 0 FAILED, 1 a recorded failure, 2 a live guest whose sponsor may no longer sponsor, 3 nothing wrong. */
function riskOf(guest: Guest, sponsor: SponsorStanding | undefined): Row['risk'] {
  if (guest.status === 'FAILED') return 0;
  if (guest.failure) return 1;
  if (sponsor && !sponsor.eligible && !isFinal(guest.status)) return 2;
  return 3;
}

/** A CSV cell: quoted, and never read as a formula by a spreadsheet (=, +, -, @ first). */
function cell(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export function toCsv(rows: Row[]): string {
  const header = ['guestId', 'guestName', 'guestHuid', 'status', 'population', 'sponsorHuid', 'sponsorName', 'sponsorEligible', 'startDate', 'endDate', 'accountId', 'risk', 'failureState', 'failureError', 'failureCount', 'updatedAt'];
  const lines = rows.map(({ guest: g, sponsor, risk }) =>
    [g.guestId, g.guestName, g.guestHuid, g.status, g.population, g.sponsorHuid, sponsor?.name, sponsor ? String(sponsor.eligible) : '', g.startDate, g.endDate, g.accountId, RISK_LABELS[risk], g.failure?.state, g.failure?.error, g.failure?.count, g.updatedAt]
      .map(cell)
      .join(','),
  );
  return `${[header.map(cell).join(','), ...lines].join('\r\n')}\r\n`;
}

type Filters = { status?: GuestStatus | undefined; sponsorHuid?: string | undefined; expiringBefore?: string | undefined; failed?: 'true' | undefined };

/** The filters in the address (what is not valid there is left out). */
function filtersOf(search: URLSearchParams): Filters {
  return {
    status: (STATUSES as string[]).includes(search.get('status') ?? '') ? (search.get('status') as GuestStatus) : undefined,
    sponsorHuid: /^\d{8}$/.test(search.get('sponsor') ?? '') ? search.get('sponsor')! : undefined,
    expiringBefore: /^\d{4}-\d{2}-\d{2}$/.test(search.get('expiringBefore') ?? '') ? search.get('expiringBefore')! : undefined,
    failed: search.get('failed') === 'true' ? 'true' : undefined,
  };
}

/** Every guest the filters select (page after page), with its sponsor's standing; at risk first, then the next to end. */
async function readRows(filters: Filters): Promise<Row[]> {
  const query: Omit<ListQuery, 'cursor'> = { as: 'hms-it', ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)) };
  const guests: Guest[] = [];
  for await (const g of allGuests(api(), query)) guests.push(g);
  const standings = guests.length ? await sponsorStandings(api(), guests.map((g) => g.sponsorHuid)) : [];
  const bySponsor = new Map(standings.map((s) => [s.huid, s]));
  const rows = guests.map((guest) => {
    const sponsor = bySponsor.get(guest.sponsorHuid);
    return { guest, sponsor, risk: riskOf(guest, sponsor) };
  });
  return rows.sort((a, b) => a.risk - b.risk || compareDates(a.guest.endDate, b.guest.endDate) || a.guest.guestName.localeCompare(b.guest.guestName));
}

export function Console() {
  const { me } = useSession();
  if (!me.roles.includes('hms-it')) {
    return (
      <Page title="HMS IT console">
        <Alert kind="warning">
          <p>This page is for HMS IT. Your sign-in does not carry the HMS IT role.</p>
        </Alert>
      </Page>
    );
  }
  return <ConsoleList />;
}

function ConsoleList() {
  const { search } = useLocation();
  const filters = filtersOf(search);
  // The filters are in the address: a new address, a new list.
  const queryKey = JSON.stringify(filters);
  const rows = useResource(() => readRows(JSON.parse(queryKey) as Filters), [queryKey]);
  return (
    <Page title="HMS IT console" lead={<p>Every guest account. Failures and lifecycles at risk come first: failed guests, recorded failures, then guests whose sponsor may no longer sponsor.</p>}>
      <ConsoleFilters filters={filters} onSame={rows.retry} />
      <ResourceBlock resource={rows} what="every guest">
        {(list) => <ConsoleSearch rows={list} />}
      </ResourceBlock>
    </Page>
  );
}

/** Whether a guest is the one searched for: by name (any part), HUID or HMS account ID (from the start), ignoring case. */
export function matches(row: Row, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  const g = row.guest;
  return g.guestName.toLowerCase().includes(q) || g.guestHuid.startsWith(q) || (g.accountId ?? '').toLowerCase().startsWith(q) || g.sponsorHuid.startsWith(q) || (row.sponsor?.name ?? '').toLowerCase().includes(q);
}

/** Finding a guest in the list as one types: a name, a HUID or an HMS account ID (kept in the address, so a search can be shared). */
function ConsoleSearch({ rows }: { rows: Row[] }) {
  const { search } = useLocation();
  const query = search.get('q') ?? '';
  const found = useMemo(() => rows.filter((r) => matches(r, query)), [rows, query]);
  const setQuery = (q: string) => {
    const next = new URLSearchParams(location.search);
    if (q) next.set('q', q);
    else next.delete('q');
    navigate(`/console${next.size ? `?${next.toString()}` : ''}`, { replace: true });
  };
  return (
    <>
      <div className="field search">
        <label htmlFor="console-search">Find a guest</label>
        <p className="hint" id="console-search-hint">
          A name, a HUID or an HMS account ID (the guest&apos;s or the sponsor&apos;s), among the guests the filters show.
        </p>
        <input id="console-search" type="search" aria-describedby="console-search-hint" autoComplete="off" spellCheck={false} value={query} onChange={(e) => setQuery(e.target.value)} />
      </div>
      <ConsoleTable rows={found} searched={query.trim() !== ''} />
    </>
  );
}

/** The filters' form: applying it puts them in the address (the same address again reads the list again). */
function ConsoleFilters({ filters, onSame }: { filters: Filters; onSame: () => void }) {
  const [form, setForm] = useState({ status: filters.status ?? '', sponsor: filters.sponsorHuid ?? '', expiringBefore: filters.expiringBefore ?? '', failed: Boolean(filters.failed) });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    const q = new URLSearchParams();
    if (form.status) q.set('status', form.status);
    if (form.sponsor.trim()) q.set('sponsor', form.sponsor.trim());
    if (form.expiringBefore) q.set('expiringBefore', form.expiringBefore);
    if (form.failed) q.set('failed', 'true');
    const to = `/console${q.size ? `?${q.toString()}` : ''}`;
    if (to === location.pathname + location.search) onSame();
    else navigate(to);
  };
  const sponsorInvalid = form.sponsor.trim() !== '' && !/^\d{8}$/.test(form.sponsor.trim());
  return (
    <form className="filters" onSubmit={apply} noValidate aria-label="Filters">
      <div className="field">
        <label htmlFor="filter-status">Status</label>
        <select id="filter-status" value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value })}>
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <Field id="filter-sponsor" label="Sponsor HUID" error={sponsorInvalid ? 'An HUID has 8 digits.' : undefined}>
        {(p) => <input {...p} type="text" inputMode="numeric" autoComplete="off" value={form.sponsor} onChange={(e) => setForm({ ...form, sponsor: e.target.value })} />}
      </Field>
      <Field id="filter-expiring" label="Expiring before">
        {(p) => <input {...p} type="date" value={form.expiringBefore} onChange={(e) => setForm({ ...form, expiringBefore: e.target.value })} />}
      </Field>
      <div className="field checkbox">
        <input id="filter-failed" type="checkbox" checked={form.failed} onChange={(e) => setForm({ ...form, failed: e.target.checked })} />
        <label htmlFor="filter-failed">Only with a recorded failure</label>
      </div>
      <div className="buttons">
        <button type="submit" className="button-primary" disabled={sponsorInvalid}>
          Apply filters
        </button>
        <button
          type="button"
          onClick={() => {
            setForm({ status: '', sponsor: '', expiringBefore: '', failed: false });
            navigate('/console');
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}

/** The list, at risk first, with the counts and the CSV download of exactly these rows. */
function ConsoleTable({ rows, searched }: { rows: Row[]; searched: boolean }) {
  const today = businessToday();
  const csvUrl = useMemo(() => (rows.length ? URL.createObjectURL(new Blob([toCsv(rows)], { type: 'text/csv;charset=utf-8' })) : undefined), [rows]);
  useEffect(() => () => (csvUrl ? URL.revokeObjectURL(csvUrl) : undefined), [csvUrl]);
  const counts = [0, 1, 2].map((k) => rows.filter((r) => r.risk === k).length);
  const guests = `${rows.length} ${rows.length === 1 ? 'guest' : 'guests'}`;
  return (
    <>
      <div className="toolbar">
        <p role="status" className="count">
          {guests}
          {rows.length ? `: ${counts[0]} failed, ${counts[1]} with a recorded failure, ${counts[2]} with a sponsor who may no longer sponsor` : ''}.
        </p>
        {csvUrl ? (
          <a className="button" href={csvUrl} download={`hms-guests-${today}.csv`}>
            Download CSV ({guests})
          </a>
        ) : null}
      </div>
      {rows.length === 0 ? (
        <div className="empty">
          <p>{searched ? 'No guest matches this search among the guests the filters show.' : 'No guest matches these filters.'}</p>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="guests stack">
            <caption className="visually-hidden">Guests, at risk first</caption>
            <thead>
              <tr>
                <GuestHeads />
                <th scope="col">HMS account ID</th>
                <th scope="col">Sponsor</th>
                <th scope="col">At risk</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <ConsoleRow key={row.guest.guestId} row={row} today={today} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function ConsoleRow({ row: { guest: g, sponsor, risk }, today }: { row: Row; today: string }) {
  return (
    <tr className={risk < 3 ? 'at-risk' : undefined}>
      <GuestCells guest={g} today={today} sub={`HUID ${g.guestHuid} · ${POPULATION_LABELS[g.population]}`} />
      <td data-label="HMS account ID">{g.accountId ? <code>{g.accountId}</code> : '—'}</td>
      <td data-label="Sponsor">
        {sponsor?.name ?? g.sponsorHuid}
        <span className="sub">
          {g.sponsorHuid}
          {sponsor && !sponsor.eligible ? ` · may not sponsor (${sponsor.reason ?? 'unknown'})` : ''}
        </span>
      </td>
      <td data-label="At risk">
        {risk < 3 ? <strong className="risk">{RISK_LABELS[risk]}</strong> : '—'}
        {g.failure ? <span className="sub">{`${g.failure.error} in ${g.failure.state} (${g.failure.count}×)`}</span> : null}
      </td>
    </tr>
  );
}
