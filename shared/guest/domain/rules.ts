/**
 * The guest account rules from the HMS pages. Each rule lives here once; handlers and workflow
 * tasks call these. Pure: time comes in as an argument.
 */
import { addDays, addYears, compareDates, dateIn, endOfDay, type IsoDate, zonedInstant } from '../../core/domain/dates.ts';
import { ConflictError, NotAllowedError, RuleViolation, ValidationError } from '../../core/domain/errors.ts';
import type { Entitlement, Guest, Population, Service } from './model.ts';
import { ownHmsAccount, type HsrRecord, type Person } from '../../core/domain/people.ts';
import { can, isFinal, isProvisioned, transition } from './transitions.ts';

export const WYSS_CONTACT = 'AcademicAffairs@wyss.harvard.edu';
export const RC_CORE_CONTACT = 'rccore@hms.harvard.edu';
export const SPONSOR_SCHOOLS = ['HMS', 'HSDM'] as const;
export const SPONSOR_ROLES = ['faculty', 'staff'] as const;
/** The Quad: HMS Blavatnik Institute basic and social science departments. Any other site is off-Quad. */
export const ON_QUAD_SITE = 'Quad';

export const HSR_RECHECK_EVERY_MS = 86_400_000;
export const HSR_WAIT_LIMIT_DAYS = 14;
export const APPROVAL_REMINDER_AFTER_MS = 7 * 86_400_000;
export const APPROVAL_EXPIRES_AFTER_MS = 14 * 86_400_000;
export const ACTIVATION_CODE_VALID_MS = 14 * 86_400_000;
export const NOTICE_DAYS_BEFORE = 7;
/** Expiry notices go out at this local hour. */
export const NOTICE_HOUR = 9;
export const RESTORE_WINDOW_DAYS = 30;
import { HUID_PATTERN } from '../../core/domain/people.ts';
export { HUID_PATTERN };

/** A person of the Wyss Institute (school or site): rule "Wyss Institute". */
export const isWyss = (p: Person): boolean => /wyss/i.test(p.school) || /wyss/i.test(p.site);

const wyssMessage = `Wyss Institute staff and affiliates cannot request HMS guest accounts here: email Wyss HR and Academic Affairs at ${WYSS_CONTACT}.`;

/** Rule "Wyss Institute": Wyss Institute staff and affiliates request through Wyss HR and Academic Affairs. */
export function refuseWyss(requester: Person): void {
  if (isWyss(requester)) throw new NotAllowedError(wyssMessage);
}

/** Why a person may not sponsor (rules "Who may sponsor" and "Wyss Institute"). */
export const SPONSOR_REFUSALS = ['invalid-huid', 'not-in-directory', 'wyss', 'inactive', 'not-faculty-or-staff', 'not-hms-or-hsdm'] as const;
export type SponsorRefusal = (typeof SPONSOR_REFUSALS)[number];

export type SponsorStanding =
  | { eligible: true; person: Person }
  /** `contact`: where the person is sent instead (Wyss HR and Academic Affairs), when somewhere. */
  | { eligible: false; reason: SponsorRefusal; message: string; contact?: string };

/**
 * Rule "Who may sponsor": a sponsor is an active HMS or HSDM faculty or staff member with a valid
 * HUID in the people directory; Wyss Institute staff and affiliates are sent to Wyss HR and
 * Academic Affairs (rule "Wyss Institute"). The standing, with the reason when not eligible.
 */
export function sponsorStanding(huid: string, person: Person | undefined): SponsorStanding {
  const no = (reason: SponsorRefusal, message: string, contact?: string): SponsorStanding => ({ eligible: false, reason, message, ...(contact ? { contact } : {}) });
  if (!HUID_PATTERN.test(huid)) return no('invalid-huid', `Sponsor HUID ${huid} is not a valid 8-digit Harvard ID.`);
  if (!person) return no('not-in-directory', `Sponsor ${huid} is not in the Harvard people directory.`);
  if (isWyss(person)) return no('wyss', wyssMessage, WYSS_CONTACT);
  if (!person.active) return no('inactive', `Sponsor ${huid} is not active in the Harvard people directory.`);
  if (!(SPONSOR_ROLES as readonly string[]).includes(person.role)) return no('not-faculty-or-staff', `Sponsors must be HMS or HSDM faculty or staff; ${huid} is ${person.role}.`);
  if (!(SPONSOR_SCHOOLS as readonly string[]).includes(person.school)) return no('not-hms-or-hsdm', `Sponsors must be HMS or HSDM faculty or staff; ${huid} belongs to ${person.school}.`);
  return { eligible: true, person };
}

/**
 * The same refusal said to the person it is about (GET /v1/me, their own pages): "you", not their
 * HUID, and what the people directory says of them.
 */
export function ownSponsorRefusal(standing: Extract<SponsorStanding, { eligible: false }>, person: Person | undefined): string {
  switch (standing.reason) {
    case 'invalid-huid':
    case 'not-in-directory':
      return 'You are not in the Harvard people directory, so you may not sponsor guests. If you think you should be, contact HMS IT.';
    case 'inactive':
      return 'You are not active in the Harvard people directory, so you may not sponsor guests.';
    case 'not-faculty-or-staff':
      return `Sponsors are HMS or HSDM faculty or staff; the people directory lists you as ${person?.role === 'affiliate' ? 'an affiliate' : `a ${person?.role ?? 'person of another role'}`}.`;
    case 'not-hms-or-hsdm':
      return `Sponsors are HMS or HSDM faculty or staff; the people directory lists you at ${person?.school ?? 'another school'}.`;
    case 'wyss':
      return standing.message;
  }
}

/** Rule "Who may sponsor", as a check: the person when eligible, else NotAllowedError (403) with the reason. */
export function assertEligibleSponsor(huid: string, person: Person | undefined): Person {
  const standing = sponsorStanding(huid, person);
  if (!standing.eligible) throw new NotAllowedError(standing.message);
  return standing.person;
}

/**
 * Rule "Sponsor approval" (who submits): the sponsor, or a delegate the sponsor has named. Decided
 * before anything else is read about the sponsor, and answered alike whatever the HUID names (a
 * sponsor, a student, a person who left, nobody): a stranger learns no one's standing from it.
 */
export function assertMaySubmitFor(submitterHuid: string, sponsorHuid: string, sponsor: Pick<Person, 'delegates'> | undefined): 'sponsor' | 'delegate' {
  if (submitterHuid === sponsorHuid) return 'sponsor';
  if (sponsor?.delegates?.includes(submitterHuid)) return 'delegate';
  throw new NotAllowedError(notSponsorsDelegate(submitterHuid, sponsorHuid));
}

/** The one answer to filing in the name of a sponsor who has not named the caller. */
export function notSponsorsDelegate(submitterHuid: string, sponsorHuid: string): string {
  return `${submitterHuid} is not a delegate named by sponsor ${sponsorHuid}: only a sponsor, or a delegate the sponsor named, files a request in the sponsor's name.`;
}

/**
 * Rule "Guest populations": the guest belongs to one of the listed populations, with what that
 * population needs.
 * A person HMS provisions automatically (active HMS/HSDM faculty, staff or student) needs no guest
 * account — except one leaving HMS who keeps the HMS account (rule "Leaving HMS", `retain`: the
 * guest account starts the day after the appointment ends).
 */
export function assertPopulation(
  population: Population,
  input: { contractorId?: string | undefined },
  sponsor: Person,
  guestInDirectory: Person | undefined,
  opts: { retain?: boolean } = {},
): void {
  if (population === 'harvard-contractor' && !input.contractorId) {
    throw new ValidationError('A Harvard contractor needs a HU contractor ID.', {
      contractorId: ['required for population harvard-contractor'],
    });
  }
  if (population === 'visiting-faculty' && sponsor.role !== 'faculty') {
    throw new RuleViolation('Visiting faculty collaborate with HMS/HSDM faculty: the sponsor must be faculty.');
  }
  if (
    !opts.retain &&
    guestInDirectory?.active &&
    (SPONSOR_SCHOOLS as readonly string[]).includes(guestInDirectory.school) &&
    ['faculty', 'staff', 'student'].includes(guestInDirectory.role)
  ) {
    throw new RuleViolation(
      `${guestInDirectory.huid} is active HMS/HSDM ${guestInDirectory.role} and is provisioned an HMS account automatically.`,
    );
  }
}

export type HsrState = 'ok' | 'missing' | 'inactive' | 'ends-too-soon';

/** Rule "HSR first": the guest has an active HSR whose end date covers the account's end date. */
export function hsrState(hsr: HsrRecord | undefined, endDate: IsoDate): HsrState {
  if (!hsr) return 'missing';
  if (hsr.status !== 'active') return 'inactive';
  if (compareDates(hsr.endDate, endDate) < 0) return 'ends-too-soon';
  return 'ok';
}

/** Rule "HSR first" (waiting): re-checked daily for up to 14 days after the request first waited. */
export function hsrWaitOutcome(waitingSince: Date, now: Date): { timedOut: boolean; nextCheckAt: Date } {
  const deadline = waitingSince.getTime() + HSR_WAIT_LIMIT_DAYS * 86_400_000;
  if (now.getTime() >= deadline) return { timedOut: true, nextCheckAt: now };
  const next = Math.min(now.getTime() + HSR_RECHECK_EVERY_MS, deadline);
  return { timedOut: false, nextCheckAt: new Date(next) };
}

/**
 * Rule "One-year term": the term. Start defaults to today and is not in the past; the end is on or
 * after the start and at most one calendar year after it (29 Feb + 1 year = 28 Feb).
 */
export function decideTerm(input: { startDate?: IsoDate | undefined; endDate: IsoDate }, now: Date): { startDate: IsoDate; endDate: IsoDate } {
  const today = dateIn(now);
  const startDate = input.startDate ?? today;
  const fields: Record<string, string[]> = {};
  if (compareDates(startDate, today) < 0) fields.startDate = [`must be today (${today}) or later`];
  const latest = addYears(startDate, 1);
  if (compareDates(input.endDate, startDate) < 0) fields.endDate = [`must be on or after the start date ${startDate}`];
  else if (compareDates(input.endDate, latest) > 0) fields.endDate = [`must be at most one year after the start date: ${latest} at the latest`];
  if (Object.keys(fields).length) throw new ValidationError('The account term is not valid.', fields);
  return { startDate, endDate: input.endDate };
}

/** Rule "Disabled at expiry": the account is disabled at the end of its end date, HMS time. */
export function expiryInstant(endDate: IsoDate): Date {
  return endOfDay(endDate);
}

/** Rule "Disabled at expiry" (restore): within 30 days of expiry a sponsor's extension restores the account. */
export function restoreDeadline(endDate: IsoDate): Date {
  return endOfDay(addDays(endDate, RESTORE_WINDOW_DAYS));
}

/**
 * Rule "Extension" (and the restore of rule "Disabled at expiry"): a new end date at most one year
 * after the day the extension is made, never past the HSR end date; an expired account can be
 * restored for 30 days.
 */
export function decideExtension(guest: Guest, newEndDate: IsoDate, hsr: HsrRecord | undefined, now: Date): { restores: boolean } {
  const today = dateIn(now);
  const restores = can(guest.status, 'restore');
  if (!restores) transition(guest.status, 'extend'); // 409 unless the status allows an extension
  if (restores && now.getTime() >= restoreDeadline(guest.endDate).getTime()) {
    throw new ConflictError(
      `The account expired more than ${RESTORE_WINDOW_DAYS} days ago (end date ${guest.endDate}): submit a new request.`,
    );
  }
  const latest = addYears(today, 1);
  if (compareDates(newEndDate, latest) > 0) {
    throw new ValidationError('The new end date is too late.', { endDate: [`must be at most one year from today: ${latest} at the latest`] });
  }
  if (compareDates(newEndDate, today) < 0 || (!restores && compareDates(newEndDate, guest.endDate) <= 0)) {
    const floor = restores ? today : addDays(guest.endDate, 1);
    throw new ValidationError('The new end date is too early.', { endDate: [`must be ${floor} or later`] });
  }
  const state = hsrState(hsr, newEndDate);
  if (state !== 'ok') {
    const hsrEnd = hsr ? ` (it ends ${hsr.endDate}${hsr.status === 'active' ? '' : ', inactive'})` : '';
    throw new RuleViolation(
      `The guest's Harvard Sponsored Role does not cover ${newEndDate}${hsrEnd}: extend the HSR in the HSR Portal first, then the HMS account.`,
    );
  }
  return { restores };
}

/**
 * Rules "No Digital Library", "No HMS email for hospital guests", "Services per guest" and "O2":
 * entitlements computed from the services requested and the sponsor. O2 is not a flag of the guest
 * account: an O2 account has its own lifecycle (shared/o2/app/o2.ts), which the `o2` service starts or
 * links (`o2AccountId`); the entitlement says which, and the directory group is the O2 lifecycle's.
 */
export function computeEntitlements(services: readonly Service[], sponsor: Person, o2: { o2AccountId?: string | undefined } = {}): Entitlement[] {
  const offQuad = sponsor.site !== ON_QUAD_SITE;
  const out: Entitlement[] = [
    { name: 'digital-library', granted: false, reason: 'Guest accounts never have Digital Library access (electronic journal licences).' },
  ];
  for (const service of services) {
    if (service === 'email' && offQuad) {
      out.push({ name: 'email', granted: false, reason: `Guests of affiliate hospital sponsors (${sponsor.site}) are not eligible for HMS email accounts.` });
    } else if (service === 'o2') {
      out.push(o2Entitlement(o2.o2AccountId));
    } else {
      out.push({ name: service, granted: true });
    }
  }
  return out;
}

/** Rule "O2" on a guest account: not granted by it; the O2 account is its own lifecycle, started or linked by the `o2` service. */
export function o2Entitlement(o2AccountId: string | undefined): Entitlement {
  return o2AccountId
    ? {
        name: 'o2',
        granted: false,
        reason: `O2 has a lifecycle of its own: O2 account ${o2AccountId} rests on this HMS account and goes on once it is active (the PI's approval; for an off-Quad lab, the RC Core's setup).`,
      }
    : {
        name: 'o2',
        granted: false,
        reason: `O2 has a lifecycle of its own: the lab's PI registers the lab and requests the O2 account; off-Quad labs register with the HMS Research Computing Core (${RC_CORE_CONTACT}) first.`,
      };
}

/** Rule "Sponsor approval" (deadlines): reminder after 7 days without a decision, expiry after 14. */
export interface ApprovalTimeouts {
  /** Which approval step to wait in: the request (the first 7 days), or the reminder. */
  stage: 'request' | 'remind';
  requestTimeoutSeconds: number;
  remindTimeoutSeconds: number;
}

export function approvalTimeouts(requestedAt: Date, now: Date): ApprovalTimeouts {
  const remindAt = requestedAt.getTime() + APPROVAL_REMINDER_AFTER_MS;
  const expireAt = requestedAt.getTime() + APPROVAL_EXPIRES_AFTER_MS;
  const secs = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
  if (now.getTime() < remindAt) {
    return { stage: 'request', requestTimeoutSeconds: secs(remindAt - now.getTime()), remindTimeoutSeconds: secs(expireAt - remindAt) };
  }
  return { stage: 'remind', requestTimeoutSeconds: 1, remindTimeoutSeconds: secs(expireAt - now.getTime()) };
}

export function approvalExpired(requestedAt: Date, now: Date): boolean {
  return now.getTime() >= requestedAt.getTime() + APPROVAL_EXPIRES_AFTER_MS;
}

/** Rule "Expiry notices": notices go out 7 days before the end date and then daily through the end date. */
export function noticeDates(endDate: IsoDate): IsoDate[] {
  return Array.from({ length: NOTICE_DAYS_BEFORE + 1 }, (_, i) => addDays(endDate, i - NOTICE_DAYS_BEFORE));
}

export type ScheduleStep =
  | { action: 'notice'; noticeDate: IsoDate }
  | { action: 'expire' }
  | { action: 'wait'; until: Date }
  | { action: 'done'; reason: string };

/**
 * What the lifecycle does next once an account is provisioned (rules "Expiry notices" and
 * "Disabled at expiry"): the due notice,
 * the expiry, or a wait until the next of those. Re-planned every time the workflow wakes, so an
 * extension during the notice days simply moves the next wake-up.
 *
 * A notice whose every attempt failed (the lifecycle failed on the notice's day, after it fell due,
 * and was restarted by the reconciler the next morning) is not skipped: it is sent late, before the
 * day's own. Only the notice of the day of the recorded failure counts (the last attempt), so a
 * guest provisioned or extended into the notice days gets no notice for a day before that, and a
 * failure lasting several days ends in one late notice, not one per day.
 */
export function nextScheduleStep(guest: Pick<Guest, 'status' | 'endDate' | 'lastNoticeDate' | 'failure' | 'expiredNoticeSentAt'>, now: Date): ScheduleStep {
  if (isFinal(guest.status)) return { action: 'done', reason: guest.status };
  if (can(guest.status, 'restore')) {
    // Disabled, but the "expired" emails are still owed (Expire failed after the status change): expire again.
    if (!guest.expiredNoticeSentAt) return { action: 'expire' };
    const deadline = restoreDeadline(guest.endDate);
    if (now.getTime() >= deadline.getTime()) return { action: 'done', reason: 'restore window closed' };
    return { action: 'wait', until: deadline };
  }
  if (!can(guest.status, 'expire')) {
    return { action: 'done', reason: `not provisioned (${guest.status})` };
  }
  const expiry = expiryInstant(guest.endDate);
  if (now.getTime() >= expiry.getTime()) return { action: 'expire' };
  const today = dateIn(now);
  const unsent = (d: IsoDate) => !guest.lastNoticeDate || compareDates(d, guest.lastNoticeDate) > 0;
  const failedAt = guest.failure ? Date.parse(guest.failure.at) : undefined;
  if (failedAt !== undefined) {
    const failedOn = dateIn(new Date(failedAt));
    const missed = noticeDates(guest.endDate).find((d) => d === failedOn && compareDates(d, today) < 0 && unsent(d) && zonedInstant(d, NOTICE_HOUR).getTime() <= failedAt);
    if (missed) return { action: 'notice', noticeDate: missed };
  }
  const next = noticeDates(guest.endDate).find((d) => compareDates(d, today) >= 0 && unsent(d));
  if (next) {
    const at = zonedInstant(next, NOTICE_HOUR);
    if (at.getTime() <= now.getTime()) return { action: 'notice', noticeDate: next };
    return { action: 'wait', until: new Date(Math.min(at.getTime(), expiry.getTime())) };
  }
  return { action: 'wait', until: expiry };
}

/** Rule "Activation email": an activation code is valid for 14 days from issue, or from the start date if later. */
export function activationExpiry(issuedAt: Date, startDate: IsoDate): Date {
  const from = Math.max(issuedAt.getTime(), zonedInstant(startDate, 0).getTime());
  return new Date(from + ACTIVATION_CODE_VALID_MS);
}

export type ActivationCheck = 'ok' | 'wrong-code' | 'already-active' | 'closed' | 'locked' | 'expired' | 'not-started';

/**
 * Rule "Activation email": what an activation attempt comes to. Without the right code it is always
 * 'wrong-code', whatever the account: only a caller holding the code may learn that the account is
 * already active, closed (expired or cancelled), that the code was locked or has expired, or that
 * the account has not started. Single use, valid 14 days, not before the start date.
 */
export function checkActivation(
  guest: Pick<Guest, 'status' | 'startDate' | 'activation'> | undefined,
  matches: boolean,
  now: Date,
): ActivationCheck {
  const code = guest?.activation;
  if (!guest || !code || !matches) return 'wrong-code';
  if (code.usedAt || guest.status === 'ACTIVE') return guest.status === 'ACTIVE' ? 'already-active' : 'closed';
  if (!can(guest.status, 'activate')) return 'closed';
  if (code.lockedAt) return 'locked';
  if (now.getTime() >= Date.parse(code.expiresAt)) return 'expired';
  if (compareDates(dateIn(now), guest.startDate) < 0) return 'not-started';
  return 'ok';
}

export { ACCOUNT_ID_PATTERN } from '../../core/domain/directory.ts';

/** The letters of an HMS account ID: first initial and two letters of the last name, ASCII only ("gst" when there are none). */
export function accountIdLetters(firstName: string, lastName: string): string {
  const letters = (s: string) => s.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase();
  return `${letters(firstName).slice(0, 1)}${letters(lastName).slice(0, 2)}` || 'gst';
}

/**
 * Every candidate HMS account ID for these letters, in the order to try them: all thousand
 * three-digit suffixes, walked from `start` and wrapping around, then all four-digit ones
 * (1000-9999) from the same start, then five digits, and so on. Deterministic from the start, so
 * generation always ends on a free ID, however full the space is.
 */
export function* accountIdCandidates(letters: string, start: number): Generator<string> {
  for (let digits = 3; digits <= 9; digits++) {
    const low = digits === 3 ? 0 : 10 ** (digits - 1);
    const size = 10 ** digits - low;
    const from = Math.abs(Math.trunc(start)) % size;
    for (let i = 0; i < size; i++) yield `${letters}${String(low + ((from + i) % size)).padStart(3, '0')}`;
  }
}

/**
 * One live HMS guest account per person: a guest record holds its person from the request until
 * nothing more can happen to it (denied, cancelled, timed out, failed) or, once expired, until the
 * 30 days in which an extension can still restore it have passed.
 */
export function holdsPerson(guest: Pick<Guest, 'status' | 'endDate'>, now: Date): boolean {
  if (isFinal(guest.status)) return false;
  if (can(guest.status, 'restore')) return now.getTime() < restoreDeadline(guest.endDate).getTime();
  return true;
}

/**
 * When the workflow next has something to do for this guest (indexed for the daily reconciler):
 * the next HSR re-check, the approval reminder or expiry, the next notice, the expiry, or the end
 * of the restore window. Undefined once nothing more will happen.
 */
export function nextDueAt(
  guest: Pick<Guest, 'status' | 'endDate' | 'lastNoticeDate' | 'failure' | 'expiredNoticeSentAt' | 'approval' | 'approvalRequestedAt' | 'hsrCheckedAt' | 'hsrWaitingSince'>,
  now: Date,
): string | undefined {
  if (can(guest.status, 'hsr-found')) {
    // Waiting for an HSR: the next daily re-check, or the end of the 14 days.
    const since = guest.hsrWaitingSince ? new Date(guest.hsrWaitingSince) : now;
    const from = guest.hsrCheckedAt ? new Date(guest.hsrCheckedAt) : now;
    const deadline = since.getTime() + HSR_WAIT_LIMIT_DAYS * 86_400_000;
    return new Date(Math.min(from.getTime() + HSR_RECHECK_EVERY_MS, deadline)).toISOString();
  }
  if (can(guest.status, 'provision')) {
    // Waiting for the sponsor: provisioning at once once approved, else the reminder, then the expiry of the request.
    if (guest.approval || !guest.approvalRequestedAt) return now.toISOString();
    const requested = Date.parse(guest.approvalRequestedAt);
    const reminder = requested + APPROVAL_REMINDER_AFTER_MS;
    return new Date(now.getTime() < reminder ? reminder : requested + APPROVAL_EXPIRES_AFTER_MS).toISOString();
  }
  if (isProvisioned(guest.status)) {
    // The schedule: the next notice, the expiry, or the end of the restore window.
    const step = nextScheduleStep(guest, now);
    if (step.action === 'done') return undefined;
    return (step.action === 'wait' ? step.until : now).toISOString();
  }
  return undefined;
}

/**
 * Rule "Leaving HMS", undone: a retained guest account that ends (cancelled, expired by HMS IT)
 * while its person still holds their own HMS appointment hands the account back to that role
 * instead of disabling it — the person keeps the account they hold for their own role.
 */
export function handsBack(guest: Pick<Guest, 'retainedAccountId'>, person: Person | undefined, now: Date): boolean {
  return Boolean(guest.retainedAccountId && ownHmsAccount(person, now)?.accountId === guest.retainedAccountId);
}
