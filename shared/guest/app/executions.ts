/**
 * What HMS IT looks at when a lifecycle goes wrong: a guest's Step Functions executions (every
 * generation the guest recorded, newest first, with status and latest events), and the standing of
 * sponsors (a guest whose sponsor may no longer sponsor is at risk: HMS IT reassigns it).
 */
import { mayListEveryGuest } from '../domain/access.ts';
import { NotAllowedError } from '../../core/domain/errors.ts';
import type { Caller } from '../../core/domain/people.ts';
import { sponsorStanding, type SponsorRefusal } from '../domain/rules.ts';
import type { ExecutionDetail } from '../../core/ports.ts';
import type { GuestDeps as Deps } from '../../app/deps.ts';
import { guestFor } from './guests.ts';

/** An execution of the guest's lifecycle: its generation (1 for the first), and what Step Functions says of it. */
export interface GuestExecution extends ExecutionDetail {
  generation: number;
  /** The state a running execution is in now (its latest state entered), else null. */
  currentState: string | null;
}

/** The most executions shown for one guest (the newest generations). */
export const EXECUTIONS_SHOWN = 10;

/**
 * GET /v1/guests/{guestId}/executions (HMS IT): the executions the guest's lifecycle ran, named
 * `<guestId>-<generation>` (generation 1 at the request; each restart, restore or hand-over adds
 * one), newest first. An execution Step Functions no longer knows (its history expired) is left out.
 */
export async function guestExecutions(deps: Deps, caller: Caller, guestId: string): Promise<GuestExecution[]> {
  const guest = await guestFor(deps, caller, guestId, 'read-executions');
  const latest = guest.execution?.generation ?? 0;
  const generations = Array.from({ length: Math.min(latest, EXECUTIONS_SHOWN) }, (_, i) => latest - i);
  const found = await Promise.all(
    generations.map(async (generation): Promise<GuestExecution | undefined> => {
      const detail = await deps.workflow.execution(`${guest.guestId}-${generation}`);
      if (!detail) return undefined;
      const entered = detail.status === 'RUNNING' ? detail.events.find((e) => e.type === 'StateEntered' || e.type.endsWith('StateEntered')) : undefined;
      return { ...detail, generation, currentState: entered?.state ?? null };
    }),
  );
  return found.filter((e): e is GuestExecution => e !== undefined);
}

export interface SponsorStandingView {
  huid: string;
  name: string | null;
  eligible: boolean;
  reason: SponsorRefusal | null;
  detail: string | null;
}

/**
 * GET /v1/sponsors?huids=… (HMS IT): whether each of these people may sponsor now (rule "Who may
 * sponsor"), with the reason when not: the console puts the guests of sponsors who may not first.
 */
export async function sponsorStandings(deps: Deps, caller: Caller, huids: readonly string[]): Promise<SponsorStandingView[]> {
  if (!mayListEveryGuest(caller, deps)) throw new NotAllowedError("Only HMS IT may look up sponsors' standing.");
  const unique = [...new Set(huids)].sort();
  return Promise.all(
    unique.map(async (huid) => {
      const person = await deps.people.person(huid);
      const standing = sponsorStanding(huid, person);
      return standing.eligible
        ? { huid, name: person?.name ?? null, eligible: true, reason: null, detail: null }
        : { huid, name: person?.name ?? null, eligible: false, reason: standing.reason, detail: standing.message };
    }),
  );
}
