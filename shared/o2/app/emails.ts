/**
 * The O2 lifecycle's email templates (rendered by shared/core/app/email.ts). Dates are written as
 * people write them (shared/core/domain/dates.ts: "Wednesday, June 30, 2027"); subjects keep their
 * ISO dates, which sort and which people and tests search mail by.
 */
import { pageLink, render, type Links } from '../../core/app/email.ts';
import type { EmailMessage } from '../../core/ports.ts';
import { readableDate as day } from '../../core/domain/dates.ts';
import type { Person } from '../../core/domain/people.ts';
import type { Lab, LapseReason, O2Account } from '../domain/model.ts';
import { O2_LOGIN_HOST, RC_CORE_CONTACT } from '../domain/rules.ts';

/** The O2 account's page (the PI approves there). */
const o2Link = (links: Links, o: O2Account) => pageLink(links, `/o2-accounts/${o.o2AccountId}`);
/** The RC Core's queue: labs to register, accounts to complete. */
const rcCoreLink = (links: Links) => pageLink(links, '/rc-core');
const O2_SIGNATURE = 'HMS IT and the HMS Research Computing Core — O2 accounts';
/** The account's last day in words (an expiring or expired account always has one). */
const lastDay = (o: O2Account) => (o.endDate ? day(o.endDate) : 'its last day');

const LAPSE_WORDS: Record<LapseReason, string> = {
  'approval-expired': 'the sponsoring PI did not approve or deny it within 14 days',
  'lab-not-registered': 'the lab was not registered with the HMS Research Computing Core within 30 days',
  'no-hms-account': 'the HMS account it needs did not come about (the HMS guest account request ended without an account)',
};

export const emails = {
  /** Rule "O2: sponsoring PI": the sponsor is asked to approve (with the link to the O2 account's page). */
  o2ApprovalRequest(o: O2Account, sponsor: Person, requester: Person | undefined, lab: Lab, links: Links, reminder: boolean): EmailMessage {
    return render([sponsor.email], `${reminder ? 'Reminder: ' : ''}Approve the O2 account of ${o.userName}`, [
      `Dear ${sponsor.name},`,
      `${requester?.name ?? `HUID ${o.requestedBy}`} asked for an O2 account for ${o.userName} (HUID ${o.userHuid}) in the lab "${lab.name}" (${lab.institution}), with you as sponsoring PI.`,
      o.quad.reason,
      reminder
        ? 'This request has waited 7 days for your decision. Without a decision within 7 more days it lapses and must be made again.'
        : 'Please approve or deny it. Without a decision within 14 days it lapses.',
      { link: o2Link(links, o), text: 'Review the O2 request' },
      O2_SIGNATURE,
    ]);
  },

  /** Rule "Off-Quad": the RC Core is asked to register the lab (once per lab; then weekly reminders). */
  o2LabRegistrationToRcCore(lab: Lab, pi: Person | undefined, links: Links, reminder: number): EmailMessage {
    return render([RC_CORE_CONTACT], `${reminder ? `Reminder ${reminder}: ` : ''}Register the lab "${lab.name}" for O2`, [
      `The lab "${lab.name}" of ${pi?.name ?? lab.piHuid} (HUID ${lab.piHuid}) at ${lab.institution} is off-Quad and not registered with the RC Core; an O2 account of the lab waits for its registration (up to 30 days).`,
      lab.quad.reason,
      'Register the lab with its chargeback account (or as not charged) and its billing contact.',
      { link: rcCoreLink(links), text: 'Open the RC Core queue' },
      O2_SIGNATURE,
    ]);
  },

  /** Rule "Off-Quad": the PI is told what to do to register the lab. */
  o2LabRegistrationToPi(o: O2Account, lab: Lab, pi: Person, links: Links, reminder: number): EmailMessage {
    return render([pi.email], `${reminder ? `Reminder ${reminder}: ` : ''}O2: register your lab "${lab.name}" with the HMS Research Computing Core`, [
      `Dear ${pi.name},`,
      `The O2 account of ${o.userName} waits for your lab's registration with the HMS Research Computing Core (RC Core). ${lab.quad.reason}`,
      `Email ${RC_CORE_CONTACT} with the lab's chargeback account (or that the lab is not charged: registration is required either way) and its billing contact. The request lapses if the lab is not registered within 30 days.`,
      { link: o2Link(links, o), text: 'The O2 request' },
      O2_SIGNATURE,
    ]);
  },

  /** The request lapsed (14 days without a decision, 30 days without the lab's registration, no HMS account), and why. */
  o2Lapsed(o: O2Account, to: string[], reason: LapseReason, links: Links): EmailMessage {
    return render(to, `The O2 account request for ${o.userName} lapsed`, [
      `The O2 account request for ${o.userName} lapsed: ${LAPSE_WORDS[reason]}.`,
      'Make a new request when what was missing is in place.',
      { link: o2Link(links, o), text: 'The O2 request' },
      O2_SIGNATURE,
    ]);
  },

  /** Rule "Off-Quad": the RC Core completes the setup (or the renewal) of the account. */
  o2RcCoreSetup(o: O2Account, lab: Lab | undefined, sponsor: Person | undefined, links: Links, kind: 'setup' | 'reminder' | 'renewal'): EmailMessage {
    const verb = o.status === 'RENEWAL_REQUESTED' || kind === 'renewal' ? 'Renew' : 'Set up';
    return render([RC_CORE_CONTACT], `${kind === 'reminder' ? 'Reminder: ' : ''}${verb} the O2 account of ${o.userName}`, [
      `${verb} the O2 account of ${o.userName} (HUID ${o.userHuid}) in the lab "${lab?.name ?? o.labId}", sponsored by ${sponsor ? `${sponsor.name} (${sponsor.email})` : `HUID ${o.piHuid}`}.`,
      { label: 'HMS account ID (the Unix username)', value: o.accountId ?? '(not known yet)' },
      kind === 'reminder' ? 'This has waited 3 working days. HMS IT is told after 10.' : 'When the account is created on O2, mark it completed with the Unix username, which is the HMS account ID.',
      { link: o2Link(links, o), text: 'Complete the O2 account' },
      O2_SIGNATURE,
    ]);
  },

  /** The user's O2 account is active: how to log in (the HMS account ID), the PI in copy. */
  o2Active(o: O2Account, pi: Person | undefined, links: Links): EmailMessage {
    return render(
      [o.userEmail],
      'Your O2 account is active',
      [
        `Hello ${o.userName},`,
        'Your account on O2, the HMS research computing cluster, is active.',
        { label: 'Log in with your HMS account ID', value: o.accountId ?? '' },
        { label: 'Log in', value: `ssh ${o.accountId ?? ''}@${O2_LOGIN_HOST} (your HMS account password)` },
        { label: 'Home directory', value: o.posix?.homeDirectory ?? '' },
        `It stays active as long as your HMS account${o.endDate ? `, through ${day(o.endDate)}` : ''}.`,
        { link: o2Link(links, o), text: 'Your O2 account' },
        O2_SIGNATURE,
      ],
      pi ? [pi.email] : undefined,
    );
  },

  /** Rule "Renewal": to rccore@hms.harvard.edu with the lab's PI in copy: opens a request with the RC Core. */
  o2Renewal(o: O2Account, pi: Person | undefined, byName: string, note: string | undefined, links: Links): EmailMessage {
    return render(
      [RC_CORE_CONTACT],
      `Renew the HMS ID and O2 account of ${o.userName}`,
      [
        `${byName} asks to renew the expired O2 account of ${o.userName} (HMS account ID ${o.accountId ?? ''}) in the lab of ${pi?.name ?? o.piHuid}, off-Quad.`,
        ...(note ? [{ label: 'Note', value: note }] : []),
        'Renew the HMS ID (the sponsor extends the HMS guest account) and the O2 account, then mark it completed.',
        { link: o2Link(links, o), text: 'Complete the renewal' },
        O2_SIGNATURE,
      ],
      [...new Set([pi?.email, o.userEmail].filter((e): e is string => Boolean(e)))],
    );
  },

  /** Notices before the HMS account's end, to the user with the PI in copy. */
  o2ExpiryNotice(o: O2Account, pi: Person | undefined, noticeDate: string, links: Links): EmailMessage {
    return render(
      [o.userEmail],
      `Your O2 account ${o.accountId ?? ''} expires on ${o.endDate ?? ''}`,
      [
        `The O2 account ${o.accountId ?? ''} of ${o.userName} expires at the end of ${lastDay(o)}${o.completion?.endDate === o.endDate ? ', the last day the RC Core set for it' : ', with its HMS account'}. (Notice of ${day(noticeDate)}.)`,
        o.guestId ? 'To keep it, the sponsor extends the HMS guest account.' : 'To keep it past the end of your HMS appointment, ask your PI to keep the account when you leave HMS.',
        { link: o2Link(links, o), text: 'Your O2 account' },
        O2_SIGNATURE,
      ],
      pi ? [pi.email] : undefined,
    );
  },

  /** Expired with the HMS account: the user and the PI are told; off-Quad, how to renew. */
  o2Expired(o: O2Account, pi: Person | undefined, links: Links): EmailMessage {
    return render(
      [o.userEmail],
      `O2 account ${o.accountId ?? ''} of ${o.userName} expired on ${o.endDate ?? ''}`,
      [
        `The O2 account ${o.accountId ?? ''} of ${o.userName} expired at the end of ${lastDay(o)}${o.completion?.endDate === o.endDate ? ', the last day the RC Core set for it' : ', with its HMS account'}; its O2 login has been removed.`,
        o.quad.onQuad
          ? 'To use O2 again, the PI requests a new O2 account once the HMS account is active again.'
          : `To renew it, email ${RC_CORE_CONTACT} with your lab's PI in copy (or use "Ask the RC Core to renew" on the O2 account's page).`,
        { link: o2Link(links, o), text: 'The O2 account' },
        O2_SIGNATURE,
      ],
      pi ? [pi.email] : undefined,
    );
  },

  o2Denied(o: O2Account, to: string[], reason: string | undefined, links: Links): EmailMessage {
    return render(to, `The O2 account request for ${o.userName} was denied`, [
      `The sponsoring PI denied the O2 account request for ${o.userName}.`,
      ...(reason ? [{ label: 'Reason', value: reason }] : []),
      { link: o2Link(links, o), text: 'The O2 request' },
      O2_SIGNATURE,
    ]);
  },

  o2Cancelled(o: O2Account, to: string[], byName: string, links: Links): EmailMessage {
    return render(to, `The O2 account of ${o.userName} was cancelled`, [
      `The O2 account${o.accountId ? ` ${o.accountId}` : ''} of ${o.userName} was cancelled by ${byName}. Its O2 login, if it had one, has been removed.`,
      { link: o2Link(links, o), text: 'The O2 account' },
      O2_SIGNATURE,
    ]);
  },
};
