/**
 * The guest lists the pages need, from indexes only: several sponsors' guests one sponsor after the
 * other (bySponsor), every guest one status after the other (byStatus), with the filters, in pages
 * whose cursor names the partition it ended in. The same cases run against DynamoDB (dynalite,
 * with the stack's indexes) and the in-memory repository the use-case tests use: both must answer
 * alike. And the directory's reverse lookup (who named X as delegate), one GetItem.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDirectory, HttpPeopleDirectory } from '../../shared/adapters/directories.ts';
import { DynamoGuestRepository, MAX_QUERIES_PER_PAGE } from '../../shared/guest/adapters/dynamo-guests.ts';
import { MemoryGuestRepository } from '../../shared/guest/adapters/memory-guests.ts';
import { ValidationError } from '../../shared/core/domain/errors.ts';
import { STATUSES, type Guest, type GuestStatus } from '../../shared/guest/domain/model.ts';
import type { Page } from '../../shared/core/ports.ts';
import type { GuestQuery, GuestRepository } from '../../shared/guest/app/ports.ts';
import { startTestDynamo, type TestDynamo } from '../support/dynalite.ts';

let db: TestDynamo;
beforeAll(async () => {
  db = await startTestDynamo();
});
afterAll(async () => {
  await db.stop();
});

function guest(n: number, sponsorHuid: string, status: GuestStatus, endDate: string, extra: Partial<Guest> = {}): Guest {
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return {
    guestId: id,
    status,
    guestHuid: String(20000000 + n),
    guestName: `Guest ${n}`,
    guestEmail: `guest${n}@example.org`,
    sponsorHuid,
    submittedBy: sponsorHuid,
    population: 'agency-temp',
    services: ['email'],
    startDate: '2027-01-04',
    endDate,
    entitlements: [],
    createdAt: '2027-01-04T14:00:00.000Z',
    updatedAt: '2027-01-04T14:00:00.000Z',
    version: 1,
    ...extra,
  };
}

const ADA = '10000001';
const SAM = '10000002';
const HANA = '10000003';

/** Ada 5 guests, Sam 3 (one FAILED, one with a recorded failure), Hana 1, in several statuses and end dates. */
const GUESTS: Guest[] = [
  guest(1, ADA, 'ACTIVE', '2027-03-01'),
  guest(2, ADA, 'PENDING_APPROVAL', '2027-02-01'),
  guest(3, ADA, 'ACTIVE', '2027-01-15'),
  guest(4, ADA, 'EXPIRED', '2027-01-10'),
  guest(5, ADA, 'ACTIVE', '2027-03-01'),
  guest(6, SAM, 'FAILED', '2027-04-01', { failure: { state: 'lifecycle', error: 'Error', at: '2027-01-05T00:00:00.000Z', count: 3 } }),
  guest(7, SAM, 'ACTIVE', '2027-05-01', { failure: { state: 'lifecycle', error: 'Throttling', at: '2027-01-05T00:00:00.000Z', count: 1 }, dueAt: '2027-01-05T01:00:00.000Z' }),
  guest(8, SAM, 'PENDING_ACTIVATION', '2027-02-15'),
  guest(9, HANA, 'ACTIVE', '2027-06-01'),
];

/** Every page of a list, from the first, with a page size. */
async function allPages(list: (cursor: string | undefined) => Promise<Page<Guest>>): Promise<{ ids: number[]; pages: number }> {
  const ids: number[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list(cursor);
    ids.push(...page.items.map((g) => Number(g.guestId.slice(-12))));
    cursor = page.cursor;
    pages++;
    if (pages > 100) throw new Error('the cursor does not end');
  } while (cursor);
  return { ids, pages };
}

const byEnd = (ids: number[]) => ids.map((n) => GUESTS[n - 1]!).sort((a, b) => a.endDate.localeCompare(b.endDate) || a.guestId.localeCompare(b.guestId)).map((g) => Number(g.guestId.slice(-12)));

/** The guests above in the repository (once: the DynamoDB cases share one table). */
async function seeded(repo: GuestRepository): Promise<GuestRepository> {
  for (const g of GUESTS) if (!(await repo.get(g.guestId))) await repo.create(g);
  return repo;
}

describe.each([
  ['DynamoDB (dynalite)', () => new DynamoGuestRepository(db.client, db.guestsTable)],
  ['in memory', () => new MemoryGuestRepository()],
])('%s', (_name, make: () => GuestRepository) => {
  let repo: GuestRepository;
  beforeAll(async () => {
    repo = await seeded(make());
  });

  it('several sponsors: every guest once, by sponsor HUID then end date, whatever the page size', async () => {
    // Expected: Ada's (by end date), then Sam's, then Hana's
    const expected = [...byEnd([1, 2, 3, 4, 5]), ...byEnd([6, 7, 8]), ...byEnd([9])];
    for (const limit of [1, 2, 3, 4, 500]) {
      // Act
      const { ids, pages } = await allPages((cursor) => repo.listBySponsors([HANA, ADA, SAM], { limit, cursor }));
      // Assess: each guest once, in order; no page over the limit
      expect(ids, `limit ${limit}`).toEqual(expected);
      expect(pages, `limit ${limit}`).toBeGreaterThanOrEqual(Math.ceil(expected.length / limit));
    }
  });

  it('a page holds at most `limit` guests and fills across sponsors', async () => {
    const page = await repo.listBySponsors([ADA, SAM], { limit: 7 });
    expect(page.items).toHaveLength(7);
    expect(page.items.map((g) => g.sponsorHuid)).toEqual([ADA, ADA, ADA, ADA, ADA, SAM, SAM]);
    expect(page.cursor).toBeDefined();
  });

  it('a sponsor dropped between pages is skipped: the cursor goes on with the next sponsor in HUID order', async () => {
    // Prepare: a page ending inside Sam's guests
    const first = await repo.listBySponsors([ADA, SAM, HANA], { limit: 6 });
    expect(first.items.at(-1)!.sponsorHuid).toBe(SAM);
    // Act: Sam no longer in the list
    const next = await repo.listBySponsors([ADA, HANA], { limit: 6, cursor: first.cursor });
    // Assess
    expect(next.items.map((g) => g.sponsorHuid)).toEqual([HANA]);
    expect(next.cursor).toBeUndefined();
  });

  it('filters: status, end date before, recorded failure', async () => {
    const list = async (q: GuestQuery) => (await allPages((cursor) => repo.listBySponsors([ADA, SAM], { ...q, limit: 2, cursor }))).ids;
    expect(await list({ status: 'ACTIVE' })).toEqual([...byEnd([1, 3, 5]), 7]);
    expect(await list({ expiringBefore: '2027-02-01' })).toEqual(byEnd([3, 4]));
    expect(await list({ failed: true })).toEqual(byEnd([6, 7]));
    expect(await list({ failed: true, status: 'FAILED' })).toEqual([6]);
  });

  it('every guest (HMS IT): one status after the other in lifecycle order, each by end date', async () => {
    const expected = STATUSES.flatMap((s) => byEnd(GUESTS.filter((g) => g.status === s).map((g) => Number(g.guestId.slice(-12)))));
    for (const limit of [1, 3, 500]) {
      const { ids } = await allPages((cursor) => repo.listAll({ limit, cursor }));
      expect(ids, `limit ${limit}`).toEqual(expected);
    }
    expect((await allPages((cursor) => repo.listAll({ status: 'ACTIVE', limit: 2, cursor }))).ids).toEqual(byEnd([1, 3, 5, 7, 9]));
    expect((await allPages((cursor) => repo.listAll({ failed: true, limit: 1, cursor }))).ids).toEqual([7, 6]);
    expect((await allPages((cursor) => repo.listAll({ expiringBefore: '2027-02-02', cursor }))).ids).toEqual([...byEnd([2]), ...byEnd([3]), 4]);
  });

  it("refuses a cursor of another list, of another status filter, or not this API's", async () => {
    const bySponsor = (await repo.listBySponsors([ADA], { limit: 1 })).cursor;
    const byStatus = (await repo.listAll({ status: 'ACTIVE', limit: 1 })).cursor;
    await expect(repo.listAll({ cursor: bySponsor })).rejects.toThrow(ValidationError);
    await expect(repo.listBySponsors([ADA], { cursor: byStatus })).rejects.toThrow(ValidationError);
    await expect(repo.listAll({ status: 'EXPIRED', cursor: byStatus })).rejects.toThrow(ValidationError);
    await expect(repo.listBySponsors([ADA], { cursor: Buffer.from('{"x":1}').toString('base64url') })).rejects.toThrow(ValidationError);
  });
});

describe('DynamoDB only', () => {
  const repo = () => new DynamoGuestRepository(db.client, db.guestsTable);
  beforeAll(async () => {
    await seeded(repo());
  });

  it("refuses a cursor whose start key is another sponsor's partition (a forged cursor cannot read elsewhere)", async () => {
    const cursor = (await repo().listBySponsors([ADA], { limit: 1 })).cursor!;
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { i: string; p: string; k: Record<string, string> };
    const forged = Buffer.from(JSON.stringify({ ...decoded, k: { ...decoded.k, sponsorHuid: SAM } })).toString('base64url');
    await expect(repo().listBySponsors([ADA], { cursor: forged })).rejects.toThrow(ValidationError);
  });

  it(`bounds the queries of one page (${MAX_QUERIES_PER_PAGE}): many sponsors without guests end a page early, with a cursor`, async () => {
    const empty = Array.from({ length: MAX_QUERIES_PER_PAGE + 5 }, (_, i) => String(i).padStart(8, '0')); // before Hana's HUID
    const first = await repo().listBySponsors([...empty, HANA], {});
    expect(first.items).toEqual([]);
    expect(first.cursor).toBeDefined();
    const second = await repo().listBySponsors([...empty, HANA], { cursor: first.cursor });
    expect(second.items.map((g) => g.sponsorHuid)).toEqual([HANA]);
  });

  it('no guest item carries the derived index attributes out of the repository, and every guest is in the status index', async () => {
    const all = (await allPages((cursor) => repo().listAll({ cursor, limit: 500 }))).ids;
    expect(all.sort((a, b) => a - b)).toEqual(GUESTS.map((_, i) => i + 1));
    const g = await repo().get(GUESTS[6]!.guestId);
    expect(g).toEqual(GUESTS[6]);
  });
});

describe('the directory: who named X as delegate', () => {
  it('one item per delegate, written with the people; a later partial load adds to it', async () => {
    // Prepare
    const directory = new DynamoDirectory(db.client, db.directoryTable);
    const person = (huid: string, delegates: string[]) => ({ huid, name: `P ${huid}`, email: `p${huid}@hms.harvard.edu`, role: 'faculty', school: 'HMS', site: 'Quad', active: true, delegates });
    // Act
    await directory.load({ people: [person(ADA, ['10000004']), person(SAM, ['10000004', '10000005'])], hsr: [] });
    await directory.load({ people: [person(HANA, ['10000004'])], hsr: [] });
    // Assess
    expect(await directory.sponsorsOf('10000004')).toEqual([ADA, SAM, HANA].sort());
    expect(await directory.sponsorsOf('10000005')).toEqual([SAM]);
    expect(await directory.sponsorsOf('10000009')).toEqual([]);
    expect(await directory.person(ADA)).toMatchObject({ huid: ADA, delegates: ['10000004'] });
  });
});

describe('the people directory over HTTP: who named X as delegate', () => {
  it('asks GET {url}/{huid}/sponsors: the HUIDs it answers, none on 404, and refuses an answer that is not a list of HUIDs', async () => {
    // Prepare: a directory answering by URL
    const asked: string[] = [];
    const answers: Record<string, Response> = {
      'https://people.example/api/10000004/sponsors': Response.json({ sponsors: [ADA, SAM] }),
      'https://people.example/api/10000009/sponsors': new Response('', { status: 404 }),
      'https://people.example/api/10000005/sponsors': Response.json({ sponsors: ['not-a-huid'] }),
    };
    const fetchFn = (async (url: string | URL | Request) => {
      asked.push(String(url));
      return answers[String(url)] ?? new Response('', { status: 500 });
    }) as typeof fetch;
    const directory = new HttpPeopleDirectory('https://people.example/api/', fetchFn);
    // Act / Assess
    expect(await directory.sponsorsOf('10000004')).toEqual([ADA, SAM]);
    expect(await directory.sponsorsOf('10000009')).toEqual([]);
    await expect(directory.sponsorsOf('10000005')).rejects.toThrow();
    expect(asked).toEqual(['https://people.example/api/10000004/sponsors', 'https://people.example/api/10000009/sponsors', 'https://people.example/api/10000005/sponsors']);
  });
});
