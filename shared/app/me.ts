/** GET /v1/me: who the caller is, what they may do, and for whom. */
import type { Caller } from '../core/domain/people.ts';
import { ownSponsorRefusal, sponsorStanding } from '../guest/domain/rules.ts';
import { isRcCore } from '../o2/domain/rules.ts';
import type { Deps } from './deps.ts';
import { sponsorsNaming } from '../guest/app/people.ts';
import type { MeView } from './me-view.ts';

/**
 * The caller as the people directory and the token know them: whether they may sponsor (rules
 * "Who may sponsor" and "Wyss Institute", with the reason when not), the sponsors who named them
 * as a delegate, and HMS IT when the role claim says so.
 */
export async function whoAmI(deps: Deps, caller: Caller): Promise<MeView> {
  const [person, sponsors] = await Promise.all([deps.people.person(caller.huid), sponsorsNaming(deps, caller.huid)]);
  const standing = sponsorStanding(caller.huid, person);
  const roles: MeView['roles'] = [];
  if (standing.eligible) roles.push('sponsor');
  if (sponsors.length) roles.push('delegate');
  if (caller.roles.includes(deps.hmsItRole)) roles.push('hms-it');
  if (isRcCore(person)) roles.push('rc-core');
  return {
    huid: caller.huid,
    name: person?.name ?? null,
    email: person?.email ?? null,
    roles,
    sponsorEligibility: standing.eligible
      ? { eligible: true, reason: null, detail: null, contact: null }
      : { eligible: false, reason: standing.reason, detail: ownSponsorRefusal(standing, person), contact: standing.contact ?? null },
    delegateOf: sponsors.map((s) => ({ huid: s.huid, name: s.name, eligible: sponsorStanding(s.huid, s).eligible })),
  };
}
