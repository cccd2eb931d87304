/** The words of the O2 pages, in the terms of the HMS O2 page (issue 14). */
import { RC_CORE_CONTACT } from '../../../shared/guest/domain/rules.ts';
import { O2_LOGIN_HOST } from '../../../shared/o2/domain/rules.ts';
import { INSTITUTIONS } from '../../../shared/o2/domain/model.ts';
import type { Institution, Lab, O2Account, O2Status } from '../api/o2.ts';
import { daysBetween } from '../../../shared/core/domain/dates.ts';
import { formatDate } from '../text.ts';

export { O2_LOGIN_HOST, RC_CORE_CONTACT };

export const O2_STATUS_LABELS: Record<O2Status, string> = {
  PENDING_HMS_ACCOUNT: 'Waiting for the HMS account',
  PENDING_PI_APPROVAL: "Waiting for the PI's approval",
  PENDING_LAB_REGISTRATION: "Waiting for the lab's registration",
  PENDING_RC_CORE: "Waiting for the RC Core's setup",
  ACTIVE: 'Active',
  RENEWAL_REQUESTED: 'Renewal requested',
  EXPIRED: 'Expired',
  DENIED: 'Denied',
  LAPSED: 'Lapsed',
  CANCELLED: 'Cancelled',
  FAILED: 'Failed',
};

/** The class of a status badge: the guest badges' colours (waiting, in hand, active, closed, failed). */
export const O2_BADGE: Record<O2Status, string> = {
  PENDING_HMS_ACCOUNT: 'badge-pending-approval',
  PENDING_PI_APPROVAL: 'badge-pending-approval',
  PENDING_LAB_REGISTRATION: 'badge-pending-approval',
  PENDING_RC_CORE: 'badge-pending-activation',
  ACTIVE: 'badge-active',
  RENEWAL_REQUESTED: 'badge-pending-activation',
  EXPIRED: 'badge-expired',
  DENIED: 'badge-denied',
  LAPSED: 'badge-expired',
  CANCELLED: 'badge-cancelled',
  FAILED: 'badge-failed',
};

/** Days before the end date from which an active account shows as expiring (the first notice goes out then). */
export const EXPIRING_DAYS = 7;

export function isExpiring(o2: Pick<O2Account, 'status' | 'endDate'>, today: string): boolean {
  return o2.status === 'ACTIVE' && !!o2.endDate && daysBetween(today, o2.endDate) <= EXPIRING_DAYS;
}

/** What a person calls the people of an O2 account: the user by name, the others as the page knows them. */
export interface O2Names {
  /** The user as the subject of a sentence: "You" or their name. */
  user: string;
  userIsYou?: boolean;
  /** The sponsoring PI, as the start of a sentence ("Quinn Quad (your sponsoring PI)", "You"). */
  pi: string;
  /** The PI is the person reading. */
  piIsYou?: boolean;
  lab: string;
}

/**
 * Where the account is, in plain words: the step it waits for and who takes it, or how to use it.
 * `title` is short (the badge says the status); `text` says what happens next.
 */
export function o2Step(o2: O2Account, names: O2Names, today: string): { title: string; text: string; login?: string } {
  switch (o2.status) {
    case 'PENDING_HMS_ACCOUNT':
      return {
        title: 'Waiting for the HMS account',
        text: `${names.user} ${names.userIsYou ? 'have' : 'has'} no HMS account yet, and an O2 account needs one (the HMS account ID is the O2 login). An HMS guest account was requested ${names.userIsYou ? 'for you' : 'for them'}${
          o2.hmsSponsorHuid ? ` with HMS sponsor ${o2.names[o2.hmsSponsorHuid] ?? `HUID ${o2.hmsSponsorHuid}`}` : ' with the PI as sponsor'
        }; once it is active, the O2 request goes on.${o2.approval ? '' : ' The PI can already approve it.'}`,
      };
    case 'PENDING_PI_APPROVAL':
      if (o2.approval?.decision === 'approve') {
        return { title: 'Approved: being set up', text: 'The request is approved. The O2 account goes on to its setup now; this page follows it.' };
      }
      return {
        title: "Waiting for the PI's approval",
        text: names.piIsYou
          ? 'You, the sponsoring PI (or a manager of the lab), approve or deny the request below. Without a decision you are reminded after 7 days, and the request lapses after 14 days.'
          : `${names.pi} approves or denies the request (a manager of the lab may too). Without a decision they are reminded after 7 days, and the request lapses after 14 days.`,
      };
    case 'PENDING_LAB_REGISTRATION':
      return {
        title: "Waiting for the lab's registration with the RC Core",
        text: `${names.lab} is an off-Quad lab and is not registered with the HMS Research Computing Core yet. Off-Quad labs register first, whether or not they are charged for O2: the RC Core (${RC_CORE_CONTACT}) has been emailed${
          names.piIsYou
            ? `. To register, email ${RC_CORE_CONTACT} the lab's chargeback account (or that the lab is not charged) and its billing contact.`
            : ', and the PI told what to do.'
        } Without the registration the request lapses after 30 days.`,
      };
    case 'PENDING_RC_CORE':
      return {
        title: "Waiting for the RC Core's setup",
        text: `The lab is registered. The HMS Research Computing Core now creates the O2 account (they are reminded after 3 working days; HMS IT is told after 10).`,
      };
    case 'ACTIVE': {
      const login = o2.accountId ?? undefined;
      const ends = o2.endDate ? ` It ends with the HMS account on ${formatDate(o2.endDate)}.` : '';
      if (isExpiring(o2, today)) {
        return {
          title: 'Active, expiring soon',
          text: `The O2 account expires with the HMS account on ${formatDate(o2.endDate!)}: ${names.userIsYou ? 'you' : names.user} and the PI have been sent notices. To keep O2, the HMS account must be extended (or kept when leaving HMS).`,
          ...(login ? { login } : {}),
        };
      }
      return { title: 'Active', text: `The O2 account is set up.${ends}`, ...(login ? { login } : {}) };
    }
    case 'RENEWAL_REQUESTED':
      return {
        title: 'Renewal requested',
        text: `The renewal was sent to the RC Core (${RC_CORE_CONTACT}) with the PI in cc. The RC Core renews the HMS ID and the O2 account.`,
      };
    case 'EXPIRED':
      return {
        title: 'Expired',
        text: `The O2 account expired with the HMS account${o2.endDate ? ` on ${formatDate(o2.endDate)}` : ''}.${
          o2.quad.onQuad
            ? ' It is an on-Quad account: once the HMS account is active again, request O2 again.'
            : ` It is an off-Quad account: the user or the PI asks the RC Core (${RC_CORE_CONTACT}) to renew it, with the PI in cc.`
        }`,
      };
    case 'DENIED':
      return { title: 'Denied', text: `The request was denied${o2.approval?.reason ? `: “${o2.approval.reason}”` : '.'}` };
    case 'LAPSED':
      return { title: 'Lapsed', text: LAPSE_TEXT[o2.lapse?.reason ?? 'approval-expired'] };
    case 'CANCELLED':
      return { title: 'Cancelled', text: `The request or account was cancelled${o2.cancellation?.reason ? `: “${o2.cancellation.reason}”` : '.'}` };
    case 'FAILED':
      return { title: 'Failed', text: 'The lifecycle failed three times in a row. HMS IT has been alerted and looks into it.' };
  }
}

const LAPSE_TEXT: Record<NonNullable<O2Account['lapse']>['reason'], string> = {
  'approval-expired': 'Nobody decided within 14 days. Submit a new request if the O2 account is still needed.',
  'lab-not-registered': 'The lab did not register with the RC Core within 30 days. Once it is registered, submit a new request.',
  'no-hms-account': 'The HMS account request ended without an account. Submit a new request once the user has an HMS account.',
};

/** The institution a lab is at, in words. */
/** Each institution as people know it (the API's code in brackets, as HMS writes them). */
export const INSTITUTION_FULL_NAMES: Record<Institution, string> = {
  HMS: 'Harvard Medical School',
  HSDM: 'Harvard School of Dental Medicine',
  FAS: 'Faculty of Arts and Sciences',
  SEAS: 'John A. Paulson School of Engineering and Applied Sciences',
  HSPH: 'Harvard T.H. Chan School of Public Health',
  HBS: 'Harvard Business School',
  HLS: 'Harvard Law School',
  HKS: 'Harvard Kennedy School',
  HGSE: 'Harvard Graduate School of Education',
  GSD: 'Graduate School of Design',
  HDS: 'Harvard Divinity School',
  Radcliffe: 'Radcliffe Institute for Advanced Study',
  Wyss: 'Wyss Institute for Biologically Inspired Engineering',
  MGH: 'Massachusetts General Hospital',
  BWH: "Brigham and Women's Hospital",
  BCH: "Boston Children's Hospital",
  BIDMC: 'Beth Israel Deaconess Medical Center',
  DFCI: 'Dana-Farber Cancer Institute',
  MEE: 'Mass Eye and Ear',
  McLean: 'McLean Hospital',
  Joslin: 'Joslin Diabetes Center',
  HSL: 'Hebrew SeniorLife',
  Spaulding: 'Spaulding Rehabilitation',
  CHA: 'Cambridge Health Alliance',
};

/** "Massachusetts General Hospital (MGH)"; a name that is its code alone is not repeated ("Radcliffe Institute…"). */
export function institutionName(institution: Institution): string {
  const name = INSTITUTION_FULL_NAMES[institution];
  return name.startsWith(institution) ? name : `${name} (${institution})`;
}

/** The institutions by kind, for a choice: HMS, the other Harvard schools, the Wyss Institute, the affiliated hospitals and institutes. */
export const INSTITUTION_GROUPS: { label: string; kind: string }[] = [
  { label: 'Harvard Medical School', kind: 'hms' },
  { label: 'Other Harvard University schools', kind: 'harvard' },
  { label: 'Wyss Institute', kind: 'wyss' },
  { label: 'HMS affiliated hospitals and institutes', kind: 'affiliate' },
];

export function institutionKind(institution: Institution): string {
  switch (INSTITUTIONS[institution]) {
    case 'hms':
      return 'Harvard Medical School';
    case 'harvard':
      return 'another Harvard University school';
    case 'wyss':
      return 'the Wyss Institute';
    case 'affiliate':
      return 'an HMS affiliated institution';
  }
}

export function registrationText(lab: Lab): string {
  const r = lab.registration;
  if (r.status === 'not-required') return 'Not required (on-Quad)';
  if (r.status === 'pending') return 'Not registered yet';
  return `Registered${r.chargeback.charged ? `, charged to ${r.chargeback.account}` : ', not charged'}`;
}

/** "Off-Quad: the lab is at MGH, …" → "The lab is at MGH, …" (shown after the words On-Quad or Off-Quad). */
export function quadReason(reason: string): string {
  return reason.replace(/^(On|Off)-Quad: /, '').replace(/^./, (c) => c.toUpperCase());
}

/** The emails of the O2 lifecycle, by the name the history gives them (before any `:` or `@`). */
const EMAILS: Record<string, string> = {
  'approval-request': 'Approval requested from the sponsoring PI (email)',
  'approval-reminder': 'Approval reminder sent to the sponsoring PI',
  'lab-registration-pi': 'The PI told to register the lab with the RC Core (email)',
  'lab-registration-rc-core': 'The RC Core asked to register the lab (email)',
  'lab-registration': 'The RC Core asked to register the lab (email)',
  'rc-core-setup': 'The RC Core asked to set up the O2 account (email)',
  'rc-core-reminder': 'Reminder sent to the RC Core',
  'rc-core-escalation': 'HMS IT told: the RC Core has not completed the setup',
  active: 'Email to the user: how to log in to O2',
  'expiry-notice': 'Expiry notice sent to the user and the PI',
  notice: 'Expiry notice sent to the user and the PI',
  expired: '"Expired" email sent to the user and the PI',
  'o2-expired': '"Expired" email sent to the user and the PI',
  'lab-reminder': 'Lab registration reminder sent to the PI and the RC Core',
  renewal: 'Renewal emailed to the RC Core, the PI in cc',
  denied: '"Denied" email sent',
  lapsed: '"Lapsed" email sent',
  cancelled: '"Cancelled" email sent',
};

export function o2EmailLabel(email: string | undefined): string {
  // `notice:<end>:<date>`, `renewal@<at>`, `lab-reminder-2`: the name is before the mark or number.
  const name = ((email ?? '').split(/[:@]/)[0] ?? '').replace(/-\d+$/, '');
  return EMAILS[name] ?? (name ? `Email sent (${name.replace(/-/g, ' ')})` : 'Email sent');
}

const O2_ACTIONS: Record<string, string> = {
  requested: 'O2 account requested',
  'lab-created': 'Lab record created',
  registered: 'Lab registered with the RC Core',
  'registration-requested': 'RC Core asked to register the lab',
  'hms-account-requested': 'HMS guest account requested',
  'hms-account-checked': 'HMS account checked: not active yet',
  'hms-account-ready': 'HMS account active',
  'approval-requested': 'Approval requested from the PI',
  'approval-reminder': 'Approval reminder sent to the PI',
  approved: 'Approved',
  denied: 'Denied',
  'lab-registration-requested': 'RC Core asked to register the lab; the PI told',
  'awaiting-lab-registration': "Waiting for the lab's registration with the RC Core",
  'lab-registered': 'Lab registered with the RC Core',
  'lab-reminder': 'Lab registration reminder sent',
  'sent-to-rc-core': 'Sent to the RC Core for setup',
  'rc-core-requested': 'Sent to the RC Core for setup',
  'rc-core-reminder': 'Reminder sent to the RC Core',
  'rc-core-escalated': 'HMS IT told: the RC Core has not completed the setup',
  completed: 'Setup completed',
  activated: 'O2 account set up',
  'active-email-sent': 'Email sent to the user: how to log in to O2',
  'expiry-notice-sent': 'Expiry notice sent to the user and the PI',
  expired: 'Expired with the HMS account',
  'renewal-requested': 'Renewal requested',
  renewed: 'Renewal requested (RC Core emailed, the PI in cc)',
  retained: 'Kept when leaving HMS: guest account requested',
  'retain-requested': 'Kept when leaving HMS: guest account requested',
  'hms-account-linked': 'HMS guest account linked',
  'hms-account-changed': 'HMS account changed',
  'login-assigned': 'O2 login assigned (Unix uid and home directory)',
  'end-date-changed': 'End date changed with the HMS account',
  'rc-core-overdue': 'HMS IT told: the RC Core has not completed the setup',
  'send-to-rc-core': 'Sent to the RC Core for setup',
  lapsed: 'Lapsed',
  cancelled: 'Cancelled',
  failed: 'Lifecycle failure recorded',
  'execution-restarted': 'Lifecycle restarted by the daily check',
  'continued-as-new': 'Lifecycle handed over to a new execution',
};

export function o2ActionLabel(action: string): string {
  return O2_ACTIONS[action] ?? action.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
}
