/**
 * One guest (the emails' "Review the request" and "Extend the account" links lead here): details,
 * entitlements with their reasons, the timeline of its history, and the actions the person may take
 * now, each showing its result and the new state in place. HMS IT also sees the lifecycle's
 * Step Functions executions, and may expire or reassign.
 */
import { getGuest, guestExecutions, guestHistory, sponsorStandings, type Execution, type Guest, type HistoryItem, type Me } from '../api/client.ts';
import { api } from '../api.ts';
import { today as businessToday } from '../clock.ts';
import { Flash, ResourcePage, useFlash, useResource } from '../kit/resource.tsx';
import { Alert, Page, StatusBadge } from '../kit/ui.tsx';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { STATUS_HELP } from '../text.ts';
import { Executions } from './Executions.tsx';
import { GuestActions } from './GuestActions.tsx';
import { Entitlements, GuestDetails } from './GuestDetails.tsx';
import { allowedActions, guestSettled, relation } from './rules.ts';
import { Timeline } from './Timeline.tsx';

interface Shown {
  guest: Guest;
  etag: string;
  history: HistoryItem[];
  /** HMS IT's: the lifecycle's Step Functions executions. */
  executions?: Execution[] | undefined;
  /** Who the HUIDs on the page are, as far as the person may know. */
  names: Map<string, string>;
}

async function readGuest(guestId: string, me: Me): Promise<Shown> {
  const hmsIt = me.roles.includes('hms-it');
  const [{ guest, etag }, history, executions] = await Promise.all([
    getGuest(api(), guestId),
    guestHistory(api(), guestId),
    hmsIt ? guestExecutions(api(), guestId) : Promise.resolve(undefined),
  ]);
  // The people the guest names come with it; HMS IT looks up the others of its history (who expired or moved it).
  const names = new Map<string, string>([...Object.entries(guest.names ?? {}), [me.huid, me.name ?? me.huid], ...me.delegateOf.map((s) => [s.huid, s.name ?? s.huid] as const)]);
  if (hmsIt) {
    const huids = [guest.sponsorHuid, guest.submittedBy, ...(guest.approval ? [guest.approval.by] : []), ...history.map((e) => e.actor)].filter((h) => /^\d{8}$/.test(h) && h !== guest.guestHuid);
    for (const s of await sponsorStandings(api(), huids).catch(() => [])) if (s.name) names.set(s.huid, s.name);
  }
  return { guest, etag, history, executions, names };
}

export function GuestPage({ guestId }: { guestId: string }) {
  const { me } = useSession();
  const resource = useResource(() => readGuest(guestId, me), [guestId, me], { settled: (s) => guestSettled(s.guest) });
  const flash = useFlash({ once: true });
  return (
    <ResourcePage
      resource={resource}
      what="the guest"
      title="Guest"
      notFound={{
        title: 'Guest not found',
        body: (
          <>
            <p>There is no guest at this address that you may see. A guest is shown to its sponsor, the delegates the sponsor named, and HMS IT.</p>
            <p>
              Go to <Link to="/">My guests</Link>.
            </p>
          </>
        ),
      }}
    >
      {({ guest, etag, history, executions, names }) => {
        const today = businessToday();
        const who = (huid: string) => (huid === guest.guestHuid ? `the guest (${guest.guestName})` : names.has(huid) ? `${names.get(huid)} (${huid})` : `HUID ${huid}`);
        return (
          <Page title={guest.guestName}>
            <Flash message={flash} />
            <div className="status-line">
              <StatusBadge status={guest.status} moving={!guestSettled(guest)} />
              <p>{guestSettled(guest) ? STATUS_HELP[guest.status] : 'Approved: the account is being set up. The guest then gets the email "Activate your HMS account".'}</p>
            </div>
            <GuestActions
              guest={guest}
              etag={etag}
              allowed={allowedActions(me, guest, today)}
              me={me}
              today={today}
              onStale={() => void resource.reload()}
              onApplied={async (g, tag, settled) => {
                resource.update((s) => ({ ...s, guest: g, etag: tag }));
                return (await resource.followUp((s) => settled(s.guest)))?.guest;
              }}
            />
            {relation(me, guest).sponsor && !me.sponsorEligibility.eligible ? (
              <Alert kind="warning" title="You can read this guest but not act on it">
                <p>{me.sponsorEligibility.detail} HMS IT can move the guest to an eligible sponsor.</p>
              </Alert>
            ) : null}
            <div className="columns">
              <GuestDetails guest={guest} today={today} who={who} />
              <Entitlements guest={guest} />
            </div>
            <Timeline items={history} who={who} />
            {executions ? <Executions executions={executions} /> : null}
          </Page>
        );
      }}
    </ResourcePage>
  );
}
