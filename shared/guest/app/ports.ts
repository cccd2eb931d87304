/** The guest lifecycle's repository port: guests, their audit events, account IDs and person claims, in the guests table. */
import type { Page, PersonClaim } from '../../core/ports.ts';
import type { AuditEvent, Guest, GuestStatus } from '../domain/model.ts';

export interface GuestQuery {
  status?: GuestStatus | undefined;
  /** Only guests whose end date is before this day. */
  expiringBefore?: string | undefined;
  /** Only guests with a recorded lifecycle failure (FAILED ones keep theirs). */
  failed?: boolean | undefined;
  /** Where the previous page ended (the page's `cursor`), for the same selection. */
  cursor?: string | undefined;
  /** At most this many items (MAX_PAGE); fewer when the selection ends, never more. */
  limit?: number | undefined;
}

/** The most guests one page holds. */
export interface GuestRepository {
  get(guestId: string): Promise<Guest | undefined>;
  /** Creates the guest; fails with ConflictError if the ID exists. */
  create(guest: Guest): Promise<void>;
  /** Writes `next` only if the stored version is still `next.version - 1` (else ConflictError). */
  save(next: Guest): Promise<void>;
  /**
   * The guests of these sponsors (by the sponsor index, never a Scan): ordered by sponsor HUID,
   * then end date. A cursor names the sponsor its page ended in and the place in that sponsor's
   * guests, so it stays meaningful when the list of sponsors changes between pages (a sponsor no
   * longer listed is skipped, the next one in HUID order is read).
   */
  listBySponsors(sponsorHuids: readonly string[], query: GuestQuery): Promise<Page<Guest>>;
  /**
   * Every guest (HMS IT), from the status index (never a Scan): one status, or all of them one
   * after the other (in the order of STATUSES), each by end date.
   */
  listAll(query: GuestQuery): Promise<Page<Guest>>;
  /** Guests with work due at or before `before`, from the due-date index (never a Scan). */
  listDue(before: string, cursor?: string): Promise<Page<Guest>>;
  /** Writes audit events as items; writing one again (same guest and seq) changes nothing. */
  appendAudit(events: AuditEvent[]): Promise<void>;
  /** Every audit event of the guest in order, including the one carried by the guest item (`lastAudit`). */
  history(guestId: string): Promise<AuditEvent[]>;
  /** Reserves an HMS account ID for a guest; false if another guest holds it. Idempotent per guest. */
  reserveAccountId(accountId: string, guestId: string): Promise<boolean>;
  /** Which of these account IDs (at most 100) are reserved already, and by which guest: one batched read. */
  accountHolders(accountIds: readonly string[]): Promise<Map<string, string>>;
  guestIdForAccount(accountId: string): Promise<string | undefined>;
  /** The guest that last claimed this person (HUID) as theirs: one live HMS guest account per person. */
  personClaim(huid: string): Promise<PersonClaim | undefined>;
  /**
   * Claims the person for `claim.guestId` if nobody has (`previous` undefined) or if the claim is
   * still the one read (`previous`): false if another request claimed the person first.
   */
  claimPerson(huid: string, claim: PersonClaim, previous: PersonClaim | undefined): Promise<boolean>;
}
