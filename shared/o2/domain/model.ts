/**
 * O2 research-cluster accounts (issue 14), in the words of the HMS O2 page: a lab with its PI,
 * on-Quad or off-Quad, registered with the HMS Research Computing Core (RC Core) when off-Quad, and
 * an O2 account per user with its own lifecycle (shared/o2/domain/transitions.ts).
 */
import type { Posix } from '../../core/domain/directory.ts';
import type { IsoDate } from '../../core/domain/dates.ts';
import type { Approval } from '../../core/domain/people.ts';

/**
 * Where a lab is based, as the O2 page sorts them: HMS itself, another Harvard University school,
 * the Wyss Institute, or an HMS affiliated institution (a hospital or research institute).
 */
export const INSTITUTIONS = {
  HMS: 'hms',
  HSDM: 'harvard',
  FAS: 'harvard',
  SEAS: 'harvard',
  HSPH: 'harvard',
  HBS: 'harvard',
  HLS: 'harvard',
  HKS: 'harvard',
  HGSE: 'harvard',
  GSD: 'harvard',
  HDS: 'harvard',
  Radcliffe: 'harvard',
  Wyss: 'wyss',
  MGH: 'affiliate',
  BWH: 'affiliate',
  BCH: 'affiliate',
  BIDMC: 'affiliate',
  DFCI: 'affiliate',
  MEE: 'affiliate',
  McLean: 'affiliate',
  Joslin: 'affiliate',
  HSL: 'affiliate',
  Spaulding: 'affiliate',
  CHA: 'affiliate',
} as const satisfies Record<string, 'hms' | 'harvard' | 'wyss' | 'affiliate'>;
export type Institution = keyof typeof INSTITUTIONS;
export type InstitutionKind = (typeof INSTITUTIONS)[Institution];
export const INSTITUTION_NAMES = Object.keys(INSTITUTIONS) as Institution[];

/** Rule "On-Quad" / "Off-Quad": where the O2 account comes from, and why (derived, never entered). */
export interface QuadStanding {
  onQuad: boolean;
  reason: string;
}

/** Who the RC Core charges for O2: an account (chargeback), or nobody ("not charged": registration is required all the same). */
export type Chargeback = { charged: true; account: string } | { charged: false };

/**
 * A lab's registration with the RC Core: not required (on-Quad), pending (off-Quad, not registered
 * yet), or registered (by RC Core staff, with the chargeback details).
 */
export type LabRegistration =
  | { status: 'not-required' }
  | { status: 'pending' }
  | { status: 'registered'; chargeback: Chargeback; billingContact: { name: string; email: string }; by: string; at: string };
export const REGISTRATION_STATUSES = ['not-required', 'pending', 'registered'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

export interface Lab {
  labId: string;
  name: string;
  /** The lab's PI: a person with a faculty appointment who heads this lab record. */
  piHuid: string;
  institution: Institution;
  quad: QuadStanding;
  registration: LabRegistration;
  /** When the RC Core was emailed to register the lab (once per lab). */
  registrationRequestedAt?: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
  /** The audit event of the change that produced this version (as on a guest). Never shown. */
  lastAudit?: O2AuditEvent;
}

/**
 * A lab as a search finds it (issue 20): its name and its PI's, what a lab's members know. The
 * PI's name is the directory's when the lab was recorded.
 */
export interface LabCard {
  labId: string;
  name: string;
  piHuid: string;
  piName: string;
}

export const O2_STATUSES = [
  'PENDING_HMS_ACCOUNT',
  'PENDING_PI_APPROVAL',
  'PENDING_LAB_REGISTRATION',
  'PENDING_RC_CORE',
  'ACTIVE',
  'RENEWAL_REQUESTED',
  'EXPIRED',
  'DENIED',
  'LAPSED',
  'CANCELLED',
  'FAILED',
] as const;
export type O2Status = (typeof O2_STATUSES)[number];

/** Statuses from which nothing more happens (shared/o2/domain/transitions.ts: no event leads out of them; a test holds the two together). */
export const O2_FINAL_STATUSES: readonly O2Status[] = ['DENIED', 'LAPSED', 'CANCELLED', 'FAILED'];

/** Why a request lapsed: 14 days without the PI's decision, 30 days without the lab's registration, or the HMS account request ended without an account. */
export const LAPSE_REASONS = ['approval-expired', 'lab-not-registered', 'no-hms-account'] as const;
export type LapseReason = (typeof LAPSE_REASONS)[number];


/** What the O2 lifecycle waits for on a task token (one at a time). */
export const O2_WAIT_STEPS = ['hms-account', 'approval', 'approval-reminder', 'lab-registration', 'rc-core'] as const;
export type O2WaitStep = (typeof O2_WAIT_STEPS)[number];

export type { Posix };

export interface O2Account {
  o2AccountId: string;
  status: O2Status;
  /** The person the O2 account is for. */
  userHuid: string;
  userName: string;
  /** Where the user's emails go: the people directory's email, else the HSR's personal email. */
  userEmail: string;
  /** The sponsoring PI (or a manager of the lab): approves, and is told. */
  piHuid: string;
  labId: string;
  /** The lab's PI, as the lab record says (the approver besides the sponsor, with the lab's managers). */
  labPiHuid: string;
  requestedBy: string;
  justification?: string;
  /** The HMS sponsor of the chained guest account, when it is not the PI (a PI who is not HMS faculty). */
  hmsSponsorHuid?: string;
  /** The HMS guest account the O2 account rests on (chained, or kept when leaving HMS). */
  guestId?: string;
  /** The HMS account ID: the O2 login and the Unix username. */
  accountId?: string;
  /** The lab's standing when this account was requested (or renewed). */
  quad: QuadStanding;
  approval?: Approval;
  approvalRequestedAt?: string;
  /** The emails of this account that went out, by name (a retried task sends only what is still owed). */
  sent?: string[];
  /** The Step Functions task token the lifecycle waits on now, and for what (internal, never shown). */
  taskToken?: string;
  waitingFor?: O2WaitStep;
  labWaitingSince?: string;
  /** Weekly lab registration reminders sent so far. */
  labReminders?: number;
  /** When the RC Core was asked to complete the setup (or the renewal). */
  rcCoreRequestedAt?: string;
  rcCoreRemindedAt?: string;
  /** When HMS IT was told the RC Core has not completed the setup in 10 working days. */
  rcCoreEscalatedAt?: string;
  /** The RC Core completed the setup; `endDate`: the O2 account's own last day, when the RC Core set one earlier than the HMS account's. */
  completion?: { by: string; at: string; unixUsername: string; endDate?: IsoDate };
  posix?: Posix;
  activatedAt?: string;
  /** The last day of the O2 account: its HMS account's (it expires with it), or the earlier day the RC Core set at completion. */
  endDate?: IsoDate;
  lastNoticeDate?: IsoDate;
  expiredAt?: string;
  expiredNoticeSentAt?: string;
  renewal?: { by: string; at: string; note?: string };
  retain?: { by: string; at: string; guestId: string; startDate: IsoDate };
  lapse?: { reason: LapseReason; at: string };
  cancellation?: { by: string; at: string; reason?: string };
  failure?: { state: string; error: string; cause?: string; at: string; count: number; kind?: 'transient' | 'permanent' };
  execution?: { name: string; generation: number };
  dueAt?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
  lastAudit?: O2AuditEvent;
}

/** One change of a lab or an O2 account, written once (as a guest's). */
export interface O2AuditEvent {
  /** `lab` or `o2` and the record's ID. */
  kind: 'lab' | 'o2';
  id: string;
  seq: number;
  at: string;
  actor: string;
  action: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  detail?: Record<string, unknown>;
}
