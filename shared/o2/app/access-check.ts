/** What every O2 use case checks first (shared/o2/app/labs.ts, requests.ts, acts.ts): who the caller is in the directory, what they may do to the lab or O2 account (shared/o2/domain/access.ts decides), the version they saw; a write lost in a race done again. */
import { decideLab, decideO2 as decideO2Access, labAllowedTo, lapsedLabStanding, o2AllowedTo, o2RefusalReason, type LabAction, type LabRelation, type O2AccessContext, type O2Action, type O2Relation } from '../domain/access.ts';
import { NotAllowedError, NotFoundError, PreconditionFailedError, StaleWriteError, ValidationError } from '../../core/domain/errors.ts';
import { type Caller, type Person } from '../../core/domain/people.ts';
import { type Lab, type O2Account } from '../domain/model.ts';
import { isPi } from '../domain/rules.ts';
import type { O2Deps as Deps } from '../../app/deps.ts';
import { HUID_PATTERN } from '../../core/domain/people.ts';

/** The largest page a list answers. */
export const MAX_LIMIT = 500;

export const O2_WHO: Record<O2Relation, string> = {
  user: 'its user',
  sponsor: 'its sponsoring PI',
  lab: "the lab's PI or a manager of the lab",
  'hms-sponsor': 'the sponsor of its HMS guest account',
  'rc-core': 'the RC Core',
  'hms-it': 'HMS IT',
  none: 'no one',
};
export const LAB_WHO: Record<LabRelation, string> = { pi: "the lab's PI", manager: 'a manager of the lab', 'rc-core': 'the RC Core', 'hms-it': 'HMS IT', none: 'no one' };

/** The caller's directory record (groups: `rc-core`, `lab-manager:<PI>`, `core-admin:<PI>`), and what access.ts decides with. */
export async function callerContext(deps: Deps, caller: Caller): Promise<{ person: Person | undefined; ctx: O2AccessContext }> {
  const person = await deps.people.person(caller.huid);
  return { person, ctx: { callerGroups: person?.groups ?? [], hmsItRole: deps.hmsItRole, callerStanding: { active: Boolean(person?.active), pi: isPi(person) }, hmsAccountSponsor: false } };
}

export function checkVersion(kind: string, id: string, version: number, ifMatch: number | undefined): void {
  if (ifMatch !== undefined && version !== ifMatch) {
    throw new PreconditionFailedError(`${kind} ${id} changed since version ${ifMatch} (it is at version ${version}); read it again.`);
  }
}

/** How an email names the person who acted: their name in the people directory, HMS IT by its role, else their HUID. */
export async function actorName(deps: Deps, caller: Caller): Promise<string> {
  const person = await deps.people.person(caller.huid);
  if (person) return person.name;
  return caller.roles.includes(deps.hmsItRole) ? 'HMS IT' : `HUID ${caller.huid}`;
}

/** Loads an O2 account the caller may act on; one the caller may not read is "not found". */
export async function o2For(deps: Deps, caller: Caller, id: string, action: O2Action, ifMatch?: number): Promise<{ o2: O2Account; person: Person | undefined; ctx: O2AccessContext }> {
  const o2 = await deps.o2.get(id);
  if (!o2) throw new NotFoundError(`O2 account ${id} was not found.`);
  const { person, ctx: callerCtx } = await callerContext(deps, caller);
  let ctx = callerCtx;
  let verdict = decideO2Access(caller, action, o2, ctx);
  if (verdict === 'hide' && o2.guestId && (await sponsorsHmsAccount(deps, caller, o2.guestId))) {
    ctx = { ...ctx, hmsAccountSponsor: true };
    verdict = decideO2Access(caller, action, o2, ctx);
  }
  if (verdict === 'hide') throw new NotFoundError(`O2 account ${id} was not found.`);
  if (verdict === 'forbid') {
    if (o2RefusalReason(caller, action, o2, ctx) === 'lapsed') {
      throw new NotAllowedError(
        `You may not ${action} O2 account ${id}: ${lapsedLabStanding(caller, o2, ctx) ?? 'you may no longer act for the lab'}, so you no longer act for the lab; you can still read it. The lab's PI (or a manager the directory names) may.`,
      );
    }
    throw new NotAllowedError(`You may not ${action} O2 account ${id}: only ${o2AllowedTo(action).map((r) => O2_WHO[r]).join(' or ')} may.`);
  }
  checkVersion('O2 account', id, o2.version, ifMatch);
  return { o2, person, ctx };
}

/** Whether the caller sponsors the HMS guest account an O2 account rests on, or is a delegate its sponsor named (they read the O2 account: the guest page links it). */
export async function sponsorsHmsAccount(deps: Deps, caller: Caller, guestId: string): Promise<boolean> {
  const guest = await deps.guests.get(guestId);
  if (!guest) return false;
  if (guest.sponsorHuid === caller.huid) return true;
  return Boolean((await deps.people.person(guest.sponsorHuid))?.delegates?.includes(caller.huid));
}

/** Loads a lab the caller may act on; one the caller may not read is "not found". */
export async function labFor(deps: Deps, caller: Caller, labId: string, action: LabAction, ifMatch?: number): Promise<Lab> {
  const lab = await deps.o2.getLab(labId);
  if (!lab) throw new NotFoundError(`Lab ${labId} was not found.`);
  const { ctx } = await callerContext(deps, caller);
  const verdict = decideLab(caller, action, lab, ctx);
  if (verdict === 'hide') throw new NotFoundError(`Lab ${labId} was not found.`);
  if (verdict === 'forbid') throw new NotAllowedError(`You may not ${action} lab ${labId}: only ${labAllowedTo(action).map((r) => LAB_WHO[r]).join(' or ')} may.`);
  checkVersion('Lab', labId, lab.version, ifMatch);
  return lab;
}

export function assertHuid(field: string, huid: string | undefined): void {
  if (huid !== undefined && !HUID_PATTERN.test(huid)) throw new ValidationError(`${field} must be an 8-digit Harvard ID.`, { [field]: ['must be an 8-digit Harvard ID'] });
}

export const limitOf = (limit: number | undefined) => Math.min(Math.max(1, limit ?? 50), MAX_LIMIT);

/** The PIs whose labs the person manages (their `lab-manager:<PI>` and `core-admin:<PI>` groups), while active. */
export function managedPis(person: Person | undefined): string[] {
  if (!person?.active) return [];
  return (person.groups ?? []).flatMap((g) => {
    const m = /^(?:lab-manager|core-admin):(\d{8})$/.exec(g);
    return m ? [m[1]!] : [];
  });
}

/**
 * Without If-Match, a write that lost a race with the lifecycle's own book-keeping (an email
 * recorded, a task token kept, a step woken) is made again on the new version, every rule checked
 * again: the caller asked for the act, not for a version. With If-Match the 412 stands. Every write
 * before the one that lost (the directory) reads first, so doing it again changes nothing more.
 */
export async function againIfStale<T>(ifMatch: number | undefined, act: () => Promise<T>, tries = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await act();
    } catch (err) {
      if (ifMatch !== undefined || !(err instanceof StaleWriteError) || attempt >= tries) throw err;
    }
  }
}

