/** Asking for an O2 account (POST /v1/o2-accounts), reading and listing them. */
import { decideLab, decideO2 as decideO2Access, mayListO2Queue } from '../domain/access.ts';
import { addYears, compareDates, dateIn } from '../../core/domain/dates.ts';
import { ConflictError, NotAllowedError, RuleViolation, ValidationError } from '../../core/domain/errors.ts';
import { type Caller, type Person } from '../../core/domain/people.ts';
import { O2_STATUSES, type O2Account, type O2Status } from '../domain/model.ts';
import { assertHasHarvardId, assertNotOwnSponsor, assertO2Sponsor, chooseHmsSponsor, isPi, o2GuestPopulation, o2Requester, ownHmsAccount } from '../domain/rules.ts';
import { o2Transition } from '../domain/transitions.ts';
import type { Page } from '../../core/ports.ts';
import type { O2Deps as Deps } from '../../app/deps.ts';
import { changeO2WithRetry } from './changes.ts';
import { createO2Account, liveO2Of } from './request.ts';
import { assertMaySubmitFor, DEFAULT_SERVICES, linkO2Account, liveGuestOf, prepareGuestRequest, sponsorStanding, submitGuestRequest, type Service } from '../../guest/public.ts';

import { assertHuid, callerContext, limitOf, managedPis, MAX_LIMIT, o2For } from './access-check.ts';

export interface O2Request {
  userHuid: string;
  piHuid: string;
  labId: string;
  justification?: string | undefined;
  /** The HMS sponsor of the HMS guest account the user needs, when the PI cannot sponsor one. */
  hmsSponsorHuid?: string | undefined;
}

/** The services of an HMS guest account an O2 request files: the defaults, and O2 (which the O2 account's own lifecycle provides). */
export const O2_GUEST_SERVICES: Service[] = [...DEFAULT_SERVICES, 'o2'];

/**
 * Rule "Leaving HMS": the person keeps O2 and HMS storage without a gap. The kept account's
 * services: those the request names, else the defaults with HMS storage (`file-shares`); O2 always.
 */
export const RETAINED_SERVICES: readonly Service[] = [...DEFAULT_SERVICES, 'file-shares', 'o2'];
export function retainedServices(asked: readonly Service[] | undefined): Service[] {
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
export async function namedHmsSponsor(deps: Deps, caller: Caller, huid: string | undefined, act: 'request' | 'retain'): Promise<{ huid: string; person: Person | undefined } | undefined> {
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

