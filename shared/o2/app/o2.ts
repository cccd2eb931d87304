/**
 * The O2 use cases behind the API (issue 14): labs and their RC Core registration, O2 accounts and
 * what people do to them (request, decide, complete, renew, cancel, keep when leaving HMS). As
 * guests.ts is for guest accounts: each reads the record, asks shared/domain/access.ts who may do
 * it (a caller who may not read gets 404, as for a missing one), applies a rule of
 * shared/o2/domain/rules.ts, writes one conditional, audited change (o2-changes.ts) and wakes the
 * O2 lifecycle where it waits (o2-hms.ts `wakeO2`, with the outputs of o2-contract.ts).
 */
import { decideLab, decideO2 as decideO2Access, labAllowedTo, lapsedLabStanding, mayListLabsOf, mayListO2Queue, o2AllowedTo, o2RefusalReason, type LabAction, type LabRelation, type O2AccessContext, type O2Action, type O2Relation } from '../domain/access.ts';
import { nameKey } from '../../core/domain/text.ts';
import { addYears, compareDates, dateIn, isIsoDate, type IsoDate } from '../../core/domain/dates.ts';
import { ConflictError, DomainError, NotAllowedError, NotFoundError, PreconditionFailedError, RuleViolation, StaleWriteError, ValidationError } from '../../core/domain/errors.ts';
import { type Caller, type Person } from '../../core/domain/people.ts';
import { INSTITUTION_NAMES, O2_STATUSES, REGISTRATION_STATUSES, type Chargeback, type Institution, type Lab, type O2Account, type O2AuditEvent, type O2Status, type RegistrationStatus } from '../domain/model.ts';
import {
  assertHasHarvardId,
  assertMayHeadLab,
  assertNotOwnSponsor,
  assertO2Sponsor,
  assertRenewable,
  chooseHmsSponsor,
  isPi,
  isRcCore,
  o2GuestPopulation,
  o2Requester,
  ownHmsAccount,
  quadStanding,
  retainTerm,
} from '../domain/rules.ts';
import { o2IsSetUp, o2StatusChange, o2Transition } from '../domain/transitions.ts';
import type { Page } from '../../core/ports.ts';
import type { Deps } from '../../app/deps.ts';
import { emails } from './emails.ts';
import { setUpO2, syncO2Login } from './login.ts';
import { changeLab, changeO2, changeO2WithRetry, recordO2Sent } from './changes.ts';
import { O2_DECISION, O2_WAKE, o2ExecutionInput, o2ExecutionName, type O2Decision } from './contract.ts';
import { hmsAccountOf, wakeO2 } from './hms-account.ts';
import { claimO2User, createO2Account, liveO2Of } from './request.ts';
import { assertMaySubmitFor, cancelGuest, DEFAULT_SERVICES, isOpenRequest, linkO2Account, liveGuestOf, prepareGuestRequest, sponsorStanding, submitGuestRequest, type Service } from '../../guest/public.ts';
import { HUID_PATTERN } from '../../core/domain/people.ts';

/** The largest page a list answers. */
const MAX_LIMIT = 500;

const O2_WHO: Record<O2Relation, string> = {
  user: 'its user',
  sponsor: 'its sponsoring PI',
  lab: "the lab's PI or a manager of the lab",
  'hms-sponsor': 'the sponsor of its HMS guest account',
  'rc-core': 'the RC Core',
  'hms-it': 'HMS IT',
  none: 'no one',
};
const LAB_WHO: Record<LabRelation, string> = { pi: "the lab's PI", manager: 'a manager of the lab', 'rc-core': 'the RC Core', 'hms-it': 'HMS IT', none: 'no one' };

/** The caller's directory record (groups: `rc-core`, `lab-manager:<PI>`, `core-admin:<PI>`), and what access.ts decides with. */
async function callerContext(deps: Deps, caller: Caller): Promise<{ person: Person | undefined; ctx: O2AccessContext }> {
  const person = await deps.people.person(caller.huid);
  return { person, ctx: { callerGroups: person?.groups ?? [], hmsItRole: deps.hmsItRole, callerStanding: { active: Boolean(person?.active), pi: isPi(person) }, hmsAccountSponsor: false } };
}

function checkVersion(kind: string, id: string, version: number, ifMatch: number | undefined): void {
  if (ifMatch !== undefined && version !== ifMatch) {
    throw new PreconditionFailedError(`${kind} ${id} changed since version ${ifMatch} (it is at version ${version}); read it again.`);
  }
}

/** How an email names the person who acted: their name in the people directory, HMS IT by its role, else their HUID. */
async function actorName(deps: Deps, caller: Caller): Promise<string> {
  const person = await deps.people.person(caller.huid);
  if (person) return person.name;
  return caller.roles.includes(deps.hmsItRole) ? 'HMS IT' : `HUID ${caller.huid}`;
}

/** Loads an O2 account the caller may act on; one the caller may not read is "not found". */
async function o2For(deps: Deps, caller: Caller, id: string, action: O2Action, ifMatch?: number): Promise<{ o2: O2Account; person: Person | undefined; ctx: O2AccessContext }> {
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
async function sponsorsHmsAccount(deps: Deps, caller: Caller, guestId: string): Promise<boolean> {
  const guest = await deps.guests.get(guestId);
  if (!guest) return false;
  if (guest.sponsorHuid === caller.huid) return true;
  return Boolean((await deps.people.person(guest.sponsorHuid))?.delegates?.includes(caller.huid));
}

/** Loads a lab the caller may act on; one the caller may not read is "not found". */
async function labFor(deps: Deps, caller: Caller, labId: string, action: LabAction, ifMatch?: number): Promise<Lab> {
  const lab = await deps.o2.getLab(labId);
  if (!lab) throw new NotFoundError(`Lab ${labId} was not found.`);
  const { ctx } = await callerContext(deps, caller);
  const verdict = decideLab(caller, action, lab, ctx);
  if (verdict === 'hide') throw new NotFoundError(`Lab ${labId} was not found.`);
  if (verdict === 'forbid') throw new NotAllowedError(`You may not ${action} lab ${labId}: only ${labAllowedTo(action).map((r) => LAB_WHO[r]).join(' or ')} may.`);
  checkVersion('Lab', labId, lab.version, ifMatch);
  return lab;
}

function assertHuid(field: string, huid: string | undefined): void {
  if (huid !== undefined && !HUID_PATTERN.test(huid)) throw new ValidationError(`${field} must be an 8-digit Harvard ID.`, { [field]: ['must be an 8-digit Harvard ID'] });
}

const limitOf = (limit: number | undefined) => Math.min(Math.max(1, limit ?? 50), MAX_LIMIT);

// --- Labs -----------------------------------------------------------------------------------------

export interface LabInput {
  name: string;
  institution: Institution;
  piHuid?: string | undefined;
}

/**
 * POST /v1/labs: a PI registers their own lab's record (RC Core staff may for any PI). Rules
 * "On-Quad" / "Off-Quad": the standing is derived from the institution and the PI's appointments;
 * an off-Quad lab waits for the RC Core's registration (`pending`), an on-Quad one needs none.
 */
export async function createLab(deps: Deps, caller: Caller, input: LabInput): Promise<Lab> {
  const piHuid = input.piHuid ?? caller.huid;
  assertHuid('piHuid', piHuid);
  // Kept as people read it: compatibility-normalized (NFKC), every run of white space one space.
  const name = (input.name ?? '').normalize('NFKC').replace(/\s+/gu, ' ').trim();
  if (!name) throw new ValidationError("The lab's name is missing.", { name: ['required'] });
  if (!(INSTITUTION_NAMES as readonly string[]).includes(input.institution)) {
    throw new ValidationError(`Unknown institution ${String(input.institution)}.`, { institution: [`one of ${INSTITUTION_NAMES.join(', ')}`] });
  }
  if (piHuid !== caller.huid) {
    const { person } = await callerContext(deps, caller);
    if (!isRcCore(person)) throw new NotAllowedError("A PI registers their own lab's record; only the RC Core may register one for another PI.");
  }
  const pi = assertMayHeadLab(piHuid, await deps.people.person(piHuid));
  const existing = (await deps.o2.labsOfPi(piHuid, { limit: MAX_LIMIT })).items;
  // The same name as people read it: letter case, full-width letters and odd spaces aside.
  const same = existing.find((l) => nameKey(l.name) === nameKey(name));
  if (same) throw new ConflictError(`${pi.name} already has a lab named "${same.name}" (lab ${same.labId}).`);

  const at = deps.clock.now().toISOString();
  const quad = quadStanding(input.institution, pi);
  const lab: Lab = {
    labId: await labIdFor(piHuid, name),
    name,
    piHuid,
    institution: input.institution,
    quad,
    registration: quad.onQuad ? { status: 'not-required' } : { status: 'pending' },
    createdBy: caller.huid,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  lab.lastAudit = { kind: 'lab', id: lab.labId, seq: 1, at, actor: caller.huid, action: 'created', after: { ...lab }, detail: { quad: quad.onQuad ? 'on-Quad' : 'off-Quad' } };
  try {
    await deps.o2.createLab(lab);
  } catch (err) {
    // The same lab asked for at the same moment: the first create won, on the ID both derived.
    if (err instanceof ConflictError) throw new ConflictError(`${pi.name} already has a lab named "${name}" (lab ${lab.labId}).`);
    throw err;
  }
  await deps.o2.appendAudit([lab.lastAudit]);
  return lab;
}

/**
 * A lab's ID, from its PI and its name as people read it (`nameKey`): the create is conditional on the ID, so
 * two records of one lab cannot be made even by requests at the same moment (a name is a PI's lab
 * once). A UUID of version 8 (RFC 9562: custom) from SHA-256.
 */
export async function labIdFor(piHuid: string, name: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${piHuid}\n${nameKey(name)}`));
  const bytes = new Uint8Array(digest).slice(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export async function getLab(deps: Deps, caller: Caller, labId: string): Promise<Lab> {
  return labFor(deps, caller, labId, 'read');
}

export interface LabListRequest {
  registration?: RegistrationStatus | undefined;
  piHuid?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

/**
 * GET /v1/labs: `registration` without `piHuid` is a queue by registration status (`pending`: the
 * RC Core's; RC Core staff and HMS IT only); otherwise the caller's labs, or `piHuid`'s for whoever
 * may read that PI's labs (a manager of the lab, the RC Core, HMS IT), `registration` filtering them.
 */
export async function listLabs(deps: Deps, caller: Caller, request: LabListRequest = {}): Promise<Page<Lab>> {
  const { registration, piHuid, cursor } = request;
  const query = { cursor, limit: limitOf(request.limit) };
  if (registration !== undefined && !(REGISTRATION_STATUSES as readonly string[]).includes(registration)) {
    throw new ValidationError(`Unknown registration status ${String(registration)}.`, { registration: [`one of ${REGISTRATION_STATUSES.join(', ')}`] });
  }
  assertHuid('piHuid', piHuid);
  const { ctx } = await callerContext(deps, caller);
  if (registration && !piHuid) {
    if (!mayListO2Queue(caller, ctx)) throw new NotAllowedError("Only the RC Core and HMS IT may list every lab by registration (the RC Core's queue).");
    return deps.o2.labsByRegistration(registration, query);
  }
  const pi = piHuid ?? caller.huid;
  if (!mayListLabsOf(caller, pi, ctx)) throw new NotAllowedError(`You may not list the labs of ${pi}: the PI, a manager of the lab, the RC Core or HMS IT may.`);
  const page = await deps.o2.labsOfPi(pi, query);
  return registration ? { ...page, items: page.items.filter((l) => l.registration.status === registration) } : page;
}

export interface LabRegistrationInput {
  chargeback: Chargeback;
  billingContact: { name: string; email: string };
}

/**
 * POST /v1/labs/{labId}/registration (rule "Off-Quad"): RC Core staff register an off-Quad lab,
 * charged (with its chargeback account) or not (registration is required either way), with its
 * billing contact. Every O2 account of the lab waiting for the registration is woken.
 */
async function registerLabOnce(deps: Deps, caller: Caller, labId: string, input: LabRegistrationInput, ifMatch?: number): Promise<Lab> {
  const lab = await labFor(deps, caller, labId, 'register', ifMatch);
  const fields: Record<string, string[]> = {};
  if (input.chargeback?.charged === true && !input.chargeback.account?.trim()) fields['chargeback.account'] = ['required when the lab is charged'];
  if (!input.billingContact?.name?.trim()) fields['billingContact.name'] = ['required'];
  if (!/^[^@\s]+@[^@\s]+$/.test(input.billingContact?.email ?? '')) fields['billingContact.email'] = ['must be an email address'];
  if (Object.keys(fields).length) throw new ValidationError("The lab's registration is not complete.", fields);
  if (lab.registration.status === 'not-required') throw new ConflictError(`The lab "${lab.name}" is on-Quad: it needs no registration with the RC Core. ${lab.quad.reason}`);

  const at = deps.clock.now().toISOString();
  const chargeback: Chargeback = input.chargeback.charged ? { charged: true, account: input.chargeback.account.trim() } : { charged: false };
  const registration = { status: 'registered' as const, chargeback, billingContact: { name: input.billingContact.name.trim(), email: input.billingContact.email.trim() }, by: caller.huid, at };
  const next = await changeLab(deps, lab, caller.huid, lab.registration.status === 'registered' ? 'registration-updated' : 'registered', { registration });
  // The O2 accounts of the lab waiting for its registration go on (a token no longer valid is harmless).
  let cursor: string | undefined;
  do {
    const page = await deps.o2.listByLab(labId, { cursor, limit: 100 });
    for (const o of page.items) if (o.waitingFor === 'lab-registration') await wakeO2(deps, o.o2AccountId, ['lab-registration'], { outcome: O2_WAKE.ready }, caller.huid);
    cursor = page.cursor;
  } while (cursor);
  return next;
}

export async function labHistory(deps: Deps, caller: Caller, labId: string): Promise<O2AuditEvent[]> {
  await labFor(deps, caller, labId, 'read');
  return deps.o2.history('lab', labId);
}

// --- O2 accounts ----------------------------------------------------------------------------------

export interface O2Request {
  userHuid: string;
  piHuid: string;
  labId: string;
  justification?: string | undefined;
  /** The HMS sponsor of the HMS guest account the user needs, when the PI cannot sponsor one. */
  hmsSponsorHuid?: string | undefined;
}

/** The services of an HMS guest account an O2 request files: the defaults, and O2 (which the O2 account's own lifecycle provides). */
const O2_GUEST_SERVICES: Service[] = [...DEFAULT_SERVICES, 'o2'];

/**
 * Rule "Leaving HMS": the person keeps O2 and HMS storage without a gap. The kept account's
 * services: those the request names, else the defaults with HMS storage (`file-shares`); O2 always.
 */
export const RETAINED_SERVICES: readonly Service[] = [...DEFAULT_SERVICES, 'file-shares', 'o2'];
function retainedServices(asked: readonly Service[] | undefined): Service[] {
  return [...new Set([...(asked ?? RETAINED_SERVICES), 'o2' as const])];
}

/**
 * POST /v1/o2-accounts (202). Rule "O2: sponsoring PI": the PI (or a manager) sponsors, and asking
 * is approving for them; a user's own request waits for their decision. Rule "No HMS account":
 * without a Harvard ID, 422 with the HSR step; with one but no HMS account, the HMS guest account is
 * requested first (sponsored by the PI, or by the named HMS sponsor when the PI cannot) and the O2
 * account waits for it (PENDING_HMS_ACCOUNT, linked by `guestId`). One live O2 account per person.
 */
export async function requestO2(deps: Deps, caller: Caller, input: O2Request): Promise<O2Account> {
  const now = deps.clock.now();
  assertHuid('userHuid', input.userHuid);
  assertHuid('piHuid', input.piHuid);
  assertHuid('hmsSponsorHuid', input.hmsSponsorHuid);
  const lab = await deps.o2.getLab(input.labId);
  if (!lab) throw new RuleViolation(`Lab ${input.labId} does not exist: the PI registers the lab's record first.`, { labId: ['no such lab'] });
  const [{ person: callerPerson, ctx }, pi, user, hsr, named] = await Promise.all([
    callerContext(deps, caller),
    deps.people.person(input.piHuid),
    deps.people.person(input.userHuid),
    deps.hsr.hsr(input.userHuid),
    namedHmsSponsor(deps, caller, input.hmsSponsorHuid, 'request'),
  ]);
  // Who may ask at all, before anything about the people named is told.
  const { approvedBySubmission } = o2Requester(callerPerson, caller.huid, input, lab);
  assertO2Sponsor(input.piHuid, pi, lab, { mayReadLab: decideLab(caller, 'read', lab, ctx) !== 'hide' });
  assertNotOwnSponsor(input, lab);
  assertHasHarvardId(input.userHuid, user, Boolean(hsr));
  const holder = await liveO2Of(deps, input.userHuid);
  if (holder) {
    const yours = decideO2Access(caller, 'read', holder, ctx) !== 'hide' ? ` (O2 account ${holder.o2AccountId}, ${holder.status})` : '';
    throw new ConflictError(`${input.userHuid} already has an O2 account or a pending request for one${yours}; a person holds one O2 account at a time.`);
  }

  const filing = { userHuid: input.userHuid, piHuid: input.piHuid, lab, requestedBy: caller.huid, justification: input.justification, approvedBySubmission };
  const own = ownHmsAccount(user, now);
  if (own) {
    refuseUnusedHmsSponsor(named, 'the user has an HMS account already (the O2 account rests on it)');
    return createO2Account(deps, { ...filing, hmsAccountActive: true, accountId: own.accountId });
  }

  // An HMS guest account the user holds already (active), or one on its way: the O2 account rests on
  // it, linked only by the person or by that account's sponsor (or a delegate the sponsor named).
  const guest = await liveGuestOf(deps, input.userHuid, now);
  if (guest) {
    const guestSponsor = caller.huid === guest.sponsorHuid ? undefined : await deps.people.person(guest.sponsorHuid);
    const mayLink = caller.huid === input.userHuid || caller.huid === guest.sponsorHuid || Boolean(guestSponsor?.delegates?.includes(caller.huid));
    if (!mayLink) {
      throw new ConflictError(
        `${input.userHuid} has an HMS guest account (or a request for one) that you do not sponsor: the O2 account rests on it, so the person themself, or the sponsor of that guest account, requests the O2 account (the sponsoring PI then approves it).`,
      );
    }
    refuseUnusedHmsSponsor(named, 'the user has an HMS guest account already (the O2 account rests on it)');
    const active = guest.status === 'ACTIVE';
    if (!active && !['PENDING_HSR', 'PENDING_APPROVAL', 'PENDING_ACTIVATION'].includes(guest.status)) {
      throw new RuleViolation(`The HMS guest account of ${input.userHuid} is ${guest.status}: its sponsor extends it first, then request the O2 account.`);
    }
    const o2 = await createO2Account(deps, { ...filing, hmsAccountActive: active, accountId: guest.accountId, guestId: guest.guestId });
    // A pending HMS guest account of the user now leads to the O2 account (the guest lifecycle tells it when it moves).
    await linkO2Account(deps, guest.guestId, o2.o2AccountId, caller.huid);
    return o2;
  }

  // Rule "No HMS account": the HMS guest account first, filed with every rule checked before anything is written.
  const sponsor = chooseHmsSponsor(user, pi, input.piHuid, named);
  const today = dateIn(now);
  const yearOn = addYears(today, 1);
  const endDate = hsr?.status === 'active' && compareDates(hsr.endDate, today) >= 0 && compareDates(hsr.endDate, yearOn) < 0 ? hsr.endDate : yearOn;
  const o2AccountId = deps.random.uuid();
  const { guest: filed } = await prepareGuestRequest(deps, {
    guestHuid: input.userHuid,
    population: o2GuestPopulation(user, sponsor),
    endDate,
    sponsorHuid: sponsor.huid,
    submittedBy: caller.huid,
    role: 'o2-request',
    services: O2_GUEST_SERVICES,
    justification: input.justification ? `O2: ${input.justification}` : `The HMS account for an O2 account in the lab "${lab.name}".`,
    o2AccountId,
  });
  const o2 = await createO2Account(deps, {
    ...filing,
    o2AccountId,
    hmsAccountActive: false,
    guestId: filed.guestId,
    hmsSponsorHuid: sponsor.huid === input.piHuid ? undefined : sponsor.huid,
  });
  try {
    await submitGuestRequest(deps, filed);
  } catch (err) {
    // The HMS guest account could not be filed (another request for the person at this moment): the O2 account goes with it.
    await closeUnfiled(deps, o2, caller.huid, err);
    throw err;
  }
  return o2;
}

/**
 * The HMS sponsor an O2 request or a retain names (`hmsSponsorHuid`): as POST /v1/guests, only that
 * sponsor, or a delegate the sponsor named, files an HMS guest account in the sponsor's name.
 * Decided before the sponsor's standing is looked at, and answered alike whatever the HUID names.
 */
async function namedHmsSponsor(deps: Deps, caller: Caller, huid: string | undefined, act: 'request' | 'retain'): Promise<{ huid: string; person: Person | undefined } | undefined> {
  if (huid === undefined) return undefined;
  const person = await deps.people.person(huid);
  try {
    assertMaySubmitFor(caller.huid, huid, person);
  } catch (err) {
    if (!(err instanceof NotAllowedError)) throw err;
    throw new NotAllowedError(
      act === 'request'
        ? `${err.message} Ask that HMS sponsor to request the HMS guest account for the user (or to name you a delegate); once it is filed, the user requests the O2 account.`
        : `${err.message} Ask that HMS sponsor to keep the account (or to name you a delegate), or keep it with the sponsoring PI as its sponsor.`,
    );
  }
  // The sponsor (or their delegate) may learn the sponsor's standing, and learns it before anything about the user.
  const standing = sponsorStanding(huid, person);
  if (!standing.eligible) throw new RuleViolation(`The HMS sponsor named (hmsSponsorHuid) cannot sponsor the HMS guest account: ${standing.message}`, { hmsSponsorHuid: [standing.message] });
  return { huid, person };
}

/** `hmsSponsorHuid` named where no HMS guest account is filed: 422 saying why, never ignored without a word. */
function refuseUnusedHmsSponsor(named: { huid: string } | undefined, why: string): void {
  if (!named) return;
  throw new RuleViolation(`No HMS sponsor is needed: ${why}. Leave hmsSponsorHuid out.`, { hmsSponsorHuid: [`not used: ${why}`] });
}

async function closeUnfiled(deps: Deps, o2: O2Account, actor: string, err: unknown): Promise<void> {
  await changeO2WithRetry(deps, o2.o2AccountId, actor, 'cancelled', (cur) =>
    cur.status === 'PENDING_HMS_ACCOUNT'
      ? { status: o2Transition(cur.status, 'cancel'), cancellation: { by: actor, at: deps.clock.now().toISOString(), reason: 'the HMS guest account request could not be filed' }, dueAt: undefined }
      : undefined,
    { error: err instanceof Error ? err.message : String(err) },
  );
  if (o2.execution) await deps.o2Workflow.stop(o2.execution.name, 'the HMS guest account request could not be filed');
}

export async function getO2(deps: Deps, caller: Caller, id: string): Promise<O2Account> {
  return (await o2For(deps, caller, id, 'read')).o2;
}

export interface O2ListRequest {
  as?: 'user' | 'pi' | 'rc-core' | undefined;
  status?: O2Status | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

/** The PIs whose labs the person manages (their `lab-manager:<PI>` and `core-admin:<PI>` groups), while active. */
function managedPis(person: Person | undefined): string[] {
  if (!person?.active) return [];
  return (person.groups ?? []).flatMap((g) => {
    const m = /^(?:lab-manager|core-admin):(\d{8})$/.exec(g);
    return m ? [m[1]!] : [];
  });
}

/** The RC Core's queue: accounts to complete, renewals to make. */
export const RC_CORE_QUEUE: readonly O2Status[] = ['PENDING_RC_CORE', 'RENEWAL_REQUESTED'];

/**
 * GET /v1/o2-accounts, `as`: `user` (default: the caller's own O2 accounts), `pi` (those the caller
 * sponsors, then every account of the labs they head or manage), `rc-core` (RC Core staff and HMS IT: the accounts to complete and renewals, or every
 * account in `status`). From indexes only.
 */
export async function listO2(deps: Deps, caller: Caller, request: O2ListRequest = {}): Promise<Page<O2Account>> {
  const { as = 'user', status, cursor } = request;
  const query = { cursor, limit: limitOf(request.limit) };
  if (status !== undefined && !(O2_STATUSES as readonly string[]).includes(status)) throw new ValidationError(`Unknown status ${String(status)}.`, { status: [`one of ${O2_STATUSES.join(', ')}`] });
  const only = (page: Page<O2Account>) => (status ? { ...page, items: page.items.filter((o) => o.status === status) } : page);
  if (as === 'rc-core') {
    const { ctx } = await callerContext(deps, caller);
    if (!mayListO2Queue(caller, ctx)) throw new NotAllowedError("Only the RC Core and HMS IT may list the RC Core's queue.");
    return deps.o2.listByStatus(status ? [status] : RC_CORE_QUEUE, query);
  }
  if (as === 'pi') {
    // What the caller looks after: the accounts they sponsor, and every account of the labs they
    // head (as a PI now) or manage (their lab-manager and core-admin groups, read now).
    const { person } = await callerContext(deps, caller);
    const pis = [...(isPi(person) ? [caller.huid] : []), ...managedPis(person)];
    const labIds: string[] = [];
    for (const pi of [...new Set(pis)]) labIds.push(...(await deps.o2.labsOfPi(pi, { limit: MAX_LIMIT })).items.map((l) => l.labId));
    return only(await deps.o2.listForPi(caller.huid, labIds.sort(), query));
  }
  if (as !== 'user') throw new ValidationError(`Unknown list ${String(as)}.`, { as: ['one of user, pi, rc-core'] });
  return only(await deps.o2.listByUser(caller.huid, query));
}

export interface O2DecisionInput {
  decision: 'approve' | 'deny';
  reason?: string | undefined;
}

/**
 * POST /v1/o2-accounts/{id}/decision (rule "O2: sponsoring PI"): the sponsor, or the lab's PI or a
 * manager of the lab, approves or denies; anyone else is told it does not exist. A second decision
 * is a conflict. Wakes the approval step (`approval`/`approval-reminder`) with the outcome.
 */
async function decideO2Once(deps: Deps, caller: Caller, id: string, input: O2DecisionInput, ifMatch?: number): Promise<O2Account> {
  const { o2, person } = await o2For(deps, caller, id, 'decide', ifMatch);
  if (input.decision !== 'approve' && input.decision !== 'deny') throw new ValidationError('The decision is approve or deny.', { decision: ['one of approve, deny'] });
  const moved = o2StatusChange(o2.status, input.decision); // 409 once the request can no longer be decided
  if (o2.approval) throw new ConflictError(`The O2 request was already approved on ${o2.approval.at}.`);
  if (!person?.active) throw new NotAllowedError(`${caller.huid} is not active in the people directory: only an active sponsor or manager of the lab may decide.`);
  if (caller.huid === o2.userHuid && caller.huid !== o2.labPiHuid) throw new NotAllowedError(`You cannot decide your own O2 request: the lab's PI (${o2.labPiHuid}) or the sponsor decides it.`);
  const at = deps.clock.now().toISOString();
  const approval = { decision: input.decision, by: caller.huid, at, ...(input.reason ? { reason: input.reason } : {}) };
  const patch: Partial<O2Account> = input.decision === 'approve' ? { approval, ...moved } : { approval, ...moved, dueAt: undefined };
  const next = await changeO2(deps, o2, caller.huid, input.decision === 'approve' ? 'approved' : 'denied', patch);
  const decision: O2Decision = { outcome: input.decision === 'approve' ? O2_DECISION.approved : O2_DECISION.denied };
  const woken = await wakeO2(deps, id, ['approval', 'approval-reminder'], decision, caller.huid);
  if (input.decision === 'deny') {
    // Denied while waiting for the HMS account: that step looks again and finds the request closed.
    if (!woken) await wakeO2(deps, id, ['hms-account'], { outcome: O2_WAKE.ready }, caller.huid);
    await closeFiledGuest(deps, caller, next);
    const requester = await deps.people.person(o2.requestedBy);
    const to = [...new Set([o2.userEmail, requester?.email].filter((e): e is string => Boolean(e)))];
    if (to.length) await deps.mailer.send(emails.o2Denied(next, to, input.reason, deps.links));
  }
  return (await deps.o2.get(id)) ?? next;
}

export interface O2CompletionInput {
  unixUsername: string;
  /** The last day of the HMS account, when the RC Core knows it and the record does not yet (never past the HMS account's). */
  endDate?: IsoDate | undefined;
}

/**
 * POST /v1/o2-accounts/{id}/completion (rule "Off-Quad"): RC Core staff created the account on O2
 * (or renewed it). The Unix username is the HMS account ID (422 otherwise), whose account must be
 * active. The login is set up (directory first), ACTIVE, the user told; the `rc-core` step woken.
 */
async function completeO2Once(deps: Deps, caller: Caller, id: string, input: O2CompletionInput, ifMatch?: number): Promise<O2Account> {
  const { o2 } = await o2For(deps, caller, id, 'complete', ifMatch);
  o2Transition(o2.status, 'complete'); // 409 unless it waits for the RC Core
  const now = deps.clock.now();
  const hms = await hmsAccountOf(deps, o2, now);
  const accountId = hms.accountId ?? o2.accountId;
  if (hms.state !== 'active' || !accountId) {
    throw new RuleViolation(`The HMS account of ${o2.userName} is not active${accountId ? ` (${accountId}, ${hms.state})` : ''}: ${o2.status === 'RENEWAL_REQUESTED' ? 'the HMS ID is renewed first (the sponsor extends the HMS guest account)' : 'the O2 account is completed once it is'}.`);
  }
  const unixUsername = input.unixUsername?.trim() ?? '';
  if (unixUsername !== accountId) {
    throw new RuleViolation(`The Unix username of an O2 account is its HMS account ID, ${accountId}; "${unixUsername}" is not.`, { unixUsername: [`must be the HMS account ID ${accountId}`] });
  }
  let endDate = hms.endDate;
  if (input.endDate !== undefined) {
    if (!isIsoDate(input.endDate)) throw new ValidationError('endDate must be a date (YYYY-MM-DD).', { endDate: ['must be a date (YYYY-MM-DD)'] });
    if (compareDates(input.endDate, dateIn(now)) < 0) throw new RuleViolation(`The end date ${input.endDate} is past.`, { endDate: ['must be today or later'] });
    if (hms.endDate && compareDates(input.endDate, hms.endDate) > 0) {
      throw new RuleViolation(`An O2 account ends with its HMS account, on ${hms.endDate} at the latest.`, { endDate: [`must be ${hms.endDate} or earlier`] });
    }
    endDate = input.endDate;
  }
  const at = now.toISOString();
  // The RC Core's own last day stays on the completion: the schedule ends the account on the earlier of it and the HMS account's.
  const completion = { by: caller.huid, at, unixUsername, ...(input.endDate !== undefined && input.endDate !== hms.endDate ? { endDate } : {}) };
  await setUpO2(deps, o2, caller.huid, 'complete', { accountId, endDate }, { completion, dueAt: at });
  await wakeO2(deps, id, ['rc-core'], { outcome: O2_WAKE.ready }, caller.huid);
  return (await deps.o2.get(id))!;
}

/**
 * POST /v1/o2-accounts/{id}/renewal (rule "Renewal"): an expired account of an off-Quad lab; the
 * user or the PI asks, which emails rccore@hms.harvard.edu with the lab's PI in copy and opens a
 * request with the RC Core (RENEWAL_REQUESTED, completed as a setup is). A new execution follows it.
 */
async function renewO2Once(deps: Deps, caller: Caller, id: string, input: { note?: string | undefined } = {}, ifMatch?: number): Promise<O2Account> {
  const { o2 } = await o2For(deps, caller, id, 'renew', ifMatch);
  assertRenewable(o2); // 409 unless EXPIRED; 422 on-Quad
  const at = deps.clock.now().toISOString();
  await claimO2User(deps, o2, at); // one live O2 account per person: 409 if another holds the user now
  const generation = (o2.execution?.generation ?? 0) + 1;
  const renewal = { by: caller.huid, at, ...(input.note ? { note: input.note } : {}) };
  let next = await changeO2(deps, o2, caller.huid, 'renewal-requested', {
    status: o2Transition(o2.status, 'renew'),
    renewal,
    rcCoreRequestedAt: at,
    rcCoreRemindedAt: undefined,
    rcCoreEscalatedAt: undefined,
    completion: undefined,
    taskToken: undefined,
    waitingFor: undefined,
    failure: undefined,
    execution: { name: o2ExecutionName(id, generation), generation },
    dueAt: at,
  });
  const [pi, by] = await Promise.all([deps.people.person(o2.labPiHuid), actorName(deps, caller)]);
  await deps.mailer.send(emails.o2Renewal(next, pi, by, input.note, deps.links));
  next = await recordO2Sent(deps, next, caller.huid, `renewal@${at}`, {}, { to: 'rc-core', cc: 'pi' });
  if (o2.execution) await deps.o2Workflow.stop(o2.execution.name, `renewal requested by ${caller.huid}`);
  await deps.o2Workflow.start(next.execution!.name, o2ExecutionInput(id));
  return next;
}

/**
 * POST /v1/o2-accounts/{id}/cancel: ends the request or the account now. An account that is set up
 * loses its O2 login first (the directory before the change: one that cannot answers 503 and
 * nothing changes). The waiting step is woken, the execution stopped, the user and the PI told.
 */
async function cancelO2Once(deps: Deps, caller: Caller, id: string, input: { reason?: string | undefined } = {}, ifMatch?: number): Promise<O2Account> {
  const { o2 } = await o2For(deps, caller, id, 'cancel', ifMatch);
  const status = o2Transition(o2.status, 'cancel'); // 409 once it has ended
  const at = deps.clock.now().toISOString();
  // Due now: the reconciler's next run checks the directory once more (a setup racing this
  // cancellation may have written the login after the check below) and then clears it.
  const patch: Partial<O2Account> = { status, cancellation: { by: caller.huid, at, ...(input.reason ? { reason: input.reason } : {}) }, dueAt: at };
  if (o2IsSetUp(o2.status)) await syncO2Login(deps, { ...o2, ...patch });
  const next = await changeO2(deps, o2, caller.huid, 'cancelled', patch, input.reason ? { reason: input.reason } : undefined);
  // And now that the record says CANCELLED, once more: a setup that wrote the login meanwhile loses
  // its own record write and takes it away itself; one that wrote before this read is undone here.
  await syncO2Login(deps, next).catch(() => undefined);
  const woken = await wakeO2(deps, id, ['approval', 'approval-reminder'], { outcome: O2_DECISION.cancelled }, caller.huid);
  if (!woken) await wakeO2(deps, id, ['hms-account', 'lab-registration', 'rc-core'], { outcome: O2_WAKE.ready }, caller.huid);
  await closeFiledGuest(deps, caller, next);
  if (o2.execution) await deps.o2Workflow.stop(o2.execution.name, `cancelled by ${caller.huid}`);
  const pi = await deps.people.person(o2.piHuid);
  const to = [...new Set([o2.userEmail, pi?.email].filter((e): e is string => Boolean(e)))];
  if (to.length) await deps.mailer.send(emails.o2Cancelled(next, to, await actorName(deps, caller), deps.links));
  return (await deps.o2.get(id)) ?? next;
}

export async function o2History(deps: Deps, caller: Caller, id: string): Promise<O2AuditEvent[]> {
  await o2For(deps, caller, id, 'read');
  return deps.o2.history('o2', id);
}

export interface O2RetainInput {
  hmsSponsorHuid?: string | undefined;
  /** The services the kept account has (rule "Leaving HMS": O2 and HMS storage by default; O2 always). */
  services?: Service[] | undefined;
  /** The last day of the guest account (at most a year after it starts; a year by default). */
  endDate?: IsoDate | undefined;
}

/**
 * POST /v1/o2-accounts/{id}/retain (rule "Leaving HMS"): before the user's HMS appointment ends,
 * the user or the PI files the HMS guest account that keeps the same HMS account ID (the O2 login):
 * sponsored by the PI (or the named HMS sponsor), starting the day after the appointment ends
 * (approved by that act when the sponsor files it). The guest lifecycle provisions it as
 * `provision-retained`: the same directory user, no activation; O2 is never inactive.
 */
export async function retainO2(deps: Deps, caller: Caller, id: string, input: O2RetainInput = {}, ifMatch?: number): Promise<O2Account> {
  const { o2 } = await o2For(deps, caller, id, 'retain', ifMatch);
  assertHuid('hmsSponsorHuid', input.hmsSponsorHuid);
  const named = await namedHmsSponsor(deps, caller, input.hmsSponsorHuid, 'retain');
  o2Transition(o2.status, 'retain'); // 409 unless ACTIVE
  if (o2.retain) throw new ConflictError(`O2 account ${id} is kept already: HMS guest account ${o2.retain.guestId}, from ${o2.retain.startDate}.`);
  const now = deps.clock.now();
  const [user, pi] = await Promise.all([deps.people.person(o2.userHuid), deps.people.person(o2.piHuid)]);
  if (input.endDate !== undefined && !isIsoDate(input.endDate)) throw new ValidationError('endDate must be a date (YYYY-MM-DD).', { endDate: ['must be a date (YYYY-MM-DD)'] });
  const term = retainTerm(user, now, input.endDate);
  if (o2.accountId && o2.accountId !== term.accountId) {
    throw new ConflictError(`O2 account ${id} rests on the HMS account ${o2.accountId}, not on ${user!.name}'s own (${term.accountId}): its sponsor extends that account instead.`);
  }
  const sponsor = chooseHmsSponsor(user, pi, o2.piHuid, named);
  const { guest } = await prepareGuestRequest(deps, {
    guestHuid: o2.userHuid,
    population: o2GuestPopulation(undefined, sponsor),
    startDate: term.startDate,
    endDate: term.endDate,
    sponsorHuid: sponsor.huid,
    submittedBy: caller.huid,
    role: 'o2-request',
    services: retainedServices(input.services),
    justification: `Leaving HMS on ${user!.endDate}: keeps the HMS account ${term.accountId} (O2 and HMS storage) as a guest account.`,
    o2AccountId: id,
    retainedAccountId: term.accountId,
  });
  // The account must continue without a gap: a guest request that would first wait for a Harvard
  // Sponsored Role (and could time out after the appointment ends) is refused now, naming the step.
  if (guest.status === 'PENDING_HSR') {
    throw new RuleViolation(
      `${user!.name} has no Harvard Sponsored Role (HSR) covering ${term.startDate} to ${term.endDate}: the sponsor registers one in the HSR Portal first, then keeps the account (it continues as a guest account only with an active HSR).`,
    );
  }
  const filed = await submitGuestRequest(deps, guest);
  const at = now.toISOString();
  const next = await changeO2WithRetry(
    deps,
    id,
    caller.huid,
    'retain-requested',
    (cur) => (cur.retain || cur.status !== 'ACTIVE' ? undefined : { retain: { by: caller.huid, at, guestId: filed.guestId, startDate: term.startDate }, guestId: filed.guestId, ...(sponsor.huid === o2.piHuid ? {} : { hmsSponsorHuid: sponsor.huid }) }),
    { guestId: filed.guestId, startDate: term.startDate },
  );
  if (!next?.retain || next.retain.guestId !== filed.guestId) throw new ConflictError(`O2 account ${id} changed while the HMS guest account ${filed.guestId} was filed; read it again.`);
  return next;
}

/** registerLab, made again on the new version when it lost a race without If-Match (see `againIfStale`). */
export async function registerLab(deps: Deps, caller: Caller, labId: string, input: LabRegistrationInput, ifMatch?: number): Promise<Lab> {
  return againIfStale(ifMatch, () => registerLabOnce(deps, caller, labId, input, ifMatch));
}

/** decideO2, made again on the new version when it lost a race without If-Match (see `againIfStale`). */
export async function decideO2(deps: Deps, caller: Caller, id: string, input: O2DecisionInput, ifMatch?: number): Promise<O2Account> {
  return againIfStale(ifMatch, () => decideO2Once(deps, caller, id, input, ifMatch));
}

/** completeO2, made again on the new version when it lost a race without If-Match (see `againIfStale`). */
export async function completeO2(deps: Deps, caller: Caller, id: string, input: O2CompletionInput, ifMatch?: number): Promise<O2Account> {
  return againIfStale(ifMatch, () => completeO2Once(deps, caller, id, input, ifMatch));
}

/** renewO2, made again on the new version when it lost a race without If-Match (see `againIfStale`). */
export async function renewO2(deps: Deps, caller: Caller, id: string, input: { note?: string | undefined } = {}, ifMatch?: number): Promise<O2Account> {
  return againIfStale(ifMatch, () => renewO2Once(deps, caller, id, input, ifMatch));
}

/** cancelO2, made again on the new version when it lost a race without If-Match (see `againIfStale`). */
export async function cancelO2(deps: Deps, caller: Caller, id: string, input: { reason?: string | undefined } = {}, ifMatch?: number): Promise<O2Account> {
  return againIfStale(ifMatch, () => cancelO2Once(deps, caller, id, input, ifMatch));
}

/**
 * Without If-Match, a write that lost a race with the lifecycle's own book-keeping (an email
 * recorded, a task token kept, a step woken) is made again on the new version, every rule checked
 * again: the caller asked for the act, not for a version. With If-Match the 412 stands. Every write
 * before the one that lost (the directory) reads first, so doing it again changes nothing more.
 */
async function againIfStale<T>(ifMatch: number | undefined, act: () => Promise<T>, tries = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await act();
    } catch (err) {
      if (ifMatch !== undefined || !(err instanceof StaleWriteError) || attempt >= tries) throw err;
    }
  }
}

/**
 * The HMS guest request an O2 request filed (rule "No HMS account", or "Leaving HMS") ends with it:
 * cancelled or denied before the guest request was decided, it is cancelled too, so its sponsor is
 * not chased for an account nobody needs any more. One decided already (approved, provisioned) is
 * left to its sponsor. Never fails the O2 act: a guest request left open is still its sponsor's to
 * cancel.
 */
async function closeFiledGuest(deps: Deps, caller: Caller, o2: O2Account): Promise<void> {
  if (!o2.guestId) return;
  try {
    const guest = await deps.guests.get(o2.guestId);
    if (!guest?.filedForO2 || guest.o2AccountId !== o2.o2AccountId || !isOpenRequest(guest.status) || guest.approval) return;
    // On the O2 act's authority: the audit names the person who ended the O2 request.
    await cancelGuest(deps, { huid: caller.huid, roles: [deps.hmsItRole] }, guest.guestId);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
  }
}
