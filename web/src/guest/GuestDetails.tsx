/** A guest's details and entitlements (with their reasons), as the guest page shows them. */
import type { ReactNode } from 'react';
import type { Guest } from '../api/client.ts';
import { Link } from '../router.tsx';
import { ENTITLEMENT_LABELS, formatDate, formatInstant, POPULATION_LABELS, SERVICES } from '../text.ts';
import { DaysLeft } from './GuestCells.tsx';

/** A row of the details. */
function Row({ term, className, children }: { term: string; className?: string; children: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd className={className}>{children}</dd>
    </>
  );
}

function activationText(guest: Guest): string | undefined {
  if (!guest.activation) return undefined;
  if (guest.activatedAt) return `Used: activated ${formatInstant(guest.activatedAt)}`;
  return guest.activation.locked ? 'Locked after too many attempts: send a new one' : `Sent to the guest's personal email; works until ${formatInstant(guest.activation.expiresAt)}`;
}

export function GuestDetails({ guest, today, who }: { guest: Guest; today: string; who: (huid: string) => string }) {
  const activation = activationText(guest);
  return (
    <section aria-labelledby="details-heading">
      <h2 id="details-heading">Details</h2>
      <dl className="details">
        <Row term="Guest HUID">{guest.guestHuid}</Row>
        <Row term="Population">{POPULATION_LABELS[guest.population]}</Row>
        {guest.contractorId ? <Row term="HU contractor ID">{guest.contractorId}</Row> : null}
        <Row term="Sponsor">{who(guest.sponsorHuid)}</Row>
        <Row term="Submitted by">{guest.submittedBy === guest.sponsorHuid ? 'The sponsor' : who(guest.submittedBy)}</Row>
        <Row term="Start date">{formatDate(guest.startDate)}</Row>
        <Row term="End date">
          {formatDate(guest.endDate)} (<DaysLeft guest={guest} today={today} />)
        </Row>
        <Row term="HMS account ID">{guest.accountId ?? 'Not yet: given when the account is set up'}</Row>
        {guest.o2AccountId ? (
          <Row term="O2 account">
            <Link to={`/o2-accounts/${guest.o2AccountId}`}>Its O2 account</Link> (a lifecycle of its own: the PI&apos;s approval, and for an off-Quad lab the RC Core&apos;s setup)
          </Row>
        ) : null}
        {activation ? <Row term="Activation code">{activation}</Row> : null}
        {guest.approval ? (
          <Row term="Decision">
            {guest.approval.decision === 'approve' ? 'Approved' : 'Denied'} by {who(guest.approval.by)}
            {guest.approval.bySubmission ? ' (by submitting the request)' : ''} on {formatInstant(guest.approval.at)}
            {guest.approval.reason ? `: “${guest.approval.reason}”` : ''}
          </Row>
        ) : null}
        {guest.lastNoticeDate ? <Row term="Last expiry notice">{formatDate(guest.lastNoticeDate)}</Row> : null}
        {guest.expiredAt ? <Row term="Expired">{formatInstant(guest.expiredAt)}</Row> : null}
        {guest.justification ? (
          <Row term="Justification" className="prewrap">
            {guest.justification}
          </Row>
        ) : null}
        {guest.failure ? (
          <Row term="Lifecycle failure">
            {guest.failure.error} in {guest.failure.state} ({guest.failure.count} in a row, last {formatInstant(guest.failure.at)})
            {guest.failure.cause ? <span className="sub">{guest.failure.cause}</span> : null}
          </Row>
        ) : null}
      </dl>
    </section>
  );
}

export function Entitlements({ guest }: { guest: Guest }) {
  return (
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
  );
}
