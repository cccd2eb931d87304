/**
 * One guest (the emails' "Review the request" and "Extend the account" links lead here): details,
 * entitlements with their reasons, the timeline of its history, and the actions the person may take
 * now, each showing its result and the new state in place. HMS IT also sees the lifecycle's
 * Step Functions executions, and may expire or reassign.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, getGuest, guestExecutions, guestHistory, sponsorStandings, type Execution, type Guest, type HistoryItem } from '../api/client.ts';
import { api, describeError } from '../api.ts';
import { today as businessToday } from '../clock.ts';
import { Alert, Loading, Page, StatusBadge } from '../kit/ui.tsx';
import { GuestActions } from './GuestActions.tsx';
import { Executions } from './Executions.tsx';
import { Timeline } from './Timeline.tsx';
import { Link, navState } from '../router.tsx';
import { allowedActions, relation } from './rules.ts';
import { useSession } from '../session.tsx';
import { ENTITLEMENT_LABELS, formatDate, formatInstant, POPULATION_LABELS, SERVICES, STATUS_HELP } from '../text.ts';
import { DaysLeft } from './MyGuests.tsx';

type State =
  | { kind: 'loading' }
  | { kind: 'missing' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; guest: Guest; etag: string; history: HistoryItem[]; executions?: Execution[] | undefined; names: Map<string, string> };

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function GuestPage({ guestId }: { guestId: string }) {
  const { me } = useSession();
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [flash] = useState(() => navState().flash);
  const hmsIt = me.roles.includes('hms-it');
  const current = useRef(0);

  /** Reads the guest, its history and (HMS IT) its executions again; the latest read wins. */
  const load = useCallback(async (): Promise<Guest | undefined> => {
    const n = ++current.current;
    try {
      const [{ guest, etag }, history, executions] = await Promise.all([
        getGuest(api(), guestId),
        guestHistory(api(), guestId),
        hmsIt ? guestExecutions(api(), guestId) : Promise.resolve(undefined),
      ]);
      // Who the HUIDs on the page are: the person and the sponsors who named them know each other;
      // HMS IT looks the others up (the sponsor, who submitted, who decided).
      const names = new Map<string, string>([[me.huid, me.name ?? me.huid], ...me.delegateOf.map((s) => [s.huid, s.name ?? s.huid] as const)]);
      if (hmsIt) {
        const huids = [guest.sponsorHuid, guest.submittedBy, ...(guest.approval ? [guest.approval.by] : []), ...history.map((e) => e.actor)].filter((h) => /^\d{8}$/.test(h) && h !== guest.guestHuid);
        for (const s of await sponsorStandings(api(), huids).catch(() => [])) if (s.name) names.set(s.huid, s.name);
      }
      if (n === current.current) setState({ kind: 'ready', guest, etag, history, executions, names });
      return guest;
    } catch (err) {
      if (n !== current.current) return undefined;
      if (err instanceof ApiError && err.status === 404) setState({ kind: 'missing' });
      else setState({ kind: 'error', message: describeError(err) });
      return undefined;
    }
  }, [guestId, hmsIt, me]);

  useEffect(() => {
    void load();
  }, [load, attempt]);

  /** After an action: the answer at once, then the workflow's next steps as they land (a few seconds at most). */
  const applied = useCallback(
    async (guest: Guest, etag: string, settled: (g: Guest) => boolean) => {
      setState((s) => (s.kind === 'ready' ? { ...s, guest, etag } : s));
      let latest = await load();
      for (let i = 0; i < 10 && latest && !settled(latest); i++) {
        await wait(1000);
        latest = await load();
      }
      return latest;
    },
    [load],
  );

  if (state.kind === 'loading') return <Loading what="the guest" />;
  if (state.kind === 'missing') {
    return (
      <Page title="Guest not found">
        <p>There is no guest at this address that you may see. A guest is shown to its sponsor, the delegates the sponsor named, and HMS IT.</p>
        <p>
          Go to <Link to="/">My guests</Link>.
        </p>
      </Page>
    );
  }
  if (state.kind === 'error') {
    return (
      <Page title="Guest">
        <Alert kind="error" title="We could not load this guest">
          <p>{state.message}</p>
          <p>
            <button type="button" onClick={() => setAttempt((n) => n + 1)}>
              Try again
            </button>{' '}
            If it keeps failing, contact HMS IT.
          </p>
        </Alert>
      </Page>
    );
  }

  const { guest, etag, history, executions, names } = state;
  const today = businessToday();
  const allowed = allowedActions(me, guest, today);
  const r = relation(me, guest);
  const who = (huid: string) => (huid === guest.guestHuid ? `the guest (${guest.guestName})` : names.has(huid) ? `${names.get(huid)} (${huid})` : `HUID ${huid}`);

  return (
    <Page title={guest.guestName}>
      {flash ? (
        <Alert kind="success">
          <p>{flash}</p>
        </Alert>
      ) : null}
      <div className="status-line">
        <StatusBadge status={guest.status} />
        <p>{STATUS_HELP[guest.status]}</p>
      </div>

      <GuestActions guest={guest} etag={etag} allowed={allowed} me={me} today={today} onApplied={applied} onStale={() => void load()} />
      {r.sponsor && !me.sponsorEligibility.eligible ? (
        <Alert kind="warning" title="You can read this guest but not act on it">
          <p>{me.sponsorEligibility.detail} HMS IT can move the guest to an eligible sponsor.</p>
        </Alert>
      ) : null}

      <div className="columns">
        <section aria-labelledby="details-heading">
          <h2 id="details-heading">Details</h2>
          <dl className="details">
            <dt>Guest HUID</dt>
            <dd>{guest.guestHuid}</dd>
            <dt>Population</dt>
            <dd>{POPULATION_LABELS[guest.population]}</dd>
            {guest.contractorId ? (
              <>
                <dt>HU contractor ID</dt>
                <dd>{guest.contractorId}</dd>
              </>
            ) : null}
            <dt>Sponsor</dt>
            <dd>{who(guest.sponsorHuid)}</dd>
            <dt>Submitted by</dt>
            <dd>{guest.submittedBy === guest.sponsorHuid ? 'The sponsor' : who(guest.submittedBy)}</dd>
            <dt>Start date</dt>
            <dd>{formatDate(guest.startDate)}</dd>
            <dt>End date</dt>
            <dd>
              {formatDate(guest.endDate)} (<DaysLeft guest={guest} today={today} />)
            </dd>
            <dt>HMS account ID</dt>
            <dd>{guest.accountId ?? 'Not yet: given when the account is set up'}</dd>
            {guest.o2AccountId ? (
              <>
                <dt>O2 account</dt>
                <dd>
                  <Link to={`/o2-accounts/${guest.o2AccountId}`}>Its O2 account</Link> (a lifecycle of its own: the PI&apos;s approval, and for an off-Quad lab the RC Core&apos;s setup)
                </dd>
              </>
            ) : null}
            {guest.activation ? (
              <>
                <dt>Activation code</dt>
                <dd>
                  {guest.activatedAt
                    ? `Used: activated ${formatInstant(guest.activatedAt)}`
                    : guest.activation.locked
                      ? 'Locked after too many attempts: send a new one'
                      : `Sent to the guest's personal email; works until ${formatInstant(guest.activation.expiresAt)}`}
                </dd>
              </>
            ) : null}
            {guest.approval ? (
              <>
                <dt>Decision</dt>
                <dd>
                  {guest.approval.decision === 'approve' ? 'Approved' : 'Denied'} by {who(guest.approval.by)}
                  {guest.approval.bySubmission ? ' (by submitting the request)' : ''} on {formatInstant(guest.approval.at)}
                  {guest.approval.reason ? `: “${guest.approval.reason}”` : ''}
                </dd>
              </>
            ) : null}
            {guest.lastNoticeDate ? (
              <>
                <dt>Last expiry notice</dt>
                <dd>{formatDate(guest.lastNoticeDate)}</dd>
              </>
            ) : null}
            {guest.expiredAt ? (
              <>
                <dt>Expired</dt>
                <dd>{formatInstant(guest.expiredAt)}</dd>
              </>
            ) : null}
            {guest.justification ? (
              <>
                <dt>Justification</dt>
                <dd className="prewrap">{guest.justification}</dd>
              </>
            ) : null}
            {guest.failure ? (
              <>
                <dt>Lifecycle failure</dt>
                <dd>
                  {guest.failure.error} in {guest.failure.state} ({guest.failure.count} in a row, last {formatInstant(guest.failure.at)})
                  {guest.failure.cause ? <span className="sub">{guest.failure.cause}</span> : null}
                </dd>
              </>
            ) : null}
          </dl>
        </section>

        <section aria-labelledby="entitlements-heading">
          <h2 id="entitlements-heading">Entitlements</h2>
          {guest.entitlements.length === 0 ? (
            <p>Decided when the account is set up. Requested: {guest.services.map((s) => SERVICES.find((x) => x.value === s)?.label ?? s).join(', ') || 'none'}.</p>
          ) : (
            <ul className="entitlements">
              {guest.entitlements.map((e) => (
                <li key={e.name} className={e.granted ? 'granted' : 'refused'}>
                  <span className="mark" aria-hidden="true">
                    {e.granted ? '✓' : '✗'}
                  </span>
                  <span>
                    <strong>{ENTITLEMENT_LABELS[e.name]}</strong>: {e.granted ? 'granted' : 'not granted'}
                    {e.reason ? <span className="sub">{e.reason}</span> : null}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      <Timeline items={history} who={who} />
      {executions ? <Executions executions={executions} /> : null}
    </Page>
  );
}
