/**
 * A PI by their exact HUID, for whoever asks for an O2 account (issue 20): the name to confirm, and
 * the labs they head to pick from by name (no lab ID to type). Only PIs answer (a person with a
 * faculty appointment, active); anyone else is "no PI has this HUID", alike. A PI's name and their
 * labs' names are what a lab's members know already; nothing else of the PI or the labs is said.
 */
import { NotFoundError, ValidationError } from '../../core/domain/errors.ts';
import { matchesWords, searchWords } from '../../core/domain/text.ts';
import type { Caller } from '../../core/domain/people.ts';
import type { O2Deps as Deps } from '../../app/deps.ts';
import type { Lab, LabCard } from '../domain/model.ts';
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

/** The most labs a search answers with, and the words it reads for them. */
export const LAB_SEARCH_LIMIT = 10;
const WORDS_READ = 50;

/**
 * GET /v1/lab-search?q=: labs by the beginnings of the words of their name or their PI's name (issue
 * 20), for whoever asks for an O2 account: "smith", "cell bio", "ada fac". Through the `byWord`
 * index (never a Scan): the query's longest word is read by prefix, the others filter. Answers with
 * the lab's name, its PI's name and HUID only, as `confirmPi` does, sorted by lab name.
 */
export async function findLabs(deps: Deps, _caller: Caller, q: string | undefined): Promise<LabCard[]> {
  const words = searchWords(q ?? '');
  const longest = words.reduce((a, w) => (w.length > a.length ? w : a), '');
  if (longest.length < 2) throw new ValidationError('Type at least two letters of the lab’s name or its PI’s name.', { q: ['at least two letters of a word'] });
  const found = await deps.o2.labsByWord(longest, WORDS_READ);
  const labs = new Map<string, LabCard>();
  for (const card of found) {
    if (!labs.has(card.labId) && matchesWords(words, [...searchWords(card.name), ...searchWords(card.piName)])) labs.set(card.labId, card);
  }
  return [...labs.values()].sort((a, b) => a.name.localeCompare(b.name) || a.piName.localeCompare(b.piName)).slice(0, LAB_SEARCH_LIMIT);
}
