/**
 * What the pages may offer, from the same rules the API applies (shared/domain: the transitions
 * table, the term and extension bounds). The API decides; the pages only leave out what it would
 * refuse, so a person is not offered an action they may not take.
 */
import { addDays, addYears, compareDates, daysBetween, isIsoDate, type IsoDate } from '../../../shared/core/domain/dates.ts';
import { can, isFinal } from '../../../shared/guest/domain/transitions.ts';
import { RESTORE_WINDOW_DAYS } from '../../../shared/guest/domain/rules.ts';
import type { Guest, Me } from '../api/client.ts';

export { addDays, addYears, compareDates, daysBetween, isFinal };

export type GuestActionName = 'decide' | 'extend' | 'cancel' | 'resend' | 'expire' | 'reassign' | 'executions';

/** How the person relates to the guest (shared/guest/domain/access.ts and shared/o2/domain/access.ts decides on the server). */
export function relation(me: Me, guest: Guest): { sponsor: boolean; delegate: boolean; hmsIt: boolean } {
  return {
    sponsor: me.huid === guest.sponsorHuid,
    delegate: me.delegateOf.some((s) => s.huid === guest.sponsorHuid),
    hmsIt: me.roles.includes('hms-it'),
  };
}

/** The actions the person may take on the guest now: who they are (access.ts) and what the status allows (transitions.ts). */
export function allowedActions(me: Me, guest: Guest, today: IsoDate): Set<GuestActionName> {
  const r = relation(me, guest);
  // A sponsor who may no longer sponsor keeps read access only (HMS IT reassigns).
  const actingSponsor = r.sponsor && me.sponsorEligibility.eligible;
  const out = new Set<GuestActionName>();
  const s = guest.status;
  if (actingSponsor && can(s, 'approve') && can(s, 'deny') && !guest.approval) out.add('decide');
  if (actingSponsor && (can(s, 'extend') || (can(s, 'restore') && compareDates(today, addDays(guest.endDate, RESTORE_WINDOW_DAYS)) <= 0))) out.add('extend');
  if ((actingSponsor || r.hmsIt) && can(s, 'cancel')) out.add('cancel');
  if (actingSponsor && can(s, 'resend-activation')) out.add('resend');
  if (r.hmsIt && can(s, 'expire')) out.add('expire');
  if (r.hmsIt && !isFinal(s)) out.add('reassign');
  if (r.hmsIt) out.add('executions');
  return out;
}

/** The dates an extension may pick (rule "Extension"): after the end date (from today when restoring), at most a year from today. */
export function extensionBounds(guest: Guest, today: IsoDate): { min: IsoDate; max: IsoDate } {
  const restores = can(guest.status, 'restore');
  const floor = restores ? today : addDays(guest.endDate, 1);
  return { min: compareDates(floor, today) < 0 ? today : floor, max: addYears(today, 1) };
}

/**
 * A date as typed into a field, when a rule can work with it: a real day of a four-digit year from
 * 1900 to 2999. Anything else (a five-digit year, 31 February, half a date) is left to the API to
 * name, and nothing is computed from it: a bound worked out as the person types must not throw.
 */
export function typedDate(value: string): IsoDate | undefined {
  return /^(19|2\d)\d{2}-\d{2}-\d{2}$/.test(value) && isIsoDate(value) ? value : undefined;
}

/** The end dates a request may pick (rule "One-year term"): from the start, at most one year after it. */
export function termBounds(startDate: IsoDate): { min: IsoDate; max: IsoDate } {
  return { min: startDate, max: addYears(startDate, 1) };
}

/** Days from today to the end date (negative once past). */
export function daysLeft(guest: Pick<Guest, 'endDate'>, today: IsoDate): number {
  return daysBetween(today, guest.endDate);
}

/** Still a live request or account (not closed). */
export function isLive(guest: Pick<Guest, 'status'>): boolean {
  return !isFinal(guest.status) && guest.status !== 'EXPIRED';
}

/**
 * Where the workflow leaves the guest: false while it is still moving it on from a person's act (an
 * approval recorded, the account not set up yet), which a page follows until it is done.
 */
export function guestSettled(guest: Pick<Guest, 'status' | 'approval'>): boolean {
  return !(guest.status === 'PENDING_APPROVAL' && guest.approval?.decision === 'approve');
}
