/**
 * A guest's Harvard Sponsored Role, looked up by its exact HUID before a request is sent, so the
 * person requesting sees whose it is (issue 20: "an exact HUID shows the person's name to confirm").
 * Only for who may request (an eligible sponsor, or a delegate of one), by exact HUID only (no
 * search), and only what the request needs: the name on the HSR, whether it is active, its end date.
 */
import { NotAllowedError, NotFoundError } from '../../core/domain/errors.ts';
import type { Caller } from '../../core/domain/people.ts';
import type { GuestDeps as Deps } from '../../app/deps.ts';
import { sponsorStanding } from '../domain/rules.ts';
import { sponsorsNaming } from './people.ts';

export interface HsrConfirmation {
  huid: string;
  name: string;
  active: boolean;
  endDate: string;
}

export async function confirmHsr(deps: Deps, caller: Caller, huid: string): Promise<HsrConfirmation> {
  const [me, sponsors] = await Promise.all([deps.people.person(caller.huid), sponsorsNaming(deps, caller.huid)]);
  const mayRequest = sponsorStanding(caller.huid, me).eligible || sponsors.some((s) => sponsorStanding(s.huid, s).eligible);
  if (!mayRequest) throw new NotAllowedError("Only sponsors and their delegates look up a guest's Harvard Sponsored Role.");
  const hsr = await deps.hsr.hsr(huid);
  if (!hsr) throw new NotFoundError(`No Harvard Sponsored Role has the HUID ${huid}.`);
  return { huid, name: `${hsr.firstName} ${hsr.lastName}`, active: hsr.status === 'active', endDate: hsr.endDate };
}
