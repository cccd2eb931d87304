/** Who named whom: the sponsors a person acts for as a delegate. */
import type { Person } from '../../core/domain/people.ts';
import type { GuestDeps as Deps } from '../../app/deps.ts';

/**
 * The sponsors who name `delegateHuid` as a delegate, by HUID: the directory's reverse lookup,
 * each checked against the sponsor's own record (which decides: a sponsor who has since dropped
 * the delegate, or left the directory, is not one).
 */
export async function sponsorsNaming(deps: Pick<Deps, 'people'>, delegateHuid: string): Promise<Person[]> {
  const candidates = [...new Set(await deps.people.sponsorsOf(delegateHuid))].sort();
  const people = await Promise.all(candidates.map((huid) => deps.people.person(huid)));
  return people.filter((p): p is Person => Boolean(p?.delegates?.includes(delegateHuid)));
}
