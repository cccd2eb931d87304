/** The words the pages use, in the HMS pages' own terms. */
import type { GuestStatus, Population, Service } from './api/client.ts';
// The services' names, one list for the pages and the emails (which may not import the pages).
import { ENTITLEMENT_LABELS, SERVICE_LABELS } from '../../shared/guest/domain/model.ts';

export { ENTITLEMENT_LABELS };

export const STATUS_LABELS: Record<GuestStatus, string> = {
  PENDING_HSR: 'Waiting for the HSR',
  PENDING_APPROVAL: 'Waiting for approval',
  PENDING_ACTIVATION: 'Waiting for activation',
  ACTIVE: 'Active',
  EXPIRED: 'Expired',
  DENIED: 'Denied',
  APPROVAL_EXPIRED: 'Request expired',
  HSR_TIMEOUT: 'No HSR in time',
  CANCELLED: 'Cancelled',
  FAILED: 'Failed',
};

/** What a status means, and what comes next. */
export const STATUS_HELP: Record<GuestStatus, string> = {
  PENDING_HSR: "No active Harvard Sponsored Role (HSR) covers the end date yet. It is checked daily for 14 days. If the guest's HUID was mistyped, cancel this request and submit a new one.",
  PENDING_APPROVAL: "The request waits for the sponsor's approval (reminder after 7 days, closed after 14).",
  PENDING_ACTIVATION: 'The account is set up. The guest activates it with the account ID and code from the email "Activate your HMS account".',
  ACTIVE: 'The guest uses the account. The sponsor is notified 7 days before it expires, then daily.',
  EXPIRED: 'The account is disabled. Within 30 days of the end date the sponsor can still extend it (restore).',
  DENIED: 'The sponsor denied the request.',
  APPROVAL_EXPIRED: 'Nobody decided within 14 days. Submit a new request if the guest still needs an account.',
  HSR_TIMEOUT: 'No Harvard Sponsored Role appeared within 14 days. Set up the HSR, then submit a new request.',
  CANCELLED: 'The request or account was cancelled.',
  FAILED: 'The lifecycle failed three times in a row. HMS IT has been alerted and looks into it.',
};

/** The five populations, as the HMS guest accounts page lists them. */
export const POPULATIONS: { value: Population; label: string; description: string }[] = [
  { value: 'agency-temp', label: 'Temporary employee paid via an outside agency', description: 'For example, a temp placed by Spherion.' },
  { value: 'ce-or-summer-student', label: 'Continuing Education or summer student', description: 'Enrolled in a Continuing Education or summer program.' },
  { value: 'harvard-employee', label: 'Non-HMS/HSDM Harvard employee', description: 'Staff or faculty of another Harvard school, for example FAS or SEAS.' },
  { value: 'harvard-contractor', label: 'Harvard contractor or consultant', description: 'Has a HU contractor ID, which the request asks for.' },
  {
    value: 'visiting-faculty',
    label: 'Faculty of a non-Harvard institution',
    description: 'Collaborating with HMS or HSDM faculty; the sponsor must be faculty.',
  },
];

export const POPULATION_LABELS = Object.fromEntries(POPULATIONS.map((p) => [p.value, p.label])) as Record<Population, string>;

export const SERVICES: { value: Service; label: string; description: string }[] = [
  { value: 'email', label: SERVICE_LABELS.email, description: "Not for guests of a hospital sponsor (affiliate hospitals' guests are not eligible for HMS email)." },
  { value: 'file-shares', label: SERVICE_LABELS['file-shares'], description: 'Shared folders on the HMS network file servers.' },
  { value: 'wireless', label: SERVICE_LABELS.wireless, description: 'The HMS wireless network.' },
  { value: 'research-applications', label: SERVICE_LABELS['research-applications'], description: 'Research applications the lab uses.' },
  { value: 'portal', label: SERVICE_LABELS.portal, description: 'https://my.hms.harvard.edu' },
  { value: 'o2', label: SERVICE_LABELS.o2, description: 'Needs a sponsoring PI or manager; off-Quad labs register with the HMS Research Computing Core first (rccore@hms.harvard.edu).' },
];

const ACTIONS: Record<string, string> = {
  requested: 'Request submitted',
  'hsr-checked': 'HSR checked: none yet',
  'hsr-found': 'HSR found',
  'hsr-timeout': 'Closed: no HSR within 14 days',
  'approval-requested': 'Approval requested from the sponsor',
  'approval-reminder': 'Approval reminder sent to the sponsor',
  'approval-email-sent': 'Approval email sent',
  'approval-expired': 'Closed: no decision within 14 days',
  approved: 'Approved',
  denied: 'Denied',
  provisioned: 'Account set up',
  'activation-sent-to-guest': 'Activation email sent to the guest',
  'activation-sent': "Activation emails sent (guest and sponsor's copy)",
  'activation-resent': 'New activation code sent',
  'activation-attempts-reported': 'Unusual activation attempts reported to the sponsor',
  'activation-locked': 'Activation code locked after too many attempts',
  activated: 'Activated',
  extended: 'Extended',
  restored: 'Restored (extended after expiry)',
  'expiry-notice-sent': 'Expiry notice sent to the sponsor',
  'end-date-set-by-hms-it': 'End date set by HMS IT',
  expired: 'Expired: account disabled',
  'expiry-email-sent': '"Expired" emails sent',
  cancelled: 'Cancelled',
  'sponsor-reassigned': 'Moved to another sponsor',
  failed: 'Lifecycle failure recorded',
  'execution-restarted': 'Lifecycle restarted by the daily check',
  'continued-as-new': 'Lifecycle handed over to a new execution',
};

export function actionLabel(action: string): string {
  return ACTIONS[action] ?? action.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/** An instant as a person reads it, in HMS time (America/New_York). */
export function formatInstant(iso: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** An ISO date as a person reads it (Tue, Mar 2, 2027). */
export function formatDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'short', month: 'short', day: 'numeric', year: 'numeric' }).format(new Date(Date.UTC(y, m - 1, d)));
}

export const WYSS_CONTACT = 'AcademicAffairs@wyss.harvard.edu';
export const MESSAGE_ME_URL = 'https://messageme.harvard.edu/';
