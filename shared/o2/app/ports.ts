/** The O2 lifecycle's repository port: labs, O2 accounts, their audit events, uid numbers and user claims, in the O2 table. */
import type { Page, PersonClaim } from '../../core/ports.ts';
import type { Lab, LabCard, O2Account, O2AuditEvent, O2Status, RegistrationStatus } from '../domain/model.ts';

/** A page of labs or O2 accounts: `cursor` from the previous page, at most `limit` (MAX_PAGE). */
export interface O2Query {
  cursor?: string | undefined;
  limit?: number | undefined;
}

/**
 * Labs and O2 accounts (issue 14), with their audit events: single-item conditional writes on a
 * version, lists from indexes only (never a Scan), newest first.
 */
export interface O2Repository {
  getLab(labId: string): Promise<Lab | undefined>;
  /** Creates the lab; ConflictError if the ID exists. */
  createLab(lab: Lab): Promise<void>;
  /** Writes `next` only if the stored version is still `next.version - 1` (else StaleWriteError). */
  saveLab(next: Lab): Promise<void>;
  /**
   * Makes the lab findable by the words of its name and of its PI's (`searchWords`): one item per
   * word, in the `byWord` index. Writing them again changes nothing.
   */
  indexLab(lab: Lab, piName: string): Promise<void>;
  /** Labs with a word beginning with `prefix` (at least two characters, as `searchWords`), in word order, at most `limit` words' worth. */
  labsByWord(prefix: string, limit: number): Promise<LabCard[]>;
  /** A PI's labs (the `byPi` index). */
  labsOfPi(piHuid: string, query: O2Query): Promise<Page<Lab>>;
  /**
   * Notes on the lab that the RC Core was asked to register it (once per lab), without changing its
   * version: book-keeping, not a change anyone made to the lab, so the lab's ETag (which the RC Core's
   * registration sends as If-Match) stays. False when the lab changed or the note is there already.
   */
  noteRegistrationRequested(lab: Lab, at: string): Promise<boolean>;
  /** Labs by registration status (the `byQueue` index): the RC Core's queue is `pending`. */
  labsByRegistration(status: RegistrationStatus, query: O2Query): Promise<Page<Lab>>;

  get(o2AccountId: string): Promise<O2Account | undefined>;
  create(o2: O2Account): Promise<void>;
  save(next: O2Account): Promise<void>;
  /** O2 accounts a person sponsors (`byPi`). */
  listByPi(piHuid: string, query: O2Query): Promise<Page<O2Account>>;
  /** A user's O2 accounts (`byUser`). */
  listByUser(userHuid: string, query: O2Query): Promise<Page<O2Account>>;
  /** O2 accounts in these statuses, one status after the other (`byQueue`): the RC Core's queue. */
  listByStatus(statuses: readonly O2Status[], query: O2Query): Promise<Page<O2Account>>;
  /** The O2 accounts of a lab (`byLab`): those waiting for its registration. */
  listByLab(labId: string, query: O2Query): Promise<Page<O2Account>>;
  /**
   * What a PI or lab manager looks after: the O2 accounts they sponsor (`byPi`), then those of each
   * of these labs (`byLab`), one after the other, each account once (one they sponsor in a lab is
   * listed with the first).
   */
  listForPi(piHuid: string, labIds: readonly string[], query: O2Query): Promise<Page<O2Account>>;
  /** O2 accounts with work due at or before `before` (`byDue`): the reconciler. */
  listDue(before: string, cursor?: string): Promise<Page<O2Account>>;

  /** Writes audit events as items; writing one again changes nothing. */
  appendAudit(events: O2AuditEvent[]): Promise<void>;
  /** Every audit event of the lab or O2 account in order, including the one its item carries. */
  history(kind: O2AuditEvent['kind'], id: string): Promise<O2AuditEvent[]>;
  /** Reserves a Unix uid number for an HMS account (its Unix username: a person keeps one uid across O2 accounts); false if another holds it. Idempotent per owner. */
  reserveUidNumber(uidNumber: number, owner: string): Promise<boolean>;
  /** The O2 account that last claimed this user: one live O2 account per person. */
  userClaim(huid: string): Promise<PersonClaim | undefined>;
  /** Claims the user for `claim.guestId` (an O2 account ID here) if nobody has, or if the claim is still `previous`. */
  claimUser(huid: string, claim: PersonClaim, previous: PersonClaim | undefined): Promise<boolean>;
}
