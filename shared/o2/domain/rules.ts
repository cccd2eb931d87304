/**
 * The O2 rules from the HMS O2 page (issue 14), each in one place. Pure: time comes in as an
 * argument. Named in the README's rules table by their bold names ("O2: sponsoring PI",
 * "On-Quad", "Off-Quad", "No HMS account", "Renewal", "Leaving HMS").
 */
import { addDays, addYears, compareDates, dateIn, type IsoDate, zonedInstant } from '../../core/domain/dates.ts';
import { ConflictError, NotAllowedError, RuleViolation } from '../../core/domain/errors.ts';
import { ownHmsAccount, type Person } from '../../core/domain/people.ts';
import { INSTITUTIONS, type Institution, type Lab, type O2Account, type QuadStanding } from './model.ts';
import { o2Can } from './transitions.ts';
import { expiryInstant, isWyss, NOTICE_HOUR, RC_CORE_CONTACT, SPONSOR_SCHOOLS, sponsorStanding, WYSS_CONTACT, type Population } from '../../guest/public-rules.ts';

export { RC_CORE_CONTACT };

/** The directory group of RC Core staff. */
export const RC_CORE_GROUP = 'rc-core';
/** The directory groups of a lab's managers: `lab-manager:<PI HUID>`, `core-admin:<PI HUID>` (a manager may sponsor and approve). */
export const LAB_MANAGER_GROUPS = ['lab-manager', 'core-admin'] as const;
/** The account directory group whose members have an O2 login. */
export const O2_GROUP = 'o2';
/** Where an O2 user's home directory is. */
export const O2_HOME_ROOT = '/home';
/** The O2 login host, for the "active" email. */
export const O2_LOGIN_HOST = 'o2.hms.harvard.edu';
/** Unix uid numbers the system gives O2 logins: [start, end). */
export const UID_NUMBER_RANGE = { start: 200_000, end: 2_000_000_000 } as const;

/** Rule "Off-Quad" (deadlines): the lab's registration is waited for 30 days, the PI and the RC Core reminded weekly. */
export const LAB_REGISTRATION_WAIT_DAYS = 30;
export const LAB_REMINDER_EVERY_DAYS = 7;
/** Rule "Off-Quad" (RC Core): a reminder after 3 working days, HMS IT told after 10. */
export const RC_CORE_REMINDER_WORKING_DAYS = 3;
export const RC_CORE_ESCALATION_WORKING_DAYS = 10;
/** After HMS IT was told, the lifecycle looks again (without an email) this often. */
export const RC_CORE_RECHECK_DAYS = 7;
/** The HMS account is checked again this often while the O2 account waits for it. */
export const HMS_ACCOUNT_RECHECK_MS = 86_400_000;
/** O2 notices go to the user and the PI this many days before the HMS account's end date. */
export const O2_NOTICE_DAYS_BEFORE = [7, 1] as const;

const DAY_MS = 86_400_000;

const institutionKind = (i: Institution) => INSTITUTIONS[i];

/**
 * Rules "On-Quad" and "Off-Quad": a lab based at Harvard University (HMS or another Harvard school)
 * whose PI has a primary or secondary faculty appointment in an HMS Blavatnik Institute basic or
 * social science ("Quad") department is on-Quad; a lab at an HMS affiliated institution (MGH, BWH,
 * BCH, BIDMC, DFCI, ...), at the Wyss Institute, or at Harvard whose PI has no Quad appointment
 * (a clinical department, another school's department) is off-Quad. With the reason, in words.
 */
export function quadStanding(institution: Institution, pi: Pick<Person, 'name' | 'appointments'>): QuadStanding {
  const kind = institutionKind(institution);
  if (kind === 'affiliate') {
    return { onQuad: false, reason: `Off-Quad: the lab is at ${institution}, an HMS affiliated institution; it registers with the HMS Research Computing Core (${RC_CORE_CONTACT}) first.` };
  }
  if (kind === 'wyss') {
    return { onQuad: false, reason: `Off-Quad: the lab is at the Wyss Institute; like labs of other Harvard schools it registers with the HMS Research Computing Core (${RC_CORE_CONTACT}) first.` };
  }
  const quad = [...(pi.appointments ?? [])].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'primary' ? -1 : 1)).find((a) => a.quad);
  if (quad) {
    return { onQuad: true, reason: `On-Quad: the lab is at Harvard University (${institution}) and ${pi.name} has a ${quad.kind} faculty appointment in ${quad.department}, a Quad department.` };
  }
  const held = (pi.appointments ?? []).map((a) => a.department).join(', ') || 'none listed';
  return kind === 'hms'
    ? { onQuad: false, reason: `Off-Quad: ${pi.name} has no primary or secondary faculty appointment in a Quad (basic or social science) department (appointments: ${held}); the lab registers with the HMS Research Computing Core (${RC_CORE_CONTACT}) first.` }
    : { onQuad: false, reason: `Off-Quad: the lab is at ${institution}, another Harvard University school, and ${pi.name} has no faculty appointment in a Quad department; the lab registers with the HMS Research Computing Core (${RC_CORE_CONTACT}) first.` };
}

/** A PI: an active person with a faculty appointment (who may head a lab record). */
export function isPi(person: Person | undefined): person is Person {
  return Boolean(person?.active && person.role === 'faculty' && (person.appointments?.length ?? 0) > 0);
}

/** Rule "O2: sponsoring PI" (who heads a lab): a lab's PI must be an active person with a faculty appointment. */
export function assertMayHeadLab(huid: string, person: Person | undefined): Person {
  if (!isPi(person)) throw new RuleViolation(`${huid} cannot head a lab: a lab's PI is an active person with a faculty appointment in the people directory.`);
  return person;
}

/** RC Core staff (the directory group `rc-core`). */
export function isRcCore(person: Pick<Person, 'groups'> | undefined): boolean {
  return Boolean(person?.groups?.includes(RC_CORE_GROUP));
}

/** A manager of the lab: the directory puts them in the `lab-manager` or `core-admin` group of its PI. */
export function managesLab(person: Pick<Person, 'groups'> | undefined, lab: Pick<Lab, 'piHuid'>): boolean {
  return LAB_MANAGER_GROUPS.some((g) => person?.groups?.includes(`${g}:${lab.piHuid}`));
}

/** May approve for the lab now: its PI while an active person with a faculty appointment, or one of its managers while active. */
export function approvesForLab(person: Person | undefined, lab: Pick<Lab, 'piHuid'>): boolean {
  if (!person?.active) return false;
  return person.huid === lab.piHuid ? isPi(person) : managesLab(person, lab);
}

/**
 * Rule "O2: sponsoring PI": an O2 account needs a sponsoring PI (or manager): the lab's PI, or a
 * manager of the lab (the directory's `lab-manager` or `core-admin` group of its PI), active.
 */
/** Rule "O2: sponsoring PI": a manager does not sponsor their own O2 account; the lab's PI does. */
export function assertNotOwnSponsor(input: { userHuid: string; piHuid: string }, lab: Pick<Lab, 'piHuid'>): void {
  if (input.piHuid === input.userHuid && input.userHuid !== lab.piHuid) {
    throw new RuleViolation(`${input.userHuid} cannot sponsor their own O2 account: the lab's PI (${lab.piHuid}) sponsors and approves it.`, { piHuid: ['must not be the user (the lab\'s PI sponsors a manager\'s own account)'] });
  }
}

export function assertO2Sponsor(huid: string, person: Person | undefined, lab: Lab, opts: { mayReadLab?: boolean } = { mayReadLab: true }): Person {
  if (!person?.active || !(person.huid === lab.piHuid ? isPi(person) : managesLab(person, lab))) {
    // The lab's name and PI only to whoever may read the lab record (its PI, a manager, RC Core, HMS IT).
    const which = opts.mayReadLab ? `the lab "${lab.name}"` : 'this lab';
    const pi = opts.mayReadLab ? ` (the lab's PI, ${lab.piHuid})` : " (the lab's PI)";
    throw new RuleViolation(`${huid} cannot sponsor an O2 account of ${which}: an O2 account needs a sponsoring PI${pi} or a manager of the lab (lab-manager or core-admin in the directory).`);
  }
  return person;
}

/**
 * Who may ask for an O2 account: the user themself (then the sponsor approves), the sponsor, the
 * lab's PI or a manager of the lab (approving by asking), or RC Core staff. Answers whether the
 * request is approved by that act.
 */
export function o2Requester(caller: Person | undefined, callerHuid: string, input: { userHuid: string; piHuid: string }, lab: Lab): { approvedBySubmission: boolean } {
  // Nobody approves their own O2 account but the lab's PI: a manager asking for themselves waits for the PI.
  if (callerHuid === input.userHuid && callerHuid !== lab.piHuid) return { approvedBySubmission: false };
  if (callerHuid === input.piHuid || (caller && approvesForLab(caller, lab))) return { approvedBySubmission: true };
  if (callerHuid === input.userHuid || isRcCore(caller)) return { approvedBySubmission: false };
  throw new NotAllowedError(`You may not request an O2 account for ${input.userHuid}: the user, the sponsoring PI, a manager of the lab or the RC Core may.`);
}


/**
 * Rule "No HMS account": a user with no Harvard ID at all (neither in the people directory nor
 * with a Harvard Sponsored Role) is refused with the HSR step; with one, an HMS guest account is
 * requested first (its own lifecycle), then the O2 account.
 */
export function assertHasHarvardId(userHuid: string, person: Person | undefined, hasHsr: boolean): void {
  if (!person && !hasHsr) {
    throw new RuleViolation(
      `${userHuid} has no Harvard ID yet: first register the user as a Harvard Sponsored Role (HSR) in the HSR Portal; once the Harvard ID is active, request the O2 account again (the HMS guest account is requested with it).`,
    );
  }
}

/**
 * Rule "Leaving HMS": a person whose HMS appointment ends keeps O2 (and HMS storage) on a
 * sponsored path without a gap: a guest account starting the day after the appointment ends, under
 * the same HMS account ID. Only before the appointment ends, for a person holding an HMS account.
 */
export function retainTerm(person: Person | undefined, now: Date, endDate?: IsoDate): { startDate: IsoDate; endDate: IsoDate; accountId: string } {
  const today = dateIn(now);
  if (!person?.active || !person.hmsAccountId) throw new RuleViolation('Only a person who holds an HMS account for their own HMS role can keep it when leaving HMS.');
  if (!person.endDate) throw new RuleViolation(`${person.name}'s HMS appointment has no end date in the people directory: there is nothing to keep the account across yet.`);
  if (compareDates(person.endDate, today) < 0) throw new ConflictError(`${person.name}'s HMS appointment ended on ${person.endDate}: request an HMS guest account and a new O2 account instead.`);
  const startDate = addDays(person.endDate, 1);
  return { startDate, endDate: endDate ?? addYears(startDate, 1), accountId: person.hmsAccountId };
}


/** Rule "Renewal": only an expired account of an off-Quad lab is renewed through the RC Core; an on-Quad one is requested again directly. */
export function assertRenewable(o2: Pick<O2Account, 'status' | 'quad'>): void {
  if (!o2Can(o2.status, 'renew')) throw new ConflictError(`Only an expired O2 account can be renewed; this one is ${o2.status}.`);
  if (o2.quad.onQuad) throw new RuleViolation('This O2 account is of an on-Quad lab: request a new O2 account directly (no renewal through the RC Core is needed).');
}

/**
 * Rule "No HMS account" (the HMS sponsor, a decision taken here): the HMS guest account an O2
 * account needs is sponsored by the PI when the PI may sponsor HMS guests (HMS/HSDM faculty or staff:
 * affiliate hospital PIs are HMS faculty); otherwise (a PI of another Harvard school who is not HMS
 * faculty) by the HMS sponsor the request names — an HMS collaborator, or the RC Core's own sponsor.
 * Neither: 422 saying exactly that. A Wyss person keeps the Wyss route (Wyss HR).
 */
export function chooseHmsSponsor(
  user: Person | undefined,
  pi: Person | undefined,
  piHuid: string,
  named: { huid: string; person: Person | undefined } | undefined,
): Person {
  if (user && isWyss(user)) {
    throw new RuleViolation(`The user is of the Wyss Institute: the HMS account comes through Wyss HR and Academic Affairs (${WYSS_CONTACT}), not an HMS guest account request; request the O2 account once the HMS account is active.`);
  }
  const piStanding = sponsorStanding(piHuid, pi);
  if (piStanding.eligible) {
    if (named && named.huid !== piHuid) {
      throw new RuleViolation(`No HMS sponsor is needed: the sponsoring PI, ${piStanding.person.name}, sponsors the HMS guest account. Leave hmsSponsorHuid out.`, {
        hmsSponsorHuid: ['not used: the sponsoring PI sponsors the HMS guest account'],
      });
    }
    return piStanding.person;
  }
  if (!named) {
    throw new RuleViolation(
      `The user has no HMS account yet, and the sponsoring PI cannot sponsor the HMS guest account it needs (${piStanding.message}): name an HMS sponsor in hmsSponsorHuid — an HMS or HSDM faculty or staff collaborator, or the RC Core's own sponsor.`,
      { hmsSponsorHuid: ['required: the PI is not an HMS or HSDM sponsor, so an HMS sponsor must be named for the HMS guest account'] },
    );
  }
  const standing = sponsorStanding(named.huid, named.person);
  if (!standing.eligible) throw new RuleViolation(`The HMS sponsor named (hmsSponsorHuid) cannot sponsor the HMS guest account: ${standing.message}`, { hmsSponsorHuid: [standing.message] });
  return standing.person;
}

/**
 * The population of the HMS guest account an O2 request files (a decision taken here: the O2 form
 * asks for none): a person of another Harvard school is a non-HMS/HSDM Harvard employee; anyone else
 * collaborates with the lab, as visiting faculty when the sponsor is faculty.
 */
export function o2GuestPopulation(user: Person | undefined, sponsor: Pick<Person, 'role'>): Population {
  if (user && !(SPONSOR_SCHOOLS as readonly string[]).includes(user.school)) return 'harvard-employee';
  return sponsor.role === 'faculty' ? 'visiting-faculty' : 'harvard-employee';
}

/** Weekday of an ISO date (0 = Sunday). */
function weekday(date: IsoDate): number {
  return new Date(`${date}T12:00:00Z`).getUTCDay();
}

/** The instant `n` working days (Monday to Friday, New York) after `from`, at the same time of day. */
export function addWorkingDays(from: Date, n: number): Date {
  const start = dateIn(from);
  const sinceMidnight = from.getTime() - zonedInstant(start, 0).getTime();
  let date = start;
  for (let added = 0; added < n; ) {
    date = addDays(date, 1);
    const d = weekday(date);
    if (d !== 0 && d !== 6) added++;
  }
  return new Date(zonedInstant(date, 0).getTime() + sinceMidnight);
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Rule "Off-Quad" (deadlines): what is due while the O2 account waits for its lab's registration:
 * a weekly reminder (to the PI and the RC Core) at 7, 14, 21 and 28 days, the lapse at 30 days;
 * otherwise the wait until the next of those.
 */
export function labRegistrationStep(waitingSince: Date, remindersSent: number, now: Date): { action: 'remind' | 'lapse' | 'wait'; timeoutSeconds: number } {
  const lapseAt = waitingSince.getTime() + LAB_REGISTRATION_WAIT_DAYS * DAY_MS;
  if (now.getTime() >= lapseAt) return { action: 'lapse', timeoutSeconds: 1 };
  const nextReminder = waitingSince.getTime() + (remindersSent + 1) * LAB_REMINDER_EVERY_DAYS * DAY_MS;
  if (nextReminder < lapseAt && now.getTime() >= nextReminder) return { action: 'remind', timeoutSeconds: 1 };
  return { action: 'wait', timeoutSeconds: seconds(Math.min(nextReminder < lapseAt ? nextReminder : lapseAt, lapseAt) - now.getTime()) };
}

/**
 * Rule "Off-Quad" (RC Core): what is due while the RC Core completes the setup: a reminder to the
 * RC Core after 3 working days, HMS IT told after 10; then a look again every week.
 */
export function rcCoreStep(requestedAt: Date, o2: Pick<O2Account, 'rcCoreRemindedAt' | 'rcCoreEscalatedAt'>, now: Date): { action: 'remind' | 'escalate' | 'wait'; timeoutSeconds: number } {
  const remindAt = addWorkingDays(requestedAt, RC_CORE_REMINDER_WORKING_DAYS).getTime();
  const escalateAt = addWorkingDays(requestedAt, RC_CORE_ESCALATION_WORKING_DAYS).getTime();
  if (!o2.rcCoreRemindedAt && now.getTime() >= remindAt) return { action: 'remind', timeoutSeconds: 1 };
  if (!o2.rcCoreEscalatedAt && now.getTime() >= escalateAt) return { action: 'escalate', timeoutSeconds: 1 };
  const next = !o2.rcCoreRemindedAt ? remindAt : !o2.rcCoreEscalatedAt ? escalateAt : now.getTime() + RC_CORE_RECHECK_DAYS * DAY_MS;
  return { action: 'wait', timeoutSeconds: seconds(next - now.getTime()) };
}

/** The dates of the O2 notices (to the user and the PI) before the HMS account's end date. */
export function o2NoticeDates(endDate: IsoDate): IsoDate[] {
  return O2_NOTICE_DAYS_BEFORE.map((d) => addDays(endDate, -d));
}

export type O2ScheduleStep =
  | { action: 'notice'; noticeDate: IsoDate }
  | { action: 'expire' }
  | { action: 'wait'; until: Date | undefined }
  | { action: 'done'; reason: string };

/**
 * What an active O2 account does next: the due notice (7 days and 1 day before the HMS account's
 * end, at 09:00 New York), the expiry with the HMS account (the end of its end date), or a wait
 * until the next of those (`until` undefined: the HMS account has no end date, nothing is due).
 * An expired account whose "expired" emails are still owed expires again; otherwise it is done.
 */
export function o2ScheduleStep(o2: Pick<O2Account, 'status' | 'lastNoticeDate' | 'expiredNoticeSentAt'>, endDate: IsoDate | undefined, now: Date): O2ScheduleStep {
  if (o2Can(o2.status, 'renew')) return o2.expiredNoticeSentAt ? { action: 'done', reason: 'expired' } : { action: 'expire' };
  if (!o2Can(o2.status, 'expire')) return { action: 'done', reason: `not active (${o2.status})` };
  if (!endDate) return { action: 'wait', until: undefined };
  const expiry = expiryInstant(endDate);
  if (now.getTime() >= expiry.getTime()) return { action: 'expire' };
  const today = dateIn(now);
  const next = o2NoticeDates(endDate).find((d) => compareDates(d, today) >= 0 && (!o2.lastNoticeDate || compareDates(d, o2.lastNoticeDate) > 0));
  if (next) {
    const at = zonedInstant(next, NOTICE_HOUR);
    if (at.getTime() <= now.getTime()) return { action: 'notice', noticeDate: next };
    return { action: 'wait', until: at };
  }
  return { action: 'wait', until: expiry };
}

/** An O2 account's Unix home directory. */
export function homeDirectory(accountId: string): string {
  return `${O2_HOME_ROOT}/${accountId}`;
}

/** Where an O2 account's uid number walk starts: a hash of its ID (FNV-1a), the same on every retry. */
export function uidWalkStart(o2AccountId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < o2AccountId.length; i++) {
    h ^= o2AccountId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Candidate uid numbers from `start` (wrapping around the range): deterministic, so allocation always ends on a free one. */
export function* uidNumberCandidates(start: number): Generator<number> {
  const size = UID_NUMBER_RANGE.end - UID_NUMBER_RANGE.start;
  const from = Math.abs(Math.trunc(start)) % size;
  for (let i = 0; i < size; i++) yield UID_NUMBER_RANGE.start + ((from + i) % size);
}

export { ownHmsAccount, WYSS_CONTACT };
