/** Use cases behind the HTTP API. Handlers parse and authenticate; these apply the rules. */
import { actingAs, allowedTo, decide as decideAccess, mayListEveryGuest, mayListGuestsOf, type GuestAction, type Relation } from '../domain/access.ts';
import { accountAttemptsMilestone, ACTIVATION_LIMITS, activationAttemptWindow, activationClient, activationCodeMatches, pairRecordExpiry, pairVerdict } from '../domain/activation-code.ts';
import { dateIn } from '../../core/domain/dates.ts';
import { ConflictError, GoneError, PreconditionFailedError, NotAllowedError, NotFoundError, RateLimitedError, RuleViolation, ValidationError } from '../../core/domain/errors.ts';
import { PASSWORD_RULES, passwordProblem } from '../domain/password-policy.ts';
import type { AuditEvent, Guest, Population, Service } from '../domain/model.ts';
import type { Caller } from '../../core/domain/people.ts';
import {
  ACTIVATION_CODE_VALID_MS,
  assertEligibleSponsor,
  assertMaySubmitFor,
  checkActivation,
  computeEntitlements,
  decideExtension,
  nextDueAt,
  o2Entitlement,
  refuseWyss,
} from '../domain/rules.ts';
import { statusChange, transition } from '../domain/transitions.ts';
import type { Page } from '../../core/ports.ts';
import type { GuestQuery } from './ports.ts';
import { syncAccount, syncFirst } from './account.ts';
import { issueActivation } from './activation.ts';
import { change, changeWithRetry } from './changes.ts';
import type { GuestDeps as Deps } from '../../app/deps.ts';
import { emails } from './emails.ts';
import { expireAccount, handBack } from './expiry.ts';
import { prepareGuestRequest, submitGuestRequest } from './request.ts';
import { APPROVAL_OUTCOME, EXECUTION_PHASE, executionInput, type ApprovalDecision } from './contract.ts';
import { guestMoved } from './events.ts';
import { sponsorsNaming } from './people.ts';

export interface GuestRequest {
  guestHuid: string;
  population: Population;
  endDate: string;
  startDate?: string | undefined;
  sponsorHuid?: string | undefined;
  services?: Service[] | undefined;
  contractorId?: string | undefined;
  justification?: string | undefined;
}

const executionName = (guestId: string, generation: number) => `${guestId}-${generation}`;

async function sponsorDelegates(deps: Deps, sponsorHuid: string): Promise<string[]> {
  return (await deps.people.person(sponsorHuid))?.delegates ?? [];
}

const WHO: Record<Relation, string> = { sponsor: "the guest's sponsor", delegate: 'a delegate the sponsor named', 'hms-it': 'HMS IT', none: 'no one' };

/**
 * Loads a guest the caller may act on; a guest the caller may not see is "not found". A sponsor
 * acting as sponsor (anything but reading) must still be an eligible sponsor: one who is no longer
 * (inactive, left HMS/HSDM, ...) keeps read access only, and HMS IT reassigns the guest.
 */
export async function guestFor(deps: Deps, caller: Caller, guestId: string, action: GuestAction, ifMatch?: number): Promise<Guest> {
  const guest = await deps.guests.get(guestId);
  if (!guest) throw new NotFoundError(`Guest ${guestId} was not found.`);
  const sponsor = await deps.people.person(guest.sponsorHuid);
  const ctx = { sponsorDelegates: sponsor?.delegates ?? [], hmsItRole: deps.hmsItRole };
  const verdict = decideAccess(caller, action, guest, ctx);
  if (verdict === 'hide') throw new NotFoundError(`Guest ${guestId} was not found.`);
  if (verdict === 'forbid') throw new NotAllowedError(`You may not ${action} guest ${guestId}: only ${allowedTo(action).map((r) => WHO[r]).join(' or ')} may.`);
  if (action !== 'read' && actingAs(caller, action, guest, ctx) === 'sponsor') {
    try {
      assertEligibleSponsor(guest.sponsorHuid, sponsor);
    } catch (err) {
      if (!(err instanceof NotAllowedError)) throw err;
      throw new NotAllowedError(`${err.message} Only an eligible sponsor may ${action} a guest; you can still read it. HMS IT can reassign the guest to an eligible sponsor.`);
    }
  }
  if (ifMatch !== undefined && guest.version !== ifMatch) {
    throw new PreconditionFailedError(`Guest ${guestId} changed since version ${ifMatch} (it is at version ${guest.version}); read it again.`);
  }
  return guest;
}

/**
 * POST /v1/guests: a sponsor (or a named delegate) requests an account for a guest, filed by
 * shared/guest/app/request.ts (as an O2 request files one). Rule "O2": the `o2` service starts the O2
 * account's own lifecycle (or links the one waiting for this HMS account): `o2AccountId` on the guest.
 */
export async function requestGuest(deps: Deps, caller: Caller, input: GuestRequest): Promise<Guest> {
  const submitter = await deps.people.person(caller.huid);
  if (submitter) refuseWyss(submitter);
  const sponsorHuid = input.sponsorHuid ?? caller.huid;
  const sponsorPerson = await deps.people.person(sponsorHuid);
  // Who may file in this sponsor's name first: a stranger learns nothing of the sponsor's standing.
  const role = assertMaySubmitFor(caller.huid, sponsorHuid, sponsorPerson);
  assertEligibleSponsor(sponsorHuid, sponsorPerson);
  const { guest } = await prepareGuestRequest(deps, { ...input, sponsorHuid, submittedBy: caller.huid, role });
  const filed = await submitGuestRequest(deps, guest);
  // Told to whoever listens (the O2 lifecycle starts or links an O2 account for the `o2` service); never failing the request, which is filed.
  await deps.guestEvents.publish({ type: 'guest-requested', guest: filed, submitterHuid: caller.huid });
  return (await deps.guests.get(filed.guestId)) ?? filed;
}

/**
 * The guest lifecycle's published act of linking (shared/guest/public.ts): an O2 account rests on
 * this guest account from now on (`o2AccountId`; a provisioned guest's `o2` entitlement names it).
 */
export async function linkO2Account(deps: Deps, guestId: string, o2AccountId: string, actor: string): Promise<Guest | undefined> {
  return changeWithRetry(deps, guestId, actor, 'o2-linked', (cur) => {
    if (cur.o2AccountId === o2AccountId) return undefined;
    const entitlements = cur.entitlements.some((e) => e.name === 'o2') ? cur.entitlements.map((e) => (e.name === 'o2' ? o2Entitlement(o2AccountId) : e)) : undefined;
    return { o2AccountId, ...(entitlements ? { entitlements } : {}) };
  });
}

export async function getGuest(deps: Deps, caller: Caller, guestId: string): Promise<Guest> {
  return guestFor(deps, caller, guestId, 'read');
}

/** Whose guests a list is: the caller's own (or one sponsor's), every sponsor's who named the caller delegate, or everyone's (HMS IT). */
export type ListAs = 'sponsor' | 'delegate' | 'hms-it';

export interface ListRequest extends GuestQuery {
  as?: ListAs | undefined;
  /** The sponsor whose guests to list (a delegate's sponsor; any, for HMS IT). */
  sponsorHuid?: string | undefined;
}

/**
 * GET /v1/guests, `as`:
 * - `sponsor` (default): the caller's own guests, or those of `sponsorHuid` when the caller may
 *   read that sponsor's guests (a delegate the sponsor named, HMS IT);
 * - `delegate`: the guests of every sponsor who named the caller as a delegate, by sponsor HUID
 *   then end date (`sponsorHuid`: one of them only);
 * - `hms-it`: every guest (HMS IT only), by status then end date, or one sponsor's.
 * Filters: status, end date before, recorded failure. From indexes only, never a Scan.
 */
export async function listGuests(deps: Deps, caller: Caller, request: ListRequest): Promise<Page<Guest>> {
  const { as = 'sponsor', sponsorHuid, ...query } = request;
  if (as === 'hms-it') {
    if (!mayListEveryGuest(caller, deps)) throw new NotAllowedError('Only HMS IT may list every guest.');
    return sponsorHuid ? deps.guests.listBySponsors([sponsorHuid], query) : deps.guests.listAll(query);
  }
  if (as === 'delegate') {
    const sponsors = (await sponsorsNaming(deps, caller.huid)).map((p) => p.huid);
    if (sponsorHuid && !sponsors.includes(sponsorHuid)) throw new NotAllowedError(`You are not a delegate of sponsor ${sponsorHuid}.`);
    return deps.guests.listBySponsors(sponsorHuid ? [sponsorHuid] : sponsors, query);
  }
  const sponsor = sponsorHuid ?? caller.huid;
  if (!mayListGuestsOf(caller, sponsor, { sponsorDelegates: sponsor === caller.huid ? [] : await sponsorDelegates(deps, sponsor), hmsItRole: deps.hmsItRole })) {
    throw new NotAllowedError(`You are not a delegate of sponsor ${sponsor}.`);
  }
  return deps.guests.listBySponsors([sponsor], query);
}

/** POST /v1/guests/{id}/decision: the sponsor approves or denies. A second decision is a conflict. */
export async function decideRequest(deps: Deps, caller: Caller, guestId: string, input: { decision: 'approve' | 'deny'; reason?: string | undefined }, ifMatch?: number): Promise<Guest> {
  const guest = await guestFor(deps, caller, guestId, 'decide', ifMatch);
  const moved = statusChange(guest.status, input.decision); // 409 once the request can no longer be decided
  if (guest.approval) throw new ConflictError(`The request was already approved on ${guest.approval.at}.`);
  const at = deps.clock.now().toISOString();
  const approval = { decision: input.decision, by: caller.huid, at, ...(input.reason ? { reason: input.reason } : {}) };
  const patch: Partial<Guest> =
    input.decision === 'approve'
      ? { approval, ...moved }
      : { approval, ...moved, dueAt: undefined, approvalTaskToken: undefined };
  const next = await change(deps, guest, caller.huid, input.decision === 'approve' ? 'approved' : 'denied', patch);
  if (input.decision === 'deny') {
    const requester = await deps.people.person(guest.submittedBy);
    if (requester) await deps.mailer.send(emails.denied(next, requester.email, input.reason));
  }
  if (guest.approvalTaskToken) {
    const decision: ApprovalDecision = { outcome: input.decision === 'approve' ? APPROVAL_OUTCOME.approved : APPROVAL_OUTCOME.denied };
    await deps.workflow.resume(guest.approvalTaskToken, decision);
  }
  if (input.decision === 'deny' && guest.status === 'PENDING_HSR' && guest.execution) {
    await deps.workflow.stop(guest.execution.name, 'denied by the sponsor');
  }
  // Rule "No HMS account": an O2 account waiting for this HMS account learns it will not come.
  if (input.decision === 'deny') await guestMoved(deps, next);
  return next;
}

/** POST /v1/guests/{id}/extension: a new end date (rule "Extension"); restores an account expired less than 30 days ago. */
export async function extendGuest(deps: Deps, caller: Caller, guestId: string, input: { endDate: string }, ifMatch?: number): Promise<Guest> {
  const guest = await guestFor(deps, caller, guestId, 'extend', ifMatch);
  const now = deps.clock.now();
  const hsr = await deps.hsr.hsr(guest.guestHuid);
  const { restores } = decideExtension(guest, input.endDate, hsr, now);
  const patch: Partial<Guest> = { endDate: input.endDate };
  if (restores) {
    const sponsor = await deps.people.person(guest.sponsorHuid);
    Object.assign(patch, {
      status: transition(guest.status, guest.activatedAt ? 'restore' : 'restore-unactivated'),
      expiredAt: undefined,
      expiredNoticeSentAt: undefined,
      expiredNoticeSentTo: undefined,
      entitlements: sponsor ? computeEntitlements(guest.services, sponsor, { o2AccountId: guest.o2AccountId }) : guest.entitlements,
      lastNoticeDate: undefined,
    });
    const generation = (guest.execution?.generation ?? 0) + 1;
    patch.execution = { name: executionName(guestId, generation), generation };
  }
  patch.dueAt = nextDueAt({ ...guest, ...patch }, now);
  // The directory account first (new end date; a restore enables it with its groups back), never failing the extension.
  const next = await change(deps, guest, caller.huid, restores ? 'restored' : 'extended', await syncFirst(deps, guest, patch));
  if (restores) {
    // The old execution sleeps until the end of the restore window: hand over to a new one now.
    if (guest.execution) await deps.workflow.stop(guest.execution.name, 'restored by an extension');
    await deps.workflow.start(next.execution!.name, executionInput(guestId, EXECUTION_PHASE.schedule));
    await guestMoved(deps, next);
  }
  // The guest of an account that exists is told its new end (one not yet set up learns it with its activation email).
  // A courtesy: an email that fails is logged and does not undo or fail the extension the sponsor sees done.
  if (next.accountId) {
    await deps.people
      .person(next.sponsorHuid)
      .then((sponsor) => deps.mailer.send(emails.extended(next, sponsor, restores)))
      .catch((err: unknown) => console.warn(JSON.stringify({ level: 'WARN', message: 'The extension email to the guest was not sent.', guestId, error: err instanceof Error ? err.message : String(err) })));
  }
  return next;
}

/** POST /v1/guests/{id}/cancel: ends the request or the account now. */
export async function cancelGuest(deps: Deps, caller: Caller, guestId: string, ifMatch?: number): Promise<Guest> {
  const guest = await guestFor(deps, caller, guestId, 'cancel', ifMatch);
  const patch: Partial<Guest> = {
    status: transition(guest.status, 'cancel'),
    entitlements: guest.entitlements.map((e) => ({ ...e, granted: false, reason: e.granted ? 'cancelled' : e.reason })),
    dueAt: undefined,
    approvalTaskToken: undefined,
    ...(await handBack(deps, guest, 'cancelled while the person still holds their own HMS appointment')),
  };
  // The directory account disabled and out of its groups first, never failing the cancellation.
  const next = await change(deps, guest, caller.huid, 'cancelled', await syncFirst(deps, guest, patch));
  if (guest.approvalTaskToken) await deps.workflow.resume(guest.approvalTaskToken, { outcome: APPROVAL_OUTCOME.cancelled } satisfies ApprovalDecision);
  if (guest.execution) await deps.workflow.stop(guest.execution.name, `cancelled by ${caller.huid}`);
  const [sponsor, by] = await Promise.all([deps.people.person(guest.sponsorHuid), caller.huid === guest.sponsorHuid ? undefined : deps.people.person(caller.huid)]);
  if (sponsor) await deps.mailer.send(emails.cancelled(next, sponsor, caller.huid === guest.sponsorHuid ? 'you' : (by?.name ?? 'HMS IT')));
  await guestMoved(deps, next);
  return next;
}

/** POST /v1/guests/{id}/activation/resend: a new code; the old one no longer works. */
export async function resendActivation(deps: Deps, caller: Caller, guestId: string, ifMatch?: number): Promise<Guest> {
  const guest = await guestFor(deps, caller, guestId, 'resend', ifMatch);
  transition(guest.status, 'resend-activation'); // 409 unless the account waits for activation
  return issueActivation(deps, guest, caller.huid, 'activation-resent');
}

/** A successful activation: the active guest and, when the directory takes no password writes, where the guest sets the password. */
export interface Activation {
  guest: Guest;
  setPasswordUrl?: string | undefined;
}

/** The guest record read for an unknown account ID, so that an unknown ID costs the same reads as a known one. */
const NO_GUEST_ID = '00000000-0000-4000-8000-000000000000';

/** The one answer to every activation attempt that does not hold the right code, whatever the account. */
export const ACTIVATION_FAILED = 'The account ID or activation code is not right. Check the email "Activate your HMS account"; if the code still does not work, ask your sponsor to send a new one.';
const activationFailed = () => new ValidationError(ACTIVATION_FAILED, { code: ['does not match this account ID'] });
const activationThrottled = (retryAfterSeconds: number) =>
  new RateLimitedError('Too many activation attempts. Wait before trying again; if it keeps failing, ask your sponsor to send a new activation code.', retryAfterSeconds);

/**
 * POST /v1/activate: the guest activates with account ID and code (no login). Every attempt is
 * counted before the code is compared (per source address, per account and source, per account and
 * code: see ACTIVATION_LIMITS), and every step is the same whether or not the account exists, so a
 * caller without the right code gets the same answer, after the same work, for any account ID.
 */
export async function activate(deps: Deps, input: { accountId: string; code: string; password: string }, sourceIp: string): Promise<Activation> {
  const now = deps.clock.now();
  const window = activationAttemptWindow(now);
  // One client per IPv4 address, per IPv6 /48: one client cannot pass for many addresses.
  const client = activationClient(sourceIp);
  if ((await deps.attempts.count(`activate#${client}`, window.window, ACTIVATION_LIMITS.perSource.attempts, window.expiresAt)) === undefined) {
    throw activationThrottled(window.retryAfterSeconds);
  }
  const pairKey = `activate-pair#${input.accountId}#${client}`;
  await countPairAttempt(deps, pairKey, now);

  const guestId = await deps.guests.guestIdForAccount(input.accountId);
  const guest = await deps.guests.get(guestId ?? NO_GUEST_ID);
  const code = guest?.activation;
  // Per account and code (named by the start of its hash): a resend, a new code, starts a new count.
  const attempts = await deps.attempts.count(
    `activate-account#${input.accountId}`,
    code ? code.hash.slice(0, 16) : 'no-code',
    ACTIVATION_LIMITS.perAccount.ceiling,
    new Date(now.getTime() + ACTIVATION_CODE_VALID_MS + 86_400_000),
  );
  if (attempts === undefined) throw activationThrottled(ACTIVATION_LIMITS.perAccount.lockedRetryAfterSeconds);
  const matches = activationCodeMatches(input.code, code?.hash);
  const verdict = checkActivation(guest, matches, now);
  if (verdict === 'wrong-code') {
    const milestone = accountAttemptsMilestone(attempts);
    if (guest && code && milestone) await reportAttempts(deps, guest, code.hash, milestone, attempts);
    throw activationFailed();
  }
  // From here on the caller holds the right code: not a stranger guessing, so the next try (another
  // password, after the directory answered 503) need not wait.
  await deps.attempts.reset(pairKey);
  switch (verdict) {
    case 'ok': {
      // Rule "Password policy": only now, with the right code. A refusal names the rule (never the
      // password) and uses nothing up: the code still works.
      const broken = passwordProblem(input.password, { accountId: guest!.accountId ?? input.accountId, names: [guest!.guestName] });
      if (broken) {
        throw new RuleViolation(`The password ${PASSWORD_RULES[broken]}. Choose another one; your activation code still works.`, { password: [PASSWORD_RULES[broken]] });
      }
      // The account in the directory first: the password set, then the user enabled with its groups.
      // Only then is the code spent; if the directory cannot do it, nothing is used up (503/502).
      const { password } = await syncAccount(deps, { ...guest!, status: transition(guest!.status, 'activate') }, { password: input.password });
      const activated = await changeWithRetry(deps, guest!.guestId, guest!.guestHuid, 'activated', (cur) =>
        checkActivation(cur, cur.activation?.hash === code!.hash, now) === 'ok'
          ? { status: transition(cur.status, 'activate'), activatedAt: now.toISOString(), activation: { ...cur.activation!, usedAt: now.toISOString() } }
          : undefined,
      );
      const setPasswordUrl = password?.set === false ? password.setPasswordUrl : undefined;
      // Activated by a parallel attempt with the same code: the same success. An O2 account waiting for this HMS account goes on.
      if (activated?.status === 'ACTIVE') {
        await guestMoved(deps, activated);
        return { guest: activated, setPasswordUrl };
      }
      // The guest changed meanwhile (a resend, a cancel): the directory goes back to what the record says.
      await syncAccount(deps, activated ?? guest!).catch(() => undefined);
      throw new GoneError('This activation code can no longer be used. Ask your sponsor to send a new one.');
    }
    case 'already-active':
      return { guest: guest! };
    case 'locked':
      throw new GoneError('This activation code was locked after too many attempts. Your sponsor has been told; ask them to send a new one.');
    case 'expired':
      throw new GoneError('This activation code has expired. Ask your sponsor to send a new one.');
    case 'closed':
      throw new GoneError('This HMS guest account is no longer waiting for activation (it has expired or was cancelled). Contact your sponsor.');
    case 'not-started':
      throw new RuleViolation(`This account starts on ${guest!.startDate}; activate it on or after that day.`);
  }
}

/** One attempt of an (account ID, source address) pair: refused while the pair must wait (exponential delay, then a lock). */
async function countPairAttempt(deps: Deps, key: string, now: Date): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const record = await deps.attempts.attempts(key);
    const verdict = pairVerdict(record, now);
    if (!verdict.allowed) throw activationThrottled(verdict.retryAfterSeconds);
    if (await deps.attempts.record(key, record?.attempts ?? 0, now.toISOString(), pairRecordExpiry(now))) return;
    // Another attempt of this pair was recorded first: read it again (it now has to wait).
  }
  throw activationThrottled(1);
}

/**
 * A burst of wrong attempts on one account and code: the sponsor is told; at the ceiling the code
 * is locked and HMS IT alerted too. Recorded on the guest (audited) once per code.
 */
async function reportAttempts(deps: Deps, guest: Guest, hash: string, milestone: 'burst' | 'ceiling', attempts: number): Promise<void> {
  const at = deps.clock.now().toISOString();
  const field = milestone === 'ceiling' ? 'lockedAt' : 'burstReportedAt';
  const recorded = await changeWithRetry(deps, guest.guestId, 'activation-limiter', milestone === 'ceiling' ? 'activation-locked' : 'activation-attempts-reported', (cur) =>
    cur.activation?.hash === hash && !cur.activation[field] ? { activation: { ...cur.activation, [field]: at } } : undefined,
  );
  if (milestone === 'ceiling') await deps.alerts.raise('activation-ceiling', { guestId: guest.guestId, accountId: guest.accountId, attempts });
  const sponsor = await deps.people.person(guest.sponsorHuid);
  if (sponsor && recorded?.activation?.[field] === at) await deps.mailer.send(emails.activationAttempts(recorded, sponsor, attempts, milestone === 'ceiling', deps.links));
}

export async function guestHistory(deps: Deps, caller: Caller, guestId: string): Promise<AuditEvent[]> {
  await guestFor(deps, caller, guestId, 'read');
  return deps.guests.history(guestId);
}

/** HMS IT: expire an account now (same effects as expiry at the end date). */
export async function forceExpire(deps: Deps, caller: Caller, guestId: string, reason?: string, ifMatch?: number): Promise<Guest> {
  const guest = await guestFor(deps, caller, guestId, 'force-expire', ifMatch);
  transition(guest.status, 'expire'); // 409 unless the account can expire
  const today = dateIn(deps.clock.now());
  const shortened = await change(deps, guest, caller.huid, 'end-date-set-by-hms-it', { endDate: today < guest.endDate ? today : guest.endDate }, reason ? { reason } : undefined);
  return expireAccount(deps, shortened, caller.huid, { directory: 'first' });
}

/** HMS IT: move a guest to another eligible sponsor. */
export async function reassignSponsor(deps: Deps, caller: Caller, guestId: string, input: { sponsorHuid: string; reason?: string | undefined }, ifMatch?: number): Promise<Guest> {
  const guest = await guestFor(deps, caller, guestId, 'reassign', ifMatch);
  const sponsor = assertEligibleSponsor(input.sponsorHuid, await deps.people.person(input.sponsorHuid));
  if (sponsor.huid === guest.guestHuid) throw new RuleViolation('A guest cannot sponsor themselves.');
  const patch = await syncFirst(deps, guest, { sponsorHuid: sponsor.huid });
  return change(deps, guest, caller.huid, 'sponsor-reassigned', patch, input.reason ? { reason: input.reason } : undefined);
}

