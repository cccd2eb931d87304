/**
 * Starting an O2 account's lifecycle: from POST /v1/o2-accounts (shared/o2/app/o2.ts) and from a guest
 * account request whose `o2` service asks for one (shared/guest/app/guests.ts). One live O2 account per
 * person; the lab's on-Quad/off-Quad standing taken again from the PI's appointments.
 */
import { ConflictError, DomainError } from '../../core/domain/errors.ts';
import type { Person } from '../../core/domain/people.ts';
import type { Lab, O2Account } from '../domain/model.ts';
import { approvesForLab, assertO2Sponsor, quadStanding } from '../domain/rules.ts';
import { o2IsFinal, o2Transition, START } from '../domain/transitions.ts';
import { METRIC_NAMES } from '../../core/ports.ts';
import type { O2Deps as Deps } from '../../app/deps.ts';
import { changeLab, changeO2 } from './changes.ts';
import { o2ExecutionInput, o2ExecutionName } from './contract.ts';
import { type Guest } from '../../guest/public.ts';

export interface O2Filing {
  userHuid: string;
  /** The sponsoring PI (or manager of the lab), checked by the caller. */
  piHuid: string;
  lab: Lab;
  requestedBy: string;
  justification?: string | undefined;
  hmsSponsorHuid?: string | undefined;
  /** Asked by the sponsor, the lab's PI or a manager: approved by that act (rule "O2: sponsoring PI"). */
  approvedBySubmission: boolean;
  /** The user has an active HMS account now; otherwise the O2 account waits for it. */
  hmsAccountActive: boolean;
  accountId?: string | undefined;
  /** The HMS guest account it rests on. */
  guestId?: string | undefined;
  o2AccountId?: string | undefined;
}

/** Whether an O2 account still holds its user (one live O2 account per person): until it ends, or expires. */
export function o2HoldsUser(o2: Pick<O2Account, 'status'>): boolean {
  return !o2IsFinal(o2.status) && o2.status !== 'EXPIRED';
}

/** The O2 account holding this user now, if any. */
export async function liveO2Of(deps: Pick<Deps, 'o2'>, userHuid: string): Promise<O2Account | undefined> {
  const claim = await deps.o2.userClaim(userHuid);
  if (!claim) return undefined;
  const holder = await deps.o2.get(claim.guestId);
  return holder && o2HoldsUser(holder) ? holder : undefined;
}

/**
 * Rules "On-Quad" and "Off-Quad": the lab's standing, from its PI's appointments now. When it
 * changed, the lab is updated (audited): an off-Quad lab needs the RC Core's registration, an
 * on-Quad one does not.
 */
export async function refreshLabStanding(deps: Deps, lab: Lab, actor: string): Promise<Lab> {
  const pi = await deps.people.person(lab.piHuid);
  if (!pi) return lab;
  const quad = quadStanding(lab.institution, pi);
  if (quad.onQuad === lab.quad.onQuad && quad.reason === lab.quad.reason) return lab;
  const registration = quad.onQuad ? (lab.registration.status === 'pending' ? { status: 'not-required' as const } : lab.registration) : lab.registration.status === 'not-required' ? { status: 'pending' as const } : lab.registration;
  return changeLab(deps, lab, actor, 'standing-changed', { quad, registration });
}

/** Creates the O2 account (claiming its user first) and starts its lifecycle. */
export async function createO2Account(deps: Deps, f: O2Filing): Promise<O2Account> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const [person, hsr] = await Promise.all([deps.people.person(f.userHuid), deps.hsr.hsr(f.userHuid)]);
  const o2AccountId = f.o2AccountId ?? deps.random.uuid();
  const lab = await refreshLabStanding(deps, f.lab, f.requestedBy);
  const o2: O2Account = {
    o2AccountId,
    status: o2Transition(START, f.hmsAccountActive ? 'request' : 'request-awaiting-hms-account'),
    userHuid: f.userHuid,
    userName: person?.name ?? (hsr ? `${hsr.firstName} ${hsr.lastName}` : `HUID ${f.userHuid}`),
    userEmail: person?.email ?? hsr?.personalEmail ?? '',
    piHuid: f.piHuid,
    labId: lab.labId,
    labPiHuid: lab.piHuid,
    requestedBy: f.requestedBy,
    quad: lab.quad,
    createdAt: at,
    updatedAt: at,
    version: 1,
    execution: { name: o2ExecutionName(o2AccountId, 1), generation: 1 },
    dueAt: at,
  };
  if (f.justification) o2.justification = f.justification;
  if (f.hmsSponsorHuid) o2.hmsSponsorHuid = f.hmsSponsorHuid;
  if (f.guestId) o2.guestId = f.guestId;
  if (f.accountId) o2.accountId = f.accountId;
  if (f.approvedBySubmission) o2.approval = { decision: 'approve', by: f.requestedBy, at, bySubmission: true };
  else if (f.hmsAccountActive) o2.approvalRequestedAt = at;
  o2.lastAudit = { kind: 'o2', id: o2AccountId, seq: 1, at, actor: f.requestedBy, action: 'requested', after: { ...o2 }, detail: { quad: lab.quad.onQuad ? 'on-Quad' : 'off-Quad', ...(f.guestId ? { guestId: f.guestId } : {}) } };
  await claimO2User(deps, o2, at);
  await deps.o2.create(o2);
  await deps.o2.appendAudit([o2.lastAudit]);
  await deps.o2Workflow.start(o2.execution!.name, o2ExecutionInput(o2AccountId));
  deps.metrics.count(METRIC_NAMES.o2Requested);
  return o2;
}

/** One live O2 account per person: the account claims its user, unless another one that still holds the user has (409). Also for a renewal (the expired account claims its user again). */
export async function claimO2User(deps: Pick<Deps, 'o2'>, o2: Pick<O2Account, 'o2AccountId' | 'userHuid'>, at: string): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const current = await deps.o2.userClaim(o2.userHuid);
    if (current) {
      const holder = await deps.o2.get(current.guestId);
      if (holder && holder.o2AccountId !== o2.o2AccountId && o2HoldsUser(holder)) {
        throw new ConflictError(`${o2.userHuid} already has another O2 account or a pending request for one; a person holds one O2 account at a time.`);
      }
    }
    if (await deps.o2.claimUser(o2.userHuid, { guestId: o2.o2AccountId, claimedAt: at }, current)) return;
  }
  throw new ConflictError(`Another O2 request for ${o2.userHuid} is being made at this moment; try again in a minute.`);
}

/**
 * The guest account's `o2` service (rule "O2"): starts the O2 account's lifecycle, resting on this
 * guest account, in the lab the sponsor heads (when they head exactly one); or links the O2 account
 * that waits for an HMS account for this person. Answers its ID, or undefined when there is none to
 * start (the entitlement then says how to request one). Never fails the guest request.
 */
export async function startO2ForGuest(deps: Deps, guest: Guest, submitter: Person | undefined): Promise<string | undefined> {
  if (!guest.services.includes('o2')) return undefined;
  try {
    const waiting = await liveO2Of(deps, guest.guestHuid);
    if (waiting) {
      if (waiting.status !== 'PENDING_HMS_ACCOUNT') return undefined;
      await changeO2(deps, waiting, guest.submittedBy, 'hms-account-linked', { guestId: guest.guestId });
      return waiting.o2AccountId;
    }
    const labs = (await deps.o2.labsOfPi(guest.sponsorHuid, { limit: 2 })).items;
    if (labs.length !== 1) return undefined;
    const lab = labs[0]!;
    // Rule "O2: sponsoring PI": the sponsor heads the lab only while an active person with a faculty appointment.
    assertO2Sponsor(guest.sponsorHuid, await deps.people.person(guest.sponsorHuid), lab);
    const o2 = await createO2Account(deps, {
      userHuid: guest.guestHuid,
      piHuid: guest.sponsorHuid,
      lab,
      requestedBy: guest.submittedBy,
      approvedBySubmission: guest.submittedBy === guest.sponsorHuid || approvesForLab(submitter, lab),
      hmsAccountActive: false,
      guestId: guest.guestId,
    });
    return o2.o2AccountId;
  } catch (err) {
    if (err instanceof DomainError) return undefined;
    throw err;
  }
}
