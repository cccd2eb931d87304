/**
 * Email templates. Each message is written once as blocks; the text and the HTML body are both
 * rendered from those blocks, so they never disagree.
 */
import type { EmailMessage } from '../ports.ts';
import { POPULATION_LABELS, type Guest, type Person } from '../domain/model.ts';
import { WYSS_CONTACT } from '../domain/rules.ts';
import { safeLine, safeText } from '../domain/text.ts';

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
      `${requester?.name ?? g.submittedBy} asked for an HMS guest account on your behalf for ${g.guestName} (${POPULATION_LABELS[g.population]}), from ${g.startDate} through ${g.endDate}.`,
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

  wyssContact: WYSS_CONTACT,
};

function grantedList(g: Guest): string {
  const granted = g.entitlements.filter((e) => e.granted).map((e) => e.name);
  return granted.length ? granted.join(', ') : 'none';
}
