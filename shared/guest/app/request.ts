/**
 * Filing an HMS guest account request: what POST /v1/guests does once it knows who submits, and
 * what an O2 request files for a user with no HMS account (rule "No HMS account") or keeping a
 * leaving person's account (rule "Leaving HMS"). In two steps, so a caller can check every rule
 * before anything is written (`prepareGuestRequest`), then write and start it (`submitGuestRequest`).
 */
import { ConflictError, RuleViolation } from '../../core/domain/errors.ts';
import { DEFAULT_SERVICES, type AuditEvent, type Guest, type Population, type Service } from '../domain/model.ts';
import { type Person } from '../../core/domain/people.ts';
import { assertEligibleSponsor, assertPopulation, decideTerm, holdsPerson, hsrState } from '../domain/rules.ts';
import { START, transition } from '../domain/transitions.ts';
import { METRIC_NAMES } from '../../core/ports.ts';
import type { GuestDeps as Deps } from '../../app/deps.ts';
import { executionInput } from './contract.ts';

export interface GuestFiling {
  guestHuid: string;
  population: Population;
  endDate: string;
  startDate?: string | undefined;
  /** The sponsor (checked: an eligible HMS/HSDM sponsor). */
  sponsorHuid: string;
  /** Who files it: the sponsor (approving by that act), a delegate, or (an O2 request) the user or the PI. */
  submittedBy: string;
  /** How the submitter relates to the sponsor, for the audit trail. */
  role: 'sponsor' | 'delegate' | 'o2-request';
  services?: Service[] | undefined;
  contractorId?: string | undefined;
  justification?: string | undefined;
  /** The guest ID to use (an O2 request names it before it is written). */
  guestId?: string | undefined;
  /** The O2 account this guest account's `o2` service links. */
  o2AccountId?: string | undefined;
  /** Rule "Leaving HMS": the person's own HMS account ID, kept. */
  retainedAccountId?: string | undefined;
}

const executionName = (guestId: string, generation: number) => `${guestId}-${generation}`;

/** How long a claim whose guest record does not exist yet is taken to be a request still being made. */
const CLAIM_IN_FLIGHT_MS = 5 * 60_000;

/** The guest record a filing makes, every rule checked (who may sponsor, the term, the population, one live account per person); nothing is written. */
export async function prepareGuestRequest(deps: Deps, input: GuestFiling): Promise<{ guest: Guest; sponsor: Person }> {
  const now = deps.clock.now();
  const sponsor = assertEligibleSponsor(input.sponsorHuid, await deps.people.person(input.sponsorHuid));
  if (input.guestHuid === sponsor.huid) throw new RuleViolation('A sponsor cannot sponsor themselves.');
  const term = decideTerm(input, now);
  const [guestPerson, hsr] = await Promise.all([deps.people.person(input.guestHuid), deps.hsr.hsr(input.guestHuid)]);
  assertPopulation(input.population, input, sponsor, guestPerson, { retain: Boolean(input.retainedAccountId) });
  await assertPersonFree(deps, input.guestHuid, sponsor.huid, now);

  const at = now.toISOString();
  const hsrOk = hsrState(hsr, term.endDate) === 'ok';
  const guestId = input.guestId ?? deps.random.uuid();
  const bySponsor = input.submittedBy === sponsor.huid;
  const guest: Guest = {
    guestId,
    status: transition(START, hsrOk ? 'request' : 'request-awaiting-hsr'),
    guestHuid: input.guestHuid,
    guestName: hsr ? `${hsr.firstName} ${hsr.lastName}` : (guestPerson?.name ?? `HUID ${input.guestHuid}`),
    guestEmail: hsr?.personalEmail ?? '',
    sponsorHuid: sponsor.huid,
    submittedBy: input.submittedBy,
    population: input.population,
    services: [...new Set(input.services ?? DEFAULT_SERVICES)],
    startDate: term.startDate,
    endDate: term.endDate,
    entitlements: [],
    createdAt: at,
    updatedAt: at,
    version: 1,
    execution: { name: executionName(guestId, 1), generation: 1 },
  };
  if (input.contractorId) guest.contractorId = input.contractorId;
  if (input.justification) guest.justification = input.justification;
  if (input.o2AccountId) guest.o2AccountId = input.o2AccountId;
  if (input.role === 'o2-request') guest.filedForO2 = true;
  if (input.retainedAccountId) guest.retainedAccountId = input.retainedAccountId;
  if (bySponsor) guest.approval = { decision: 'approve', by: input.submittedBy, at, bySubmission: true };
  if (hsrOk) {
    if (!bySponsor) guest.approvalRequestedAt = at;
  } else {
    guest.hsrWaitingSince = at;
  }
  guest.hsrCheckedAt = at;
  // Due now: if the execution below fails to start, the reconciler starts it.
  guest.dueAt = at;
  guest.lastAudit = {
    guestId,
    seq: 1,
    at,
    actor: input.submittedBy,
    action: 'requested',
    after: { ...guest },
    detail: { role: input.role, hsr: hsrState(hsr, term.endDate), ...(input.o2AccountId ? { o2AccountId: input.o2AccountId } : {}), ...(input.retainedAccountId ? { retained: true } : {}) },
  };
  return { guest, sponsor };
}

/** Writes the prepared guest (claiming its person first: one live HMS guest account per person) and starts its lifecycle. */
export async function submitGuestRequest(deps: Deps, guest: Guest): Promise<Guest> {
  await claimPerson(deps, guest, deps.clock.now());
  await deps.guests.create(guest);
  await deps.guests.appendAudit([guest.lastAudit as AuditEvent]);
  await deps.workflow.start(guest.execution!.name, executionInput(guest.guestId));
  deps.metrics.count(METRIC_NAMES.requested);
  return guest;
}

/** The guest that holds this person now (a live HMS guest account or a pending request), if any. */
export async function liveGuestOf(deps: Pick<Deps, 'guests'>, huid: string, now: Date): Promise<Guest | undefined> {
  const claim = await deps.guests.personClaim(huid);
  if (!claim) return undefined;
  const holder = await deps.guests.get(claim.guestId);
  return holder && holdsPerson(holder, now) ? holder : undefined;
}

function taken(huid: string, holder: Guest | undefined, sponsorHuid: string): ConflictError {
  const yours = holder && holder.sponsorHuid === sponsorHuid ? ` You sponsor it already: guest ${holder.guestId} (${holder.status}).` : '';
  return new ConflictError(
    `HUID ${huid} already has a live HMS guest account or a pending request for one, and a person holds one guest account at a time.${yours || ' Contact HMS IT if the person needs another sponsor or other dates.'}`,
  );
}

/** Refuses (409) while another guest record holds the person (read only: `claimPerson` decides for good). */
async function assertPersonFree(deps: Deps, huid: string, sponsorHuid: string, now: Date): Promise<void> {
  const current = await deps.guests.personClaim(huid);
  if (!current) return;
  const holder = await deps.guests.get(current.guestId);
  const held = holder ? holdsPerson(holder, now) : now.getTime() - Date.parse(current.claimedAt) < CLAIM_IN_FLIGHT_MS;
  if (held) throw taken(huid, holder, sponsorHuid);
}

/**
 * One live HMS guest account per person: the guest claims its person (a conditional write on one
 * item per HUID), unless another guest record that still holds the person has. A claim left by a
 * request that never created its guest (it died between the two writes) is taken over after a while.
 */
async function claimPerson(deps: Deps, guest: Guest, now: Date): Promise<void> {
  const claim = { guestId: guest.guestId, claimedAt: now.toISOString() };
  for (let i = 0; i < 3; i++) {
    const current = await deps.guests.personClaim(guest.guestHuid);
    if (current) {
      const holder = await deps.guests.get(current.guestId);
      const held = holder ? holdsPerson(holder, now) : now.getTime() - Date.parse(current.claimedAt) < CLAIM_IN_FLIGHT_MS;
      if (held) throw taken(guest.guestHuid, holder, guest.sponsorHuid);
    }
    if (await deps.guests.claimPerson(guest.guestHuid, claim, current)) return;
  }
  throw new ConflictError(`Another request for HUID ${guest.guestHuid} is being made at this moment; try again in a minute.`);
}
