/** What people do to an O2 account: decide, complete (the RC Core), renew, cancel, keep when leaving HMS; and its history. Each made again on the new version when it lost a race without If-Match. */
import { compareDates, dateIn, isIsoDate, type IsoDate } from '../../core/domain/dates.ts';
import { ConflictError, DomainError, NotAllowedError, RuleViolation, ValidationError } from '../../core/domain/errors.ts';
import { type Caller } from '../../core/domain/people.ts';
import { type O2Account, type O2AuditEvent } from '../domain/model.ts';
import { assertRenewable, chooseHmsSponsor, o2GuestPopulation, retainTerm } from '../domain/rules.ts';
import { o2IsSetUp, o2StatusChange, o2Transition } from '../domain/transitions.ts';
import type { O2Deps as Deps } from '../../app/deps.ts';
import { emails } from './emails.ts';
import { setUpO2, syncO2Login } from './login.ts';
import { changeO2, changeO2WithRetry, recordO2Sent } from './changes.ts';
import { O2_DECISION, O2_WAKE, o2ExecutionInput, o2ExecutionName, type O2Decision } from './contract.ts';
import { hmsAccountOf, wakeO2 } from './hms-account.ts';
import { claimO2User } from './request.ts';
import { cancelGuest, isOpenRequest, prepareGuestRequest, submitGuestRequest, type Service } from '../../guest/public.ts';

import { actorName, againIfStale, assertHuid, o2For } from './access-check.ts';
import { namedHmsSponsor, retainedServices } from './requests.ts';

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
