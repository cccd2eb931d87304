/** People as the Harvard directories know them, and who is calling: what every lifecycle reads. */
import { compareDates, dateIn, type IsoDate } from './dates.ts';

/** A Harvard ID (HUID): eight digits. */
export const HUID_PATTERN = /^\d{8}$/;

export type School = string; // HMS, HSDM, FAS, SEAS, Wyss, ...
export type Site = string; // Quad, MGH, BWH, BCH, BIDMC, DFCI, ...

/**
 * A faculty appointment in the people directory: the department, whether it is an HMS Blavatnik
 * Institute basic or social science ("Quad") department, and whether it is the person's primary
 * or a secondary appointment (rule "On-Quad": a primary or secondary Quad appointment counts).
 */
export interface Appointment {
  department: string;
  quad: boolean;
  kind: 'primary' | 'secondary';
}

/** A person in the Harvard people directory. */
export interface Person {
  huid: string;
  name: string;
  email: string;
  role: string; // faculty | staff | student | affiliate | ...
  school: School;
  site: Site;
  active: boolean;
  /** HUIDs this person has named as delegates (e.g. a lab administrator). */
  delegates?: string[];
  /** Faculty appointments (issue 14): what makes a PI, and on-Quad or off-Quad. */
  appointments?: Appointment[];
  /**
   * Directory groups that matter here: `rc-core` (HMS Research Computing Core staff), and the
   * managers of a PI's lab, `lab-manager:<PI HUID>` or `core-admin:<PI HUID>`.
   */
  groups?: string[];
  /** The person's HMS account ID (HMS ID, the O2 login), when HMS provisioned one for their role. */
  hmsAccountId?: string;
  /** The last day of the person's HMS appointment (or enrolment), when it is known to end. */
  endDate?: IsoDate;
}

/** A Harvard Sponsored Role record, keyed by the HUID it gave the guest. */
export interface HsrRecord {
  huid: string;
  firstName: string;
  lastName: string;
  personalEmail: string;
  status: 'active' | 'inactive';
  endDate: IsoDate;
}

export interface Approval {
  decision: 'approve' | 'deny';
  by: string;
  at: string;
  reason?: string;
  /** True when the sponsor submitted the request: submitting is approving. */
  bySubmission?: boolean;
}

/** Who is calling, as the identity provider said. */
export interface Caller {
  huid: string;
  /** Roles from the token's dedicated role claim (e.g. HMS IT), exact names only. */
  roles: string[];
}

/** The HMS account a person holds for their own role (no guest account needed): active, with an HMS account ID, not past its end. */
export function ownHmsAccount(person: Person | undefined, now: Date): { accountId: string; endDate?: IsoDate | undefined } | undefined {
  if (!person?.active || !person.hmsAccountId) return undefined;
  if (person.endDate && compareDates(person.endDate, dateIn(now)) < 0) return undefined;
  return { accountId: person.hmsAccountId, endDate: person.endDate };
}
