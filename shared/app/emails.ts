/**
 * Email templates. Each message is written once as blocks; the text and the HTML body are both
 * rendered from those blocks, so they never disagree.
 */
import type { EmailMessage } from '../core/ports.ts';
import { POPULATION_LABELS, type Guest } from '../guest/domain/model.ts';
import { type Person } from '../core/domain/people.ts';
import type { Lab, LapseReason, O2Account } from '../o2/domain/model.ts';
import { O2_LOGIN_HOST } from '../o2/domain/rules.ts';
import { RC_CORE_CONTACT, WYSS_CONTACT } from '../guest/domain/rules.ts';
import { safeLine, safeText } from '../core/domain/text.ts';

type Block = string | { label: string; value: string } | { link: string; text: string };

/** Subjects are one line, at most this many characters. */
export const MAX_SUBJECT_LENGTH = 150;

function cleanBlock(b: Block): Block {
  if (typeof b === 'string') return safeText(b);
  if ('label' in b) return { label: safeText(b.label), value: safeText(b.value) };
  return { link: safeText(b.link), text: safeText(b.text) };
}

/** Every field of every message goes through here: one-line bounded subject, no control or bidi characters anywhere. */
function render(to: string[], rawSubject: string, rawBlocks: Block[], cc?: string[]): EmailMessage {
  const subject = safeLine(rawSubject, MAX_SUBJECT_LENGTH);
  const blocks = rawBlocks.map(cleanBlock);
  const text = blocks
    .map((b) => (typeof b === 'string' ? b : 'label' in b ? `${b.label}: ${b.value}` : `${b.text}: ${b.link}`))
    .join('\n\n');
  const html =
    `<!doctype html><html><body style="font-family:Arial,sans-serif">` +
    blocks
      .map((b) =>
        typeof b === 'string'
          ? `<p>${esc(b)}</p>`
          : 'label' in b
            ? `<p>${esc(b.label)}: <strong>${esc(b.value)}</strong></p>`
            : `<p><a href="${esc(b.link)}">${esc(b.text)}</a></p>`,
      )
      .join('') +
    `</body></html>`;
  return cc?.length ? { to, cc, subject, text, html } : { to, subject, text, html };
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const SIGNATURE = 'HMS IT — Sponsored guest accounts';

export interface Links {
  activationUrl: string;
  portalUrl: string;
}

const guestLink = (links: Links, g: Guest) => `${links.portalUrl.replace(/\/$/, '')}/guests/${g.guestId}`;
/** The O2 account's page (the PI approves there). */
const o2Link = (links: Links, o: O2Account) => `${links.portalUrl.replace(/\/$/, '')}/o2-accounts/${o.o2AccountId}`;
/** The RC Core's queue: labs to register, accounts to complete. */
const rcCoreLink = (links: Links) => `${links.portalUrl.replace(/\/$/, '')}/rc-core`;
const O2_SIGNATURE = 'HMS IT and the HMS Research Computing Core — O2 accounts';

const LAPSE_WORDS: Record<LapseReason, string> = {
  'approval-expired': 'the sponsoring PI did not approve or deny it within 14 days',
  'lab-not-registered': 'the lab was not registered with the HMS Research Computing Core within 30 days',
  'no-hms-account': 'the HMS account it needs did not come about (the HMS guest account request ended without an account)',
};

export const emails = {
  /** Rule "Activation email": "Activate your HMS account", to the guest's personal email. */
  activation(g: Guest, code: string, links: Links): EmailMessage {
    return render([g.guestEmail], 'Activate your HMS account', [
      `Hello ${g.guestName},`,
      'An HMS account has been created for you at the request of your Harvard Medical School sponsor.',
      { label: 'HMS account ID', value: g.accountId ?? '' },
      { label: 'Activation code', value: code },
      { link: `${links.activationUrl}?accountId=${encodeURIComponent(g.accountId ?? '')}`, text: 'Activate your HMS account' },
      `The activation code can be used once and is valid until ${g.activation?.expiresAt ?? ''}. Your account is valid from ${g.startDate} through ${g.endDate}.`,
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
      `Account term: ${g.startDate} through ${g.endDate}. Entitlements: ${grantedList(g)}.`,
      SIGNATURE,
    ]);
  },

  approvalRequest(g: Guest, sponsor: Person, requester: Person | undefined, links: Links, reminder: boolean): EmailMessage {
    return render([sponsor.email], `${reminder ? 'Reminder: ' : ''}Approve HMS guest account for ${g.guestName}`, [
      `Dear ${sponsor.name},`,
      g.filedForO2
        ? // Filed by an O2 request: by the person or the lab (rule "No HMS account"), not necessarily by anyone the sponsor named.
          `${requester?.name ?? `HUID ${g.submittedBy}`} asks you to sponsor an HMS guest account for ${g.guestName} (${POPULATION_LABELS[g.population]}), from ${g.startDate} through ${g.endDate}: it is needed for an O2 account on the research cluster (the person has no HMS account yet). Approve it only if you sponsor this person.`
        : `${requester?.name ?? g.submittedBy} asked for an HMS guest account on your behalf for ${g.guestName} (${POPULATION_LABELS[g.population]}), from ${g.startDate} through ${g.endDate}.`,
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
      `The request for ${g.guestName} (HUID ${g.guestHuid}) waited 14 days for an active Harvard Sponsored Role (HSR) covering ${g.endDate}, and has been closed.`,
      'Set up or extend the guest’s HSR in the HSR Portal, then submit a new request.',
      SIGNATURE,
    ]);
  },

  /** Rule "Expiry notices": subject contains "expires" and the date. */
  expiryNotice(g: Guest, sponsor: Person, links: Links, noticeDate: string): EmailMessage {
    return render([sponsor.email], `HMS guest account ${g.accountId ?? ''} for ${g.guestName} expires on ${g.endDate}`, [
      `Dear ${sponsor.name},`,
      `The HMS guest account of ${g.guestName} (${g.accountId ?? ''}) expires at the end of ${g.endDate}. (Notice of ${noticeDate}.)`,
      'To keep it, first extend the guest’s Harvard Sponsored Role in the HSR Portal, then submit an extension. You will be reminded daily until the expiration date.',
      { link: guestLink(links, g), text: 'Extend the account' },
      SIGNATURE,
    ]);
  },

  /** Rule "Disabled at expiry": subject contains "expired"; one message to the sponsor, one to the guest. */
  expired(g: Guest, to: string, links: Links): EmailMessage {
    return render([to], `HMS guest account ${g.accountId ?? ''} for ${g.guestName} expired on ${g.endDate}`, [
      `The HMS guest account of ${g.guestName} (${g.accountId ?? ''}) expired at the end of ${g.endDate} and has been disabled; its access has been revoked.`,
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

  cancelled(g: Guest, sponsor: Person, by: string): EmailMessage {
    return render([sponsor.email], `HMS guest account for ${g.guestName} was cancelled`, [
      `The HMS guest account${g.accountId ? ` ${g.accountId}` : ''} for ${g.guestName} was cancelled by ${by}. Any access it had has been revoked.`,
      SIGNATURE,
    ]);
  },

  /** Rule "Leaving HMS": the person's own HMS account goes on as a guest account (no activation: it is the same account). */
  retainedAccount(g: Guest, sponsor: Person | undefined, links: Links): EmailMessage {
    return render([g.guestEmail], `Your HMS account ${g.accountId ?? ''} continues as a guest account`, [
      `Hello ${g.guestName},`,
      `Your HMS account ${g.accountId ?? ''} continues after your HMS appointment ends, as an HMS guest account sponsored by ${sponsor?.name ?? g.sponsorHuid}, from ${g.startDate} through ${g.endDate}. Keep using your HMS account ID and password: there is nothing to activate.`,
      { label: 'HMS account ID', value: g.accountId ?? '' },
      // The person can open their O2 account's page; the guest account's page is the sponsor's.
      ...(g.o2AccountId ? [{ link: `${links.portalUrl.replace(/\/$/, '')}/o2-accounts/${g.o2AccountId}`, text: 'Your O2 account' }] : []),
      { link: guestLink(links, g), text: 'The guest account (for the sponsor)' },
      SIGNATURE,
    ], sponsor ? [sponsor.email] : undefined);
  },

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
        `It stays active as long as your HMS account${o.endDate ? `, through ${o.endDate}` : ''}.`,
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
        `The O2 account ${o.accountId ?? ''} of ${o.userName} expires at the end of ${o.endDate ?? ''}${o.completion?.endDate === o.endDate ? ', the last day the RC Core set for it' : ', with its HMS account'}. (Notice of ${noticeDate}.)`,
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
        `The O2 account ${o.accountId ?? ''} of ${o.userName} expired at the end of ${o.endDate ?? ''}${o.completion?.endDate === o.endDate ? ', the last day the RC Core set for it' : ', with its HMS account'}; its O2 login has been removed.`,
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

  wyssContact: WYSS_CONTACT,
};

function grantedList(g: Guest): string {
  const granted = g.entitlements.filter((e) => e.granted).map((e) => e.name);
  return granted.length ? granted.join(', ') : 'none';
}
