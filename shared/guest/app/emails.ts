/**
 * The guest lifecycle's email templates (rendered by shared/core/app/email.ts). Dates and instants
 * are written as people write them (shared/core/domain/dates.ts: "Wednesday, June 30, 2027", instants
 * in Boston time) and services by their names, never as codes; subjects keep their ISO dates, which
 * sort and which people and tests search mail by.
 */
import { pageLink, render, type Links } from '../../core/app/email.ts';
import type { EmailMessage } from '../../core/ports.ts';
import { readableDate as day, readableInstant } from '../../core/domain/dates.ts';
import type { Person } from '../../core/domain/people.ts';
import { ENTITLEMENT_LABELS, POPULATION_LABELS, type Guest } from '../domain/model.ts';
import { WYSS_CONTACT } from '../domain/rules.ts';

export type { Links };

const SIGNATURE = 'HMS IT — Sponsored guest accounts';

const guestLink = (links: Links, g: Guest) => pageLink(links, `/guests/${g.guestId}`);

export const emails = {
  /**
   * Rule "Activation email": "Activate your HMS account", to the guest's personal email. It names the
   * sponsor, so that the guest knows who vouched for the account; of the sponsor it takes the name
   * alone (no HUID, no email address: the guest's mailbox is outside HMS). Without a name (the sponsor
   * gone from the directory) it says "your sponsor".
   */
  activation(g: Guest, code: string, sponsor: Pick<Person, 'name'> | undefined, links: Links): EmailMessage {
    return render([g.guestEmail], 'Activate your HMS account', [
      `Hello ${g.guestName},`,
      sponsor
        ? `An HMS account has been created for you at the request of your Harvard Medical School sponsor, ${sponsor.name}.`
        : 'An HMS account has been created for you at the request of your Harvard Medical School sponsor.',
      { label: 'HMS account ID', value: g.accountId ?? '' },
      { label: 'Activation code', value: code },
      { link: `${links.activationUrl}?accountId=${encodeURIComponent(g.accountId ?? '')}`, text: 'Activate your HMS account' },
      `The activation code can be used once${g.activation ? ` and is valid until ${readableInstant(g.activation.expiresAt)}` : ''}. Your account is valid from ${day(g.startDate)} through ${day(g.endDate)}.`,
      SIGNATURE,
    ]);
  },

  /** Rule "Activation email": the sponsor's copy, with the code redacted. */
  activationCopy(g: Guest, sponsor: Person, links: Links): EmailMessage {
    return render([sponsor.email], 'Copy: Activate your HMS account', [
      `This is a copy of the activation message sent to your guest ${g.guestName} (${g.guestEmail}).`,
      { label: 'HMS account ID', value: g.accountId ?? '' },
      { label: 'Activation code', value: '[redacted — sent only to the guest]' },
      { link: links.activationUrl, text: 'Activation page' },
      `Account term: ${day(g.startDate)} through ${day(g.endDate)}. Services granted: ${grantedList(g)}.`,
      SIGNATURE,
    ]);
  },

  approvalRequest(g: Guest, sponsor: Person, requester: Person | undefined, links: Links, reminder: boolean): EmailMessage {
    return render([sponsor.email], `${reminder ? 'Reminder: ' : ''}Approve HMS guest account for ${g.guestName}`, [
      `Dear ${sponsor.name},`,
      g.filedForO2
        ? // Filed by an O2 request: by the person or the lab (rule "No HMS account"), not necessarily by anyone the sponsor named.
          `${requester?.name ?? `HUID ${g.submittedBy}`} asks you to sponsor an HMS guest account for ${g.guestName} (${POPULATION_LABELS[g.population]}), from ${day(g.startDate)} through ${day(g.endDate)}: it is needed for an O2 account on the research cluster (the person has no HMS account yet). Approve it only if you sponsor this person.`
        : `${requester?.name ?? g.submittedBy} asked for an HMS guest account on your behalf for ${g.guestName} (${POPULATION_LABELS[g.population]}), from ${day(g.startDate)} through ${day(g.endDate)}.`,
      reminder
        ? 'This request has waited 7 days for your decision. Without a decision within 7 more days it expires and must be submitted again.'
        : 'Please approve or deny this request. Without a decision within 14 days it expires.',
      { link: guestLink(links, g), text: 'Review the request' },
      SIGNATURE,
    ]);
  },

  approvalExpired(g: Guest, requesterEmail: string): EmailMessage {
    return render([requesterEmail], `HMS guest account request for ${g.guestName} expired without a decision`, [
      `The sponsor did not approve or deny the HMS guest account request for ${g.guestName} within 14 days, so the request has expired.`,
      'Submit a new request if the guest still needs an account.',
      SIGNATURE,
    ]);
  },

  denied(g: Guest, requesterEmail: string, reason?: string): EmailMessage {
    return render([requesterEmail], `HMS guest account request for ${g.guestName} was denied`, [
      `The sponsor denied the HMS guest account request for ${g.guestName}.`,
      ...(reason ? [{ label: 'Reason', value: reason }] : []),
      SIGNATURE,
    ]);
  },

  hsrTimeout(g: Guest, requesterEmail: string): EmailMessage {
    return render([requesterEmail], `HMS guest account request for ${g.guestName}: no Harvard Sponsored Role`, [
      `The request for ${g.guestName} (HUID ${g.guestHuid}) waited 14 days for an active Harvard Sponsored Role (HSR) covering ${day(g.endDate)}, and has been closed.`,
      'Set up or extend the guest’s HSR in the HSR Portal, then submit a new request.',
      SIGNATURE,
    ]);
  },

  /** Rule "Expiry notices": subject contains "expires" and the date. */
  expiryNotice(g: Guest, sponsor: Person, links: Links, noticeDate: string): EmailMessage {
    return render([sponsor.email], `HMS guest account ${g.accountId ?? ''} for ${g.guestName} expires on ${g.endDate}`, [
      `Dear ${sponsor.name},`,
      `The HMS guest account of ${g.guestName} (${g.accountId ?? ''}) expires at the end of ${day(g.endDate)}. (Notice of ${day(noticeDate)}.)`,
      'To keep it, first extend the guest’s Harvard Sponsored Role in the HSR Portal, then submit an extension. You will be reminded daily until the expiration date.',
      { link: guestLink(links, g), text: 'Extend the account' },
      SIGNATURE,
    ]);
  },

  /** Rule "Disabled at expiry": subject contains "expired"; one message to the sponsor, one to the guest. */
  expired(g: Guest, to: string, links: Links): EmailMessage {
    return render([to], `HMS guest account ${g.accountId ?? ''} for ${g.guestName} expired on ${g.endDate}`, [
      `The HMS guest account of ${g.guestName} (${g.accountId ?? ''}) expired at the end of ${day(g.endDate)} and has been disabled; its access has been revoked.`,
      'Within 30 days the sponsor can restore it with an extension; after that a new request is needed.',
      { link: guestLink(links, g), text: 'Extend the account' },
      SIGNATURE,
    ]);
  },

  /** Many wrong activation attempts on a guest's account, from outside: the sponsor is told (at the ceiling, the code is locked). */
  activationAttempts(g: Guest, sponsor: Person, attempts: number, locked: boolean, links: Links): EmailMessage {
    return render([sponsor.email], `${locked ? 'Activation code locked' : 'Unusual activation attempts'} for the HMS account of ${g.guestName}`, [
      `Dear ${sponsor.name},`,
      `The activation code of the HMS guest account ${g.accountId ?? ''} of ${g.guestName} has been tried ${attempts} times with a wrong code.`,
      locked
        ? 'To protect the account the code is now locked, and HMS IT has been alerted. Send the guest a new activation code from the guest page when they are ready to activate.'
        : 'This may be your guest mistyping the code, or someone guessing. The code stays valid; if your guest has not received it, send a new one from the guest page.',
      { link: guestLink(links, g), text: 'Open the guest page' },
      SIGNATURE,
    ]);
  },

  /** To the sponsor; `by`: who cancelled it, by name ("you" when the sponsor did). */
  cancelled(g: Guest, sponsor: Person, by: string): EmailMessage {
    return render([sponsor.email], `HMS guest account for ${g.guestName} was cancelled`, [
      `The HMS guest account${g.accountId ? ` ${g.accountId}` : ''} for ${g.guestName} was cancelled by ${by}. Any access it had has been revoked.`,
      SIGNATURE,
    ]);
  },

  /**
   * Rule "Extension": the guest is told the new end date (or that the account works again, after a
   * restore), with the sponsor by name only, as the activation email does.
   */
  extended(g: Guest, sponsor: Pick<Person, 'name'> | undefined, restored: boolean): EmailMessage {
    return render([g.guestEmail], restored ? 'Your HMS account works again' : 'Your HMS account has been extended', [
      `Hello ${g.guestName},`,
      `${restored ? 'Your HMS account has been restored' : 'Your HMS account has been extended'} by your sponsor${sponsor ? `, ${sponsor.name}` : ''}: it is valid through ${day(g.endDate)}.`,
      { label: 'HMS account ID', value: g.accountId ?? '' },
      SIGNATURE,
    ]);
  },

  /** Rule "Leaving HMS": the person's own HMS account goes on as a guest account (no activation: it is the same account). */
  retainedAccount(g: Guest, sponsor: Person | undefined, links: Links): EmailMessage {
    return render([g.guestEmail], `Your HMS account ${g.accountId ?? ''} continues as a guest account`, [
      `Hello ${g.guestName},`,
      // The sponsor by name only: no HUID in the person's email (without a name, "your HMS sponsor").
      `Your HMS account ${g.accountId ?? ''} continues after your HMS appointment ends, as an HMS guest account sponsored by ${sponsor?.name ?? 'your HMS sponsor'}, from ${day(g.startDate)} through ${day(g.endDate)}. Keep using your HMS account ID and password: there is nothing to activate.`,
      { label: 'HMS account ID', value: g.accountId ?? '' },
      // The person can open their O2 account's page; the guest account's page is the sponsor's.
      ...(g.o2AccountId ? [{ link: `${links.portalUrl.replace(/\/$/, '')}/o2-accounts/${g.o2AccountId}`, text: 'Your O2 account' }] : []),
      { link: guestLink(links, g), text: 'The guest account (for the sponsor)' },
      SIGNATURE,
    ], sponsor ? [sponsor.email] : undefined);
  },

  wyssContact: WYSS_CONTACT,
};

/** The services granted, by their names ("HMS email account, Wireless network"), not their codes. */
function grantedList(g: Guest): string {
  const granted = g.entitlements.filter((e) => e.granted).map((e) => ENTITLEMENT_LABELS[e.name]);
  return granted.length ? granted.join(', ') : 'none';
}
