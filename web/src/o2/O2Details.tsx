/** The O2 account's details and its lab (name, institution, PI, RC Core registration, why on- or off-Quad), as the O2 account page shows them. */
import type { ReactNode } from 'react';
import type { Lab, O2Account } from '../api/o2.ts';
import { Link } from '../router.tsx';
import { formatDate, formatInstant } from '../text.ts';
import type { O2People } from './people.ts';
import { institutionKind, quadReason, registrationText, institutionName } from './text.ts';

/** A row of the details, shown only when there is something to say. */
function Row({ term, children }: { term: string; children: ReactNode }) {
  if (children === undefined || children === null || children === false) return null;
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

export function O2Details({ o2, people, linkGuest }: { o2: O2Account; people: O2People; linkGuest: boolean }) {
  const { named, who } = people;
  return (
    <section aria-labelledby="o2-details-heading">
      <h2 id="o2-details-heading">Details</h2>
      <dl className="details">
        <Row term="User">
          {o2.userName} (HUID {o2.userHuid})
        </Row>
        <Row term="HMS account ID">{o2.accountId ?? 'Not yet: the user has no HMS account yet'}</Row>
        <Row term="Sponsoring PI">{named(o2.piHuid)}</Row>
        {o2.requestedBy !== o2.piHuid ? <Row term="Requested by">{o2.requestedBy === o2.userHuid ? 'The user' : named(o2.requestedBy)}</Row> : null}
        <Row term="Requested">{formatInstant(o2.createdAt)}</Row>
        {o2.justification ? (
          <>
            <dt>Justification</dt>
            <dd className="prewrap">{o2.justification}</dd>
          </>
        ) : null}
        {o2.hmsSponsorHuid ? <Row term="HMS sponsor">{named(o2.hmsSponsorHuid)} (sponsors the HMS guest account)</Row> : null}
        {o2.guestId ? (
          <Row term="HMS guest account">{linkGuest ? <Link to={`/guests/${o2.guestId}`}>The guest account O2 rests on</Link> : 'A sponsored HMS guest account'}</Row>
        ) : null}
        {o2.approval ? (
          <Row term="Decision">
            {o2.approval.decision === 'approve' ? 'Approved' : 'Denied'} by {who(o2.approval.by)} on {formatInstant(o2.approval.at)}
            {o2.approval.bySubmission ? ', by requesting it' : ''}
            {o2.approval.reason ? `: “${o2.approval.reason}”` : ''}
          </Row>
        ) : null}
        {o2.completion ? (
          <Row term="Set up by the RC Core">
            {formatInstant(o2.completion.at)} by {who(o2.completion.by)}, Unix username <code>{o2.completion.unixUsername}</code>
          </Row>
        ) : null}
        {o2.posix ? (
          <Row term="Home directory on O2">
            <code>{o2.posix.homeDirectory}</code>
          </Row>
        ) : null}
        {o2.endDate ? (
          <Row term="Ends">
            {formatDate(o2.endDate)}, {o2.completion?.endDate === o2.endDate ? 'as the RC Core set it at completion' : 'with the HMS account'}
          </Row>
        ) : null}
        {o2.renewal ? (
          <Row term="Renewal requested">
            {formatInstant(o2.renewal.at)} by {named(o2.renewal.by)}
            {o2.renewal.note ? `: “${o2.renewal.note}”` : ''}
          </Row>
        ) : null}
        {o2.retain ? (
          <Row term="Kept when leaving HMS">
            Guest account from {formatDate(o2.retain.startDate)}, requested {formatInstant(o2.retain.at)} by {named(o2.retain.by)}
          </Row>
        ) : null}
      </dl>
    </section>
  );
}

/** The lab (when the person may read its record: its PI, managers, the RC Core) and why the account is on- or off-Quad (always). */
export function O2LabDetails({ o2, lab, people }: { o2: O2Account; lab: Lab | undefined; people: O2People }) {
  return (
    <section aria-labelledby="o2-lab-heading">
      <h2 id="o2-lab-heading">Lab</h2>
      <dl className="details">
        {lab ? (
          <>
            <Row term="Name">{lab.name}</Row>
            <Row term="Institution">
              {institutionName(lab.institution)}, {institutionKind(lab.institution)}
            </Row>
            <Row term="Lab's PI">{people.named(lab.piHuid)}</Row>
            <Row term="RC Core registration">{registrationText(lab)}</Row>
            {lab.registration.status === 'registered' ? (
              <Row term="Billing contact">
                {lab.registration.billingContact.name} ({lab.registration.billingContact.email})
              </Row>
            ) : null}
          </>
        ) : o2.labName ? (
          <Row term="Name">{o2.labName}</Row>
        ) : null}
        <Row term="On-Quad or off-Quad">
          <strong>{o2.quad.onQuad ? 'On-Quad' : 'Off-Quad'}</strong>
          <span className="sub">{quadReason(o2.quad.reason)}</span>
        </Row>
      </dl>
    </section>
  );
}
