/** The guest-account domain model, in the words of the HMS guest account pages. */
import type { IsoDate } from '../../core/domain/dates.ts';
import type { Approval } from '../../core/domain/people.ts';

export const STATUSES = [
  'PENDING_HSR',
  'PENDING_APPROVAL',
  'PENDING_ACTIVATION',
  'ACTIVE',
  'EXPIRED',
  'DENIED',
  'APPROVAL_EXPIRED',
  'HSR_TIMEOUT',
  'CANCELLED',
  'FAILED',
] as const;
export type GuestStatus = (typeof STATUSES)[number];

/** Statuses from which nothing more happens by itself: no transition leads out of them (shared/guest/domain/transitions.ts; a test holds the two together). */
export const FINAL_STATUSES: readonly GuestStatus[] = ['DENIED', 'APPROVAL_EXPIRED', 'HSR_TIMEOUT', 'CANCELLED', 'FAILED'];

/** Guest populations the HMS guest account page lists, and nothing else. */
export const POPULATIONS = [
  'agency-temp',
  'ce-or-summer-student',
  'harvard-employee',
  'harvard-contractor',
  'visiting-faculty',
] as const;
export type Population = (typeof POPULATIONS)[number];

export const POPULATION_LABELS: Record<Population, string> = {
  'agency-temp': 'Temporary employee paid via an outside agency',
  'ce-or-summer-student': 'Continuing Education or summer student',
  'harvard-employee': 'Non-HMS/HSDM Harvard employee',
  'harvard-contractor': 'Harvard contractor or consultant with a HU contractor ID',
  'visiting-faculty': 'Faculty of a non-Harvard institution collaborating with HMS/HSDM faculty',
};

/** Services a sponsor may request (the "items that may vary for HMS guests", plus the portal and O2). */
export const SERVICES = ['email', 'file-shares', 'wireless', 'research-applications', 'portal', 'o2'] as const;
export type Service = (typeof SERVICES)[number];
export const DEFAULT_SERVICES: readonly Service[] = ['email', 'wireless', 'portal'];

/** Entitlements the rules may decide on; the Digital Library is listed so its refusal is visible. */
export type EntitlementName = Service | 'digital-library';

/** Each service by the name people know it by: what the emails and the pages (web/src/text.ts) write, never the code. */
export const SERVICE_LABELS: Record<Service, string> = {
  email: 'HMS email account',
  'file-shares': 'Network file shares',
  wireless: 'Wireless network',
  'research-applications': 'Research applications',
  portal: 'HMS Web Portal',
  o2: 'O2 research cluster',
};

/** Each entitlement by its name as people read it (the services', and the Digital Library's). */
export const ENTITLEMENT_LABELS: Record<EntitlementName, string> = {
  ...SERVICE_LABELS,
  'digital-library': 'Digital Library (electronic journals)',
};

export interface Entitlement {
  name: EntitlementName;
  granted: boolean;
  reason?: string;
}

export interface ActivationCode {
  hash: string;
  issuedAt: string;
  expiresAt: string;
  usedAt?: string;
  /** When the sponsor was told of a burst of wrong attempts on this code. */
  burstReportedAt?: string;
  /** When this code was locked: too many attempts on the account from all addresses (a resend issues a new code). */
  lockedAt?: string;
}

export interface Guest {
  guestId: string;
  status: GuestStatus;
  guestHuid: string;
  guestName: string;
  guestEmail: string;
  sponsorHuid: string;
  submittedBy: string;
  population: Population;
  contractorId?: string;
  justification?: string;
  services: Service[];
  startDate: IsoDate;
  endDate: IsoDate;
  accountId?: string;
  /**
   * Leaving HMS (issue 14, retain): the person's own HMS account ID, which this guest account takes
   * over from its start date (the day after the appointment ends): no new ID, no activation.
   */
  retainedAccountId?: string;
  /**
   * A retained guest account (above) that ended while its person still held their own HMS
   * appointment (cancelled before its start date, say): the directory user is the person's own
   * again, and this record leaves it alone from then on (never disabled for them).
   */
  handedBack?: { at: string; reason: string };
  /** The O2 account this guest's `o2` service started or links (its own lifecycle: shared/o2/app/o2.ts). */
  o2AccountId?: string;
  /** Filed by an O2 request (rule "No HMS account", or "Leaving HMS"): it ends with that O2 request when it is cancelled or denied before being decided. */
  filedForO2?: boolean;
  entitlements: Entitlement[];
  approval?: Approval;
  approvalRequestedAt?: string;
  /** Which approval emails went out ('request', 'reminder'), so a retried task does not send twice. */
  approvalEmails?: string[];
  /** The Step Functions task token of the approval step now waiting (internal, never shown). */
  approvalTaskToken?: string;
  activation?: ActivationCode;
  /** When the activation email went out (to the guest, and the sponsor's copy); unset while it is still owed. */
  activationSentAt?: string;
  /** Which activation emails of the current code went out ('guest', then 'sponsor'), so a retry sends only what is still owed. */
  activationSentTo?: ('guest' | 'sponsor')[];
  activatedAt?: string;
  /** When the "expired" email went out (to the sponsor and the guest); unset while it is still owed. */
  expiredNoticeSentAt?: string;
  /** Which "expired" emails of this expiry went out ('sponsor', 'guest'), so a retry sends only what is still owed. */
  expiredNoticeSentTo?: ('sponsor' | 'guest')[];
  expiredAt?: string;
  /** Notice dates already sent (the end date each was about is in the notice's date). */
  lastNoticeDate?: IsoDate;
  hsrCheckedAt?: string;
  hsrWaitingSince?: string;
  /**
   * The last recorded failure of the lifecycle. `count`: failures in a row that count toward FAILED;
   * `kind`: `transient` (the account directory unavailable: never counted), `permanent` (a change no
   * retry can make: FAILED at once), absent for any other failure (counted).
   */
  failure?: { state: string; error: string; cause?: string; at: string; count: number; kind?: 'transient' | 'permanent' };
  /**
   * The audit event of the change that produced this version, stored with it in the same write and
   * written again with the next change: a crash between the guest write and the audit write loses
   * no event (there are no transactions). Never shown by the API.
   */
  lastAudit?: AuditEvent;
  execution?: { name: string; generation: number };
  /** When the workflow next has something to do (indexed for the reconciler). */
  dueAt?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface AuditEvent {
  guestId: string;
  seq: number;
  at: string;
  actor: string;
  action: string;
  before?: Partial<Guest>;
  after?: Partial<Guest>;
  detail?: Record<string, unknown>;
}
