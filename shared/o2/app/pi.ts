/**
 * A PI by their exact HUID, for whoever asks for an O2 account (issue 20): the name to confirm, and
 * the labs they head to pick from by name (no lab ID to type). Only PIs answer (a person with a
 * faculty appointment, active); anyone else is "no PI has this HUID", alike. A PI's name and their
 * labs' names are what a lab's members know already; nothing else of the PI or the labs is said.
 */
import { NotFoundError } from '../../core/domain/errors.ts';
import type { Caller } from '../../core/domain/people.ts';
import type { O2Deps as Deps } from '../../app/deps.ts';
import type { Lab } from '../domain/model.ts';
import { isPi } from '../domain/rules.ts';

export interface PiConfirmation {
  huid: string;
  name: string;
  labs: Pick<Lab, 'labId' | 'name' | 'institution' | 'quad'>[];
}

export async function confirmPi(deps: Deps, _caller: Caller, huid: string): Promise<PiConfirmation> {
  const person = await deps.people.person(huid);
  if (!isPi(person)) throw new NotFoundError(`No PI has the HUID ${huid}.`);
  const labs: Lab[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.o2.labsOfPi(huid, { limit: 100, ...(cursor ? { cursor } : {}) });
    labs.push(...page.items);
    cursor = page.cursor;
  } while (cursor && labs.length < 500);
  return { huid, name: person.name, labs: labs.map((l) => ({ labId: l.labId, name: l.name, institution: l.institution, quad: l.quad })) };
}
