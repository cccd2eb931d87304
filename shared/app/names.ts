/**
 * People's names for what the API answers (issue 18: "a person's name where a HUID was"): the names
 * the people directory has for the HUIDs a record names, each looked up once. Only for records the
 * caller may read, and only the people that record names: nothing about anyone else.
 */
import type { O2Account } from '../o2/domain/model.ts';
import type { Deps } from './deps.ts';

/** The people an O2 account names besides its user (whose name it holds): the sponsor, the lab's PI, who asked, the HMS sponsor, who decided, completed, renewed, kept or cancelled it. */
export function o2People(o: O2Account): string[] {
  const named = [o.piHuid, o.labPiHuid, o.requestedBy, o.hmsSponsorHuid, o.approval?.by, o.completion?.by, o.renewal?.by, o.retain?.by, o.cancellation?.by];
  return [...new Set(named.filter((h): h is string => typeof h === 'string' && /^\d{8}$/.test(h) && h !== o.userHuid))];
}

/** The names of these HUIDs in the people directory (one lookup each, in parallel); a HUID nobody has is left out. */
export async function namesOf(deps: Pick<Deps, 'people'>, huids: Iterable<string>): Promise<Map<string, string>> {
  const unique = [...new Set(huids)];
  const people = await Promise.all(unique.map((h) => deps.people.person(h)));
  return new Map(people.flatMap((p, i) => (p ? [[unique[i]!, p.name] as const] : [])));
}
