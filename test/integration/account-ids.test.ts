/**
 * HMS account IDs never run out: the candidates are walked deterministically from a random start,
 * read 100 at a time, and when all thousand three-digit IDs of the initials are taken the next is
 * a four-digit one with the same letters. Against dynalite, with the space 99% and 100% taken.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoGuestRepository } from '../../shared/guest/adapters/dynamo-guests.ts';
import { MemoryAccountDirectory } from '../../shared/adapters/memory.ts';
import { DIRECTORY_GROUPS } from '../support/memory.ts';
import { reserveAccountId } from '../../shared/guest/app/tasks.ts';
import type { Deps } from '../../shared/app/deps.ts';
import { startTestDynamo, type TestDynamo } from '../support/dynalite.ts';

let db: TestDynamo;
let guests: DynamoGuestRepository;
beforeAll(async () => {
  db = await startTestDynamo();
  guests = new DynamoGuestRepository(db.client, db.guestsTable);
});
afterAll(async () => {
  await db.stop();
});

/** Counts the repository calls a generation makes. */
function deps(start: number) {
  const calls = { batches: 0, reservations: 0 };
  const counted = Object.create(guests) as DynamoGuestRepository;
  counted.accountHolders = (ids) => ((calls.batches += 1), guests.accountHolders(ids));
  counted.reserveAccountId = (id, guestId) => ((calls.reservations += 1), guests.reserveAccountId(id, guestId));
  // An empty account directory: every candidate free in the table is free there too.
  const accounts = new MemoryAccountDirectory({ now: () => new Date('2027-01-04T14:00:00Z') }, { groups: DIRECTORY_GROUPS });
  return { deps: { guests: counted, random: { int: () => start }, accounts } as unknown as Deps, calls };
}

async function take(letters: string, suffixes: number[]): Promise<void> {
  for (let i = 0; i < suffixes.length; i += 50) {
    await Promise.all(suffixes.slice(i, i + 50).map((n) => guests.reserveAccountId(`${letters}${String(n).padStart(3, '0')}`, `other-${n}`)));
  }
}

describe('reserveAccountId', () => {
  it('with 99% of the three-digit IDs taken, finds one of the ten left', async () => {
    // Prepare: every suffix but the ten ending in 7
    const free = Array.from({ length: 10 }, (_, i) => i * 100 + 7);
    await take('alo', Array.from({ length: 1000 }, (_, n) => n).filter((n) => !free.includes(n)));
    const { deps: d, calls } = deps(500);

    // Act
    const id = await reserveAccountId(d, 'guest-a', 'alo');

    // Assess: the first free one from the start (507), found in one batched read
    expect(id).toBe('alo507');
    expect(calls).toEqual({ batches: 1, reservations: 1 });
    expect(await guests.guestIdForAccount('alo507')).toBe('guest-a');
  });

  it('with all thousand taken, widens to four digits with the same letters', async () => {
    // Prepare
    await take('ygu', Array.from({ length: 1000 }, (_, n) => n));
    const { deps: d, calls } = deps(41);

    // Act
    const id = await reserveAccountId(d, 'guest-b', 'ygu');

    // Assess
    expect(id).toBe('ygu1041');
    expect(calls).toEqual({ batches: 11, reservations: 1 });
  });

  it('parallel provisionings for the same initials each get a different ID', async () => {
    // Prepare
    await take('jdo', Array.from({ length: 990 }, (_, n) => n));

    // Act: twenty at once, all starting from the same place
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => reserveAccountId(deps(0).deps, `guest-p${i}`, 'jdo')));

    // Assess: the ten three-digit ones left, then four-digit ones; no ID twice
    expect(new Set(ids).size).toBe(20);
    expect(ids.filter((id) => /^jdo99\d$/.test(id))).toHaveLength(10);
    expect(ids.filter((id) => /^jdo\d{4}$/.test(id))).toHaveLength(10);
  });

  it('a guest provisioned again (a retried task) gets back the ID it reserved', async () => {
    // Prepare
    const first = await reserveAccountId(deps(123).deps, 'guest-r', 'rty');

    // Act
    const again = await reserveAccountId(deps(123).deps, 'guest-r', 'rty');

    // Assess
    expect(again).toBe(first);
  });
});
