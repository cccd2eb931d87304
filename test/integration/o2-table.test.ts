/**
 * DynamoO2Repository on dynalite, on a table made from the same index declarations the stack
 * creates (shared/o2/adapters/o2-table.ts): conditional writes (a stale version is StaleWriteError, a
 * second create a ConflictError), the lists of each index, the sparse byDue index, uid number
 * reservations and the one-live-account-per-person user claim, audit events written once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../local/dynamo.ts';
import { DynamoO2Repository } from '../../shared/o2/adapters/dynamo-o2.ts';
import { O2_INDEXES } from '../../shared/o2/adapters/o2-table.ts';
import { ConflictError, StaleWriteError, ValidationError } from '../../shared/core/domain/errors.ts';
import type { Lab, O2Account, O2Status } from '../../shared/o2/domain/model.ts';
import { startTestDynamo, type TestDynamo } from '../support/dynalite.ts';

const TABLE = 'o2-accounts';
let db: TestDynamo;
let repo: DynamoO2Repository;
beforeAll(async () => {
  db = await startTestDynamo();
  const indexes = Object.values(O2_INDEXES);
  const attributes = [...new Set(['pk', 'sk', ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])])];
  await ensureTables(db.client, [
    {
      TableName: TABLE,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: attributes.map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
      GlobalSecondaryIndexes: indexes.map((i) => ({
        IndexName: i.name,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: i.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      })),
      BillingMode: 'PAY_PER_REQUEST',
    },
  ]);
  repo = new DynamoO2Repository(db.client, TABLE);
});
afterAll(async () => {
  await db.stop();
});

const AT = '2027-01-04T14:00:00.000Z';
const minutes = (n: number) => new Date(Date.parse(AT) + n * 60_000).toISOString();

function lab(labId: string, piHuid: string, registration: Lab['registration'], n = 0): Lab {
  return {
    labId,
    name: `Lab ${labId}`,
    piHuid,
    institution: registration.status === 'not-required' ? 'HMS' : 'MGH',
    quad: { onQuad: registration.status === 'not-required', reason: 'test' },
    registration,
    createdBy: piHuid,
    createdAt: minutes(n),
    updatedAt: minutes(n),
    version: 1,
  };
}

function account(id: string, fields: { status?: O2Status; userHuid?: string; piHuid?: string; labId?: string; dueAt?: string; n?: number } = {}): O2Account {
  return {
    o2AccountId: id,
    status: fields.status ?? 'PENDING_PI_APPROVAL',
    userHuid: fields.userHuid ?? '30000003',
    userName: 'Uma User',
    userEmail: 'uma@example.org',
    piHuid: fields.piHuid ?? '30000001',
    labId: fields.labId ?? 'lab-a',
    labPiHuid: fields.piHuid ?? '30000001',
    requestedBy: fields.userHuid ?? '30000003',
    quad: { onQuad: true, reason: 'test' },
    createdAt: minutes(fields.n ?? 0),
    updatedAt: minutes(fields.n ?? 0),
    version: 1,
    ...(fields.dueAt ? { dueAt: fields.dueAt } : {}),
  };
}

/** The first tests' own people and lab. */
const W = { userHuid: '39000002', piHuid: '39000001', labId: 'lab-w' };

describe('DynamoO2Repository: conditional writes', () => {
  it('creates a lab and an O2 account once; a save on a stale version is StaleWriteError and changes nothing', async () => {
    // Prepare
    // (People and labs of their own: the lists below see only theirs.)
    await repo.createLab(lab('lab-w', '39000001', { status: 'registered', chargeback: { charged: false }, billingContact: { name: 'B', email: 'b@example.org' }, by: 'x', at: AT }));
    await repo.create(account('o-w', W));

    // Act / Assess: creating again
    await expect(repo.createLab(lab('lab-w', '39000001', { status: 'pending' }))).rejects.toBeInstanceOf(ConflictError);
    await expect(repo.create(account('o-w', W))).rejects.toBeInstanceOf(ConflictError);

    // Act: two writers read version 1; the first saves version 2, the second's version 2 is stale
    const read = (await repo.get('o-w'))!;
    await repo.save({ ...read, status: 'PENDING_LAB_REGISTRATION', version: 2 });
    const stale = repo.save({ ...read, status: 'CANCELLED', version: 2 });

    // Assess
    await expect(stale).rejects.toBeInstanceOf(StaleWriteError);
    expect(await repo.get('o-w')).toMatchObject({ status: 'PENDING_LAB_REGISTRATION', version: 2 });
    const readLab = (await repo.getLab('lab-w'))!;
    await repo.saveLab({ ...readLab, registrationRequestedAt: AT, version: 2 });
    await expect(repo.saveLab({ ...readLab, version: 2 })).rejects.toBeInstanceOf(StaleWriteError);
    expect(await repo.getLab('lab-w')).toMatchObject({ registrationRequestedAt: AT, version: 2 });
  });

  it('reads back what it wrote, without the index attributes it derived', async () => {
    const later = '2099-01-01T00:00:00.000Z';
    await repo.create(account('o-r', { ...W, dueAt: later }));
    const o = (await repo.get('o-r'))!;
    expect(o).toEqual(account('o-r', { ...W, dueAt: later }));
    for (const k of ['pk', 'sk', 'type', 'piKey', 'userKey', 'queueKey', 'labKey', 'dueShard']) expect(o, k).not.toHaveProperty(k);
  });

  it('audit events are written once: writing one again changes nothing, and the history is in order', async () => {
    const event = (seq: number, action: string) => ({ kind: 'o2' as const, id: 'o-h', seq, at: minutes(seq), actor: 'workflow', action });
    await repo.appendAudit([event(1, 'requested'), event(2, 'approved')]);
    await repo.appendAudit([event(2, 'rewritten')]);
    expect((await repo.history('o2', 'o-h')).map((e) => `${e.seq} ${e.action}`)).toEqual(['1 requested', '2 approved']);
  });
});

describe('DynamoO2Repository: the RC Core asked to register a lab', () => {
  it('is noted once, on the version read, without a new version (the ETag stays); a second note or one on a stale read changes nothing', async () => {
    await repo.createLab(lab('lab-n', '39000011', { status: 'pending' }));
    const read = (await repo.getLab('lab-n'))!;
    expect(await repo.noteRegistrationRequested(read, AT)).toBe(true);
    expect(await repo.getLab('lab-n')).toMatchObject({ registrationRequestedAt: AT, version: 1 });
    expect(await repo.noteRegistrationRequested(read, minutes(5))).toBe(false);
    expect(await repo.noteRegistrationRequested({ ...read, version: 7 }, minutes(5))).toBe(false);
    expect((await repo.getLab('lab-n'))!.registrationRequestedAt).toBe(AT);
    expect((await repo.labsOfPi('39000011', {})).items.map((l) => l.labId)).toEqual(['lab-n']);
  });
});

describe('DynamoO2Repository: lists from the indexes', () => {
  beforeAll(async () => {
    await repo.createLab(lab('lab-a', '30000001', { status: 'not-required' }, 1));
    await repo.createLab(lab('lab-b', '30000001', { status: 'pending' }, 2));
    await repo.createLab(lab('lab-c', '30000002', { status: 'pending' }, 3));
    await repo.create(account('o-1', { n: 1, userHuid: '40000001', piHuid: '30000001', labId: 'lab-a', status: 'ACTIVE' }));
    await repo.create(account('o-2', { n: 2, userHuid: '40000002', piHuid: '30000001', labId: 'lab-b', status: 'PENDING_LAB_REGISTRATION', dueAt: minutes(60) }));
    await repo.create(account('o-3', { n: 3, userHuid: '40000001', piHuid: '30000002', labId: 'lab-c', status: 'PENDING_RC_CORE', dueAt: minutes(10) }));
    await repo.create(account('o-4', { n: 4, userHuid: '40000003', piHuid: '30000002', labId: 'lab-c', status: 'RENEWAL_REQUESTED', dueAt: minutes(30) }));
  });

  it('a PI\'s labs and sponsored accounts (byPi), newest first; labs by registration (byQueue): the RC Core\'s queue', async () => {
    expect((await repo.labsOfPi('30000001', {})).items.map((l) => l.labId)).toEqual(['lab-b', 'lab-a']);
    expect((await repo.listByPi('30000001', {})).items.map((o) => o.o2AccountId)).toEqual(['o-2', 'o-1']);
    expect((await repo.labsByRegistration('pending', {})).items.map((l) => l.labId)).toEqual(expect.arrayContaining(['lab-b', 'lab-c']));
    expect((await repo.labsByRegistration('pending', {})).items.every((l) => l.registration.status === 'pending')).toBe(true);
  });

  it("a user's accounts (byUser), a lab's (byLab), and accounts by status one status after the other (byQueue), in pages whose cursor goes on", async () => {
    expect((await repo.listByUser('40000001', {})).items.map((o) => o.o2AccountId)).toEqual(['o-3', 'o-1']);
    expect((await repo.listByLab('lab-c', {})).items.map((o) => o.o2AccountId)).toEqual(['o-4', 'o-3']);
    const first = await repo.listByStatus(['PENDING_RC_CORE', 'RENEWAL_REQUESTED'], { limit: 1 });
    expect(first.items.map((o) => o.o2AccountId)).toEqual(['o-3']);
    expect(first.cursor).toBeDefined();
    const second = await repo.listByStatus(['PENDING_RC_CORE', 'RENEWAL_REQUESTED'], { limit: 1, cursor: first.cursor });
    expect(second.items.map((o) => o.o2AccountId)).toEqual(['o-4']);
    await expect(repo.listByStatus(['ACTIVE'], { cursor: first.cursor })).rejects.toBeInstanceOf(ValidationError);
    await expect(repo.listByUser('40000001', { cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(ValidationError);
  });

  it("what a PI looks after (listForPi): the accounts they sponsor, then each lab's, each account once, in pages whose cursor goes on", async () => {
    // 30000001 sponsors o-1 (lab-a) and o-2 (lab-b); lab-c (30000002's) holds o-3 and o-4.
    expect((await repo.listForPi('30000001', ['lab-a', 'lab-c'], {})).items.map((o) => o.o2AccountId)).toEqual(['o-2', 'o-1', 'o-4', 'o-3']);
    // A manager of lab-c who sponsors nothing: the lab's accounts only.
    expect((await repo.listForPi('39999999', ['lab-c'], {})).items.map((o) => o.o2AccountId)).toEqual(['o-4', 'o-3']);
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await repo.listForPi('30000001', ['lab-a', 'lab-c'], { limit: 1, cursor });
      pages.push(page.items.map((o) => o.o2AccountId));
      cursor = page.cursor;
    } while (cursor);
    expect(pages.flat()).toEqual(['o-2', 'o-1', 'o-4', 'o-3']);
    await expect(repo.listForPi('30000001', ['lab-b'], { cursor: (await repo.listForPi('30000001', ['lab-c'], { limit: 3 })).cursor })).rejects.toBeInstanceOf(ValidationError);
  });

  it('listDue: only accounts carrying dueAt, at or before the instant, by due time; an account leaves the index when its dueAt goes', async () => {
    expect((await repo.listDue(minutes(30))).items.map((o) => o.o2AccountId)).toEqual(['o-3', 'o-4']);
    expect((await repo.listDue(minutes(90))).items.map((o) => o.o2AccountId)).toEqual(['o-3', 'o-4', 'o-2']);
    const o3 = (await repo.get('o-3'))!;
    const { dueAt: _gone, ...rest } = o3;
    await repo.save({ ...rest, version: o3.version + 1 });
    expect((await repo.listDue(minutes(90))).items.map((o) => o.o2AccountId)).toEqual(['o-4', 'o-2']);
  });
});

describe('DynamoO2Repository: labs by the words of their names (byWord)', () => {
  it('finds a lab by the beginning of any word of its name or its PI\'s, once per word, in word order; writing the words again changes nothing; the lab\'s history and record stay as they were', async () => {
    const l = { ...lab('w-1', '10000001', { status: 'not-required' }), name: 'Smith Imaging Lab' };
    await repo.createLab(l);
    await repo.indexLab(l, 'Ada Faculty');
    await repo.indexLab(l, 'Ada Faculty');
    const other = { ...lab('w-2', '10000013', { status: 'pending' }), name: 'Smallwood Genomics' };
    await repo.indexLab(other, 'Mia Mgh');
    const card = { labId: 'w-1', name: 'Smith Imaging Lab', piHuid: '10000001', piName: 'Ada Faculty' };
    expect(await repo.labsByWord('smi', 10)).toEqual([card]);
    expect((await repo.labsByWord('sm', 10)).map((c) => c.labId)).toEqual(['w-2', 'w-1']); // smallwood, smith
    expect(await repo.labsByWord('facu', 10)).toEqual([card]);
    expect(await repo.labsByWord('imaging', 10)).toEqual([card]);
    expect(await repo.labsByWord('zz', 10)).toEqual([]);
    expect(await repo.labsByWord('sm', 1)).toHaveLength(1);
    expect(await repo.getLab('w-1')).toEqual(l);
    expect(await repo.history('lab', 'w-1')).toEqual([]);
  });
});

describe('DynamoO2Repository: reservations and claims', () => {
  it('a uid number is reserved once: again by the same account (idempotent), never by another', async () => {
    expect(await repo.reserveUidNumber(200_123, 'o-x')).toBe(true);
    expect(await repo.reserveUidNumber(200_123, 'o-x')).toBe(true);
    expect(await repo.reserveUidNumber(200_123, 'o-y')).toBe(false);
    expect(await repo.reserveUidNumber(200_124, 'o-y')).toBe(true);
  });

  it('the user claim: taken when nobody holds it, moved on only from the claim the writer read', async () => {
    expect(await repo.userClaim('50000001')).toBeUndefined();
    const first = { guestId: 'o-a', claimedAt: AT };
    expect(await repo.claimUser('50000001', first, undefined)).toBe(true);
    expect(await repo.claimUser('50000001', { guestId: 'o-b', claimedAt: minutes(1) }, undefined)).toBe(false);
    expect(await repo.userClaim('50000001')).toEqual(first);
    // Two writers that both read `first`: the first moves it on, the second's `previous` is stale.
    expect(await repo.claimUser('50000001', { guestId: 'o-b', claimedAt: minutes(1) }, first)).toBe(true);
    expect(await repo.claimUser('50000001', { guestId: 'o-c', claimedAt: minutes(2) }, first)).toBe(false);
    expect(await repo.userClaim('50000001')).toEqual({ guestId: 'o-b', claimedAt: minutes(1) });
  });
});
