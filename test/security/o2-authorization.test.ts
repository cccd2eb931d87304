/**
 * Authorization of labs and O2 accounts as a matrix (issue 14). First the rule itself
 * (shared/guest/domain/access.ts and shared/o2/domain/access.ts `decideO2`, `decideLab`: every action × relation), then every O2 and lab
 * endpoint × caller through the deployed API handler on an in-memory world
 * (test/security/o2-fixtures.ts): the user, the sponsoring PI, the lab's PI, a lab manager, a core
 * administrator, RC Core staff, HMS IT and a PI of another lab. Whoever may not read an O2 account
 * or a lab is answered exactly as for one that does not exist (404); whoever may read it but not do
 * this gets 403; a refused call changes nothing (stores, audit, mail, executions, directory); an
 * allowed one does what it says, audited under the caller. Bad bodies are refused 400 field by
 * field, and change nothing either.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { decideLab, decideO2, type LabAction, type O2AccessContext, type O2Action } from '../../shared/o2/domain/access.ts';
import type { Caller } from '../../shared/core/domain/people.ts';
import type { MemoryWorld } from '../support/memory.ts';
import { call, clearRuntime, expectProblem, HUIDS, IT_ROLE, LAB_ID, o2Fixture, o2World, OTHER_LAB_ID, USER_ACCOUNT, WHO, worldState, type O2Fixture, type Reply, type Who } from './o2-fixtures.ts';

afterEach(clearRuntime);

// ---------------------------------------------------------------------------------------------
// The rule: decideO2 / decideLab
// ---------------------------------------------------------------------------------------------

const O2_ACTIONS = ['read', 'decide', 'complete', 'renew', 'cancel', 'retain'] as const satisfies readonly O2Action[];
const everyO2Action: [Exclude<O2Action, (typeof O2_ACTIONS)[number]>] extends [never] ? true : false = true;
const LAB_ACTIONS = ['read', 'register'] as const satisfies readonly LabAction[];
const everyLabAction: [Exclude<LabAction, (typeof LAB_ACTIONS)[number]>] extends [never] ? true : false = true;

type Verdict = 'allow' | 'forbid' | 'hide';
const o2Record = { userHuid: HUIDS.user, piHuid: HUIDS.sponsor, labPiHuid: HUIDS.labPi };
const GROUPS: Record<Who, string[]> = {
  user: [],
  sponsor: [`lab-manager:${HUIDS.labPi}`],
  labPi: [],
  labManager: [`lab-manager:${HUIDS.labPi}`],
  coreAdmin: [`core-admin:${HUIDS.labPi}`],
  rcCore: ['rc-core'],
  hmsIt: [],
  otherPi: [],
};
const PIS: readonly Who[] = ['sponsor', 'labPi', 'otherPi'];
const ruleCaller = (who: Who): [Caller, O2AccessContext] => [
  { huid: HUIDS[who], roles: who === 'hmsIt' ? [IT_ROLE] : [] },
  { callerGroups: GROUPS[who], hmsItRole: IT_ROLE, callerStanding: { active: true, pi: PIS.includes(who) }, hmsAccountSponsor: false },
];

const A = 'allow', F = 'forbid', H = 'hide';
/** A row of a matrix, in the column order of WHO. */
function row(user: Verdict, sponsor: Verdict, labPi: Verdict, labManager: Verdict, coreAdmin: Verdict, rcCore: Verdict, hmsIt: Verdict, otherPi: Verdict): Record<Who, Verdict> {
  return { user, sponsor, labPi, labManager, coreAdmin, rcCore, hmsIt, otherPi };
}

// prettier-ignore
const O2_EXPECTED: Record<O2Action, Record<Who, Verdict>> = {
  //              user sponsor labPi manager coreAdmin rcCore hmsIt otherPi
  read:     row(A,   A,      A,    A,      A,        A,     A,    H),
  decide:   row(F,   A,      A,    A,      A,        F,     F,    H),
  complete: row(F,   F,      F,    F,      F,        A,     F,    H),
  renew:    row(A,   A,      A,    A,      A,        F,     F,    H),
  cancel:   row(A,   A,      A,    A,      A,        A,     A,    H),
  retain:   row(A,   A,      A,    A,      A,        F,     F,    H),
};

// prettier-ignore
const LAB_EXPECTED: Record<LabAction, Record<Who, Verdict>> = {
  //              user sponsor labPi manager coreAdmin rcCore hmsIt otherPi
  read:     row(H,   A,      A,    A,      A,        A,     A,    H),
  register: row(H,   F,      F,    F,      F,        A,     F,    H),
};

describe('decideO2 / decideLab: every action × relation', () => {
  it('the tables cover every action', () => {
    expect(everyO2Action && everyLabAction).toBe(true);
    expect(Object.keys(O2_EXPECTED).sort()).toEqual([...O2_ACTIONS].sort());
    expect(Object.keys(LAB_EXPECTED).sort()).toEqual([...LAB_ACTIONS].sort());
  });

  describe.each(O2_ACTIONS)('O2 account: %s', (action) => {
    it.each(WHO)('by %s', (who) => {
      const [caller, ctx] = ruleCaller(who);
      expect(decideO2(caller, action, o2Record, ctx)).toBe(O2_EXPECTED[action][who]);
    });
  });

  describe.each(LAB_ACTIONS)('lab: %s', (action) => {
    it.each(WHO)('by %s', (who) => {
      const [caller, ctx] = ruleCaller(who);
      expect(decideLab(caller, action, { piHuid: HUIDS.labPi }, ctx)).toBe(LAB_EXPECTED[action][who]);
    });
  });

  it.each([
    ['a group naming another PI\'s lab', { huid: '39999999', roles: [] }, ['lab-manager:30000099', 'core-admin:30000099']],
    ['a group that only looks like a manager\'s (case, prefix)', { huid: '39999999', roles: [] }, [`Lab-Manager:${HUIDS.labPi}`, `lab-manager:${HUIDS.labPi}0`, `lab-manager ${HUIDS.labPi}`]],
    ['a group that only looks like the RC Core\'s', { huid: '39999999', roles: [] }, ['RC-Core', 'rc-core-readonly', 'rccore']],
    ['a role claim that only looks like HMS IT\'s', { huid: '39999999', roles: ['HMS-IT', 'hms-it-readonly'] }, []],
    ['a HUID one digit off the user\'s', { huid: '30000011', roles: [] }, []],
  ])('%s is nobody: every action is hidden', (_name, caller, groups) => {
    const ctx = { callerGroups: groups, hmsItRole: IT_ROLE, callerStanding: { active: true, pi: true }, hmsAccountSponsor: false };
    for (const action of O2_ACTIONS) expect(decideO2(caller, action, o2Record, ctx), action).toBe('hide');
    for (const action of LAB_ACTIONS) expect(decideLab(caller, action, { piHuid: HUIDS.labPi }, ctx), action).toBe('hide');
  });
});

// ---------------------------------------------------------------------------------------------
// Every endpoint × caller, through the API handler
// ---------------------------------------------------------------------------------------------

type Grid = Record<Who, number>;
/** A row of statuses, in the column order of WHO. */
function grid(user: number, sponsor: number, labPi: number, labManager: number, coreAdmin: number, rcCore: number, hmsIt: number, otherPi: number): Grid {
  return { user, sponsor, labPi, labManager, coreAdmin, rcCore, hmsIt, otherPi };
}

type Event = { seq: number; actor: string; action: string; before: Record<string, unknown>; after: Record<string, unknown>; detail: Record<string, unknown> | null };

interface O2Endpoint {
  route: string;
  action: O2Action;
  fixture: O2Fixture;
  body?: unknown;
  mutates: boolean;
  expected: Grid;
  /** What an allowed call must have done. */
  effect: (res: Reply, w: MemoryWorld, id: string, who: Who) => Promise<void> | void;
}

/** The events of the O2 account's history, as the API shows them (read as HMS IT). */
async function history(id: string): Promise<Event[]> {
  const res = await call('hmsIt', 'GET /v1/o2-accounts/{o2AccountId}/history', { path: { o2AccountId: id } });
  expect(res.status).toBe(200);
  return res.body.items as Event[];
}

// prettier-ignore
const O2_ENDPOINTS: O2Endpoint[] = [
  //                                                                                              user sponsor labPi manager coreAdmin rcCore hmsIt otherPi
  { route: 'GET /v1/o2-accounts/{o2AccountId}', action: 'read', fixture: 'active', mutates: false, expected: grid(200, 200, 200, 200, 200, 200, 200, 404),
    effect: (res, _w, id) => {
      expect(res.body).toMatchObject({ o2AccountId: id, status: 'ACTIVE', userHuid: HUIDS.user, accountId: USER_ACCOUNT, posix: { uidNumber: 300_123, homeDirectory: `/home/${USER_ACCOUNT}` } });
      expect(res.headers.etag).toBe(`"${String(res.body.version)}"`);
      // Never what the lifecycle keeps for itself.
      for (const secret of ['taskToken', 'sent', 'lastAudit', 'execution', 'userEmail', 'waitingFor', 'dueAt']) expect(res.body).not.toHaveProperty(secret);
    } },
  { route: 'GET /v1/o2-accounts/{o2AccountId}/history', action: 'read', fixture: 'pending-approval', mutates: false, expected: grid(200, 200, 200, 200, 200, 200, 200, 404),
    effect: (res) => {
      const items = res.body.items as Event[];
      expect(items[0]).toMatchObject({ seq: 1, action: 'requested', actor: HUIDS.user, after: { status: 'PENDING_PI_APPROVAL', userHuid: HUIDS.user } });
      // Redacted as the view is: no task token, no email address of the user.
      expect(JSON.stringify(items)).not.toMatch(/taskToken|userEmail|uma\.user@/);
    } },
  { route: 'POST /v1/o2-accounts/{o2AccountId}/decision', action: 'decide', fixture: 'pending-approval', body: { decision: 'approve' }, mutates: true, expected: grid(403, 200, 200, 200, 200, 403, 403, 404),
    effect: async (res, w, id, who) => {
      expect(res.body.approval).toMatchObject({ decision: 'approve', by: HUIDS[who] });
      expect(w.o2Workflow.resumed).toEqual([expect.objectContaining({ output: expect.objectContaining({ outcome: 'approved' }) })]);
      expect((await history(id)).filter((e) => e.action === 'approved')).toEqual([expect.objectContaining({ actor: HUIDS[who] })]);
    } },
  { route: 'POST /v1/o2-accounts/{o2AccountId}/completion', action: 'complete', fixture: 'pending-rc-core', body: { unixUsername: USER_ACCOUNT }, mutates: true, expected: grid(403, 403, 403, 403, 403, 200, 403, 404),
    effect: async (res, w, id, who) => {
      expect(res.body).toMatchObject({ status: 'ACTIVE', completion: { by: HUIDS[who], unixUsername: USER_ACCOUNT }, posix: { homeDirectory: `/home/${USER_ACCOUNT}` } });
      expect(w.accounts.user(USER_ACCOUNT)?.groups).toContain('o2');
      expect((await history(id)).filter((e) => e.action === 'completed')).toEqual([expect.objectContaining({ actor: HUIDS[who], after: expect.objectContaining({ status: 'ACTIVE' }) })]);
    } },
  { route: 'POST /v1/o2-accounts/{o2AccountId}/renewal', action: 'renew', fixture: 'expired', body: { note: 'Still in the lab' }, mutates: true, expected: grid(200, 200, 200, 200, 200, 403, 403, 404),
    effect: async (res, w, id, who) => {
      expect(res.body).toMatchObject({ status: 'RENEWAL_REQUESTED', renewal: { by: HUIDS[who], note: 'Still in the lab' } });
      const mail = w.mailer.sent.filter((m) => JSON.stringify(m).includes('rccore@hms.harvard.edu'));
      expect(mail).toHaveLength(1);
      expect(JSON.stringify(mail[0])).toContain('lin.labpi@mgh.harvard.edu');
      expect([...w.o2Workflow.executions.keys()]).toContain(`o2-${id}-2`);
      expect((await history(id)).filter((e) => e.action === 'renewal-requested')).toEqual([expect.objectContaining({ actor: HUIDS[who] })]);
    } },
  { route: 'POST /v1/o2-accounts/{o2AccountId}/cancel', action: 'cancel', fixture: 'pending-approval', body: { reason: 'no longer needed' }, mutates: true, expected: grid(200, 200, 200, 200, 200, 200, 200, 404),
    effect: async (res, _w, id, who) => {
      expect(res.body).toMatchObject({ status: 'CANCELLED', cancellation: { by: HUIDS[who], reason: 'no longer needed' } });
      expect((await history(id)).filter((e) => e.action === 'cancelled')).toEqual([expect.objectContaining({ actor: HUIDS[who] })]);
    } },
  { route: 'POST /v1/o2-accounts/{o2AccountId}/retain', action: 'retain', fixture: 'active', mutates: true, expected: grid(202, 202, 202, 202, 202, 403, 403, 404),
    effect: async (res, w, id, who) => {
      expect(res.body).toMatchObject({ status: 'ACTIVE', retain: { by: HUIDS[who], startDate: '2027-04-01' } });
      const guestId = (res.body.retain as { guestId: string }).guestId;
      expect(res.body.guestId).toBe(guestId);
      // The guest account that keeps the HMS account: the PI sponsors it, from the day after the appointment ends.
      expect(await w.guests.get(guestId)).toMatchObject({ guestHuid: HUIDS.user, sponsorHuid: HUIDS.sponsor, startDate: '2027-04-01', retainedAccountId: USER_ACCOUNT });
      expect((await history(id)).filter((e) => e.action === 'retain-requested')).toEqual([expect.objectContaining({ actor: HUIDS[who] })]);
    } },
];

/** A problem body without what names the request (the ID asked for). */
function normalized(body: Record<string, unknown>, id: string): Record<string, unknown> {
  const { instance: _instance, ...rest } = body;
  return JSON.parse(JSON.stringify(rest).replaceAll(id, '<id>')) as Record<string, unknown>;
}

const MISSING_O2 = '00000000-0000-4000-8000-00000000dead';
const MISSING_LAB = '00000000-0000-4000-8000-00000000beef';

describe.each(O2_ENDPOINTS)('$route', (ep) => {
  it.each(WHO.map((who) => [who, ep.expected[who]] as const))('%s → %i', async (who, status) => {
    // Prepare
    const w = await o2World();
    const o2 = await o2Fixture(w, ep.fixture);
    const before = worldState(w);
    const params = { path: { o2AccountId: o2.o2AccountId }, ...(ep.body !== undefined ? { body: ep.body } : {}) };
    // Act
    const res = await call(who, ep.route, params);
    // Assess
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    if (status < 300) {
      await ep.effect(res, w, o2.o2AccountId, who);
      if (!ep.mutates) expect(worldState(w)).toEqual(before);
      else expect(res.headers.etag).toBe(`"${(await w.o2.get(o2.o2AccountId))!.version}"`);
      return;
    }
    expectProblem(res, status);
    expect(worldState(w)).toEqual(before);
    if (status === 403) {
      expect(res.body).toMatchObject({ type: expect.stringMatching(/forbidden$/), detail: expect.stringContaining(`You may not ${ep.action} O2 account ${o2.o2AccountId}`) });
      return;
    }
    // 404: word for word what an O2 account that does not exist gets
    const missing = await call(who, ep.route, { ...params, path: { o2AccountId: MISSING_O2 } });
    expectProblem(missing, 404);
    expect(normalized(res.body, o2.o2AccountId)).toEqual(normalized(missing.body, MISSING_O2));
  });
});

interface LabEndpoint {
  route: string;
  action: LabAction;
  body?: unknown;
  mutates: boolean;
  expected: Grid;
  effect: (res: Reply, w: MemoryWorld, who: Who) => Promise<void> | void;
}

const REGISTRATION = { chargeback: { charged: true, account: '370-31230-8250-000001-000000-0000-00000' }, billingContact: { name: 'Bea Billing', email: 'bea.billing@mgh.harvard.edu' } };

// prettier-ignore
const LAB_ENDPOINTS: LabEndpoint[] = [
  //                                                                         user sponsor labPi manager coreAdmin rcCore hmsIt otherPi
  { route: 'GET /v1/labs/{labId}', action: 'read', mutates: false, expected: grid(404, 200, 200, 200, 200, 200, 200, 404),
    effect: (res) => {
      expect(res.body).toMatchObject({ labId: LAB_ID, piHuid: HUIDS.labPi, institution: 'MGH', quad: { onQuad: false }, registration: { status: 'pending' }, version: 1 });
      expect(res.headers.etag).toBe('"1"');
      for (const secret of ['lastAudit', 'createdBy', 'registrationRequestedAt']) expect(res.body).not.toHaveProperty(secret);
    } },
  { route: 'GET /v1/labs/{labId}/history', action: 'read', mutates: false, expected: grid(404, 200, 200, 200, 200, 200, 200, 404),
    effect: (res) => {
      expect(res.body).toEqual({ items: [{ seq: 1, at: '2027-01-02T14:00:00.000Z', actor: HUIDS.labPi, action: 'created', before: {}, after: { name: 'Lin Lab', piHuid: HUIDS.labPi, institution: 'MGH', registration: { status: 'pending' } }, detail: { quad: 'off-Quad' } }] });
    } },
  { route: 'POST /v1/labs/{labId}/registration', action: 'register', body: REGISTRATION, mutates: true, expected: grid(404, 403, 403, 403, 403, 200, 403, 404),
    effect: async (res, _w, who) => {
      expect(res.body).toMatchObject({ registration: { status: 'registered', chargeback: REGISTRATION.chargeback, billingContact: REGISTRATION.billingContact, by: HUIDS[who] }, version: 2 });
      expect(res.headers.etag).toBe('"2"');
      const events = (await call('hmsIt', 'GET /v1/labs/{labId}/history', { path: { labId: LAB_ID } })).body.items as Event[];
      expect(events.filter((e) => e.seq > 1)).toEqual([expect.objectContaining({ seq: 2, action: 'registered', actor: HUIDS[who], before: { registration: { status: 'pending' } }, after: { registration: expect.objectContaining({ status: 'registered' }) } })]);
    } },
];

describe.each(LAB_ENDPOINTS)('$route', (ep) => {
  it.each(WHO.map((who) => [who, ep.expected[who]] as const))('%s → %i', async (who, status) => {
    // Prepare
    const w = await o2World();
    const before = worldState(w);
    const params = { path: { labId: LAB_ID }, ...(ep.body !== undefined ? { body: ep.body } : {}) };
    // Act
    const res = await call(who, ep.route, params);
    // Assess
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    if (status < 300) {
      await ep.effect(res, w, who);
      if (!ep.mutates) expect(worldState(w)).toEqual(before);
      return;
    }
    expectProblem(res, status);
    expect(worldState(w)).toEqual(before);
    if (status === 403) {
      expect(res.body.detail).toContain(`You may not ${ep.action} lab ${LAB_ID}`);
      return;
    }
    const missing = await call(who, ep.route, { ...params, path: { labId: MISSING_LAB } });
    expectProblem(missing, 404);
    expect(normalized(res.body, LAB_ID)).toEqual(normalized(missing.body, MISSING_LAB));
  });
});

describe('a PI who is neither the sponsor nor of the lab', () => {
  it('cannot approve: 404 word for word as a missing O2 account, nothing changes, the lifecycle is not woken', async () => {
    // Prepare
    const w = await o2World();
    const o2 = await o2Fixture(w, 'pending-approval');
    const before = worldState(w);
    // Act
    const res = await call('otherPi', 'POST /v1/o2-accounts/{o2AccountId}/decision', { path: { o2AccountId: o2.o2AccountId }, body: { decision: 'approve' }, ifMatch: '"3"' });
    const missing = await call('otherPi', 'POST /v1/o2-accounts/{o2AccountId}/decision', { path: { o2AccountId: MISSING_O2 }, body: { decision: 'approve' }, ifMatch: '"3"' });
    // Assess
    expectProblem(res, 404);
    expect(normalized(res.body, o2.o2AccountId)).toEqual(normalized(missing.body, MISSING_O2));
    expect(worldState(w)).toEqual(before);
    expect(w.o2Workflow.resumed).toEqual([]);
  });

  it('does not see it in any list', async () => {
    // Prepare
    const w = await o2World();
    const o2 = await o2Fixture(w, 'pending-approval');
    // Act
    const [asUser, asPi, queue] = await Promise.all(['user', 'pi', 'rc-core'].map((as) => call('otherPi', 'GET /v1/o2-accounts', { query: { as } })));
    // Assess
    for (const res of [asUser!, asPi!]) {
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain(o2.o2AccountId);
    }
    expectProblem(queue!, 403);
  });
});

describe('lists', () => {
  it('GET /v1/o2-accounts (as user, the default): the caller\'s own O2 accounts only', async () => {
    // Prepare
    const w = await o2World();
    const o2 = await o2Fixture(w, 'active');
    for (const who of WHO) {
      // Act
      const res = await call(who, 'GET /v1/o2-accounts');
      // Assess
      expect(res.status).toBe(200);
      const ids = (res.body.items as { o2AccountId: string }[]).map((i) => i.o2AccountId);
      expect(ids, who).toEqual(who === 'user' ? [o2.o2AccountId] : []);
    }
  });

  it('GET /v1/o2-accounts?as=pi: the sponsor\'s', async () => {
    // Prepare
    const w = await o2World();
    const o2 = await o2Fixture(w, 'pending-approval');
    // Act
    const res = await call('sponsor', 'GET /v1/o2-accounts', { query: { as: 'pi' } });
    // Assess
    expect((res.body.items as { o2AccountId: string }[]).map((i) => i.o2AccountId)).toEqual([o2.o2AccountId]);
    expect(res.body.cursor).toBeNull();
  });

  it("GET /v1/o2-accounts?as=pi: the lab's PI, its lab managers and core administrators see every account of the lab; nobody else does", async () => {
    // Prepare: the user's account in Lin's lab, sponsored by Sol (a manager there)
    const w = await o2World();
    const o2 = await o2Fixture(w, 'pending-approval');
    for (const who of WHO) {
      // Act
      const res = await call(who, 'GET /v1/o2-accounts', { query: { as: 'pi' } });
      // Assess
      expect(res.status, who).toBe(200);
      const ids = (res.body.items as { o2AccountId: string }[]).map((i) => i.o2AccountId);
      expect(ids, who).toEqual(['sponsor', 'labPi', 'labManager', 'coreAdmin'].includes(who) ? [o2.o2AccountId] : []);
    }
  });

  it('GET /v1/o2-accounts?as=pi: a manager taken out of the group no longer sees the lab\'s accounts (the directory read now)', async () => {
    // Prepare
    const w = await o2World();
    const o2 = await o2Fixture(w, 'active');
    const max = w.directory.people.get(HUIDS.labManager)!;
    w.directory.people.set(HUIDS.labManager, { ...max, groups: [] });
    // Act
    const res = await call('labManager', 'GET /v1/o2-accounts', { query: { as: 'pi' } });
    // Assess
    expect(JSON.stringify(res.body)).not.toContain(o2.o2AccountId);
  });

  // prettier-ignore
  const queue = grid(403, 403, 403, 403, 403, 200, 200, 403);
  it.each(WHO.map((who) => [who, queue[who]] as const))('GET /v1/o2-accounts?as=rc-core (the RC Core queue) by %s → %i', async (who, status) => {
    // Prepare
    const w = await o2World();
    const waiting = await o2Fixture(w, 'pending-rc-core');
    // Act
    const res = await call(who, 'GET /v1/o2-accounts', { query: { as: 'rc-core' } });
    // Assess
    expect(res.status).toBe(status);
    if (status === 200) expect((res.body.items as { o2AccountId: string }[]).map((i) => i.o2AccountId)).toEqual([waiting.o2AccountId]);
    else expect(JSON.stringify(res.body)).not.toContain(waiting.o2AccountId);
  });

  it.each(WHO.map((who) => [who, queue[who]] as const))('GET /v1/labs?registration=pending (the RC Core queue) by %s → %i', async (who, status) => {
    // Prepare
    await o2World();
    // Act
    const res = await call(who, 'GET /v1/labs', { query: { registration: 'pending' } });
    // Assess
    expect(res.status).toBe(status);
    if (status === 200) expect((res.body.items as { labId: string }[]).map((l) => l.labId)).toEqual([LAB_ID]);
    else expect(JSON.stringify(res.body)).not.toContain(LAB_ID);
  });

  // prettier-ignore
  const ofPi = grid(403, 200, 200, 200, 200, 200, 200, 403);
  it.each(WHO.map((who) => [who, ofPi[who]] as const))("GET /v1/labs?piHuid=<the lab's PI> by %s → %i", async (who, status) => {
    // Prepare
    await o2World();
    // Act
    const res = await call(who, 'GET /v1/labs', { query: { piHuid: HUIDS.labPi } });
    // Assess
    expect(res.status).toBe(status);
    if (status === 200) expect((res.body.items as { labId: string }[]).map((l) => l.labId)).toEqual([LAB_ID]);
    else expect(JSON.stringify(res.body)).not.toContain(LAB_ID);
  });

  it('GET /v1/labs: the caller\'s own labs', async () => {
    // Prepare
    await o2World();
    // Act
    const [labPi, otherPi, user] = await Promise.all((['labPi', 'otherPi', 'user'] as const).map((who) => call(who, 'GET /v1/labs')));
    // Assess
    expect((labPi!.body.items as { labId: string }[]).map((l) => l.labId)).toEqual([LAB_ID]);
    expect((otherPi!.body.items as { labId: string }[]).map((l) => l.labId)).toEqual([OTHER_LAB_ID]);
    expect(user!.body).toEqual({ items: [], cursor: null });
  });
});

describe('POST /v1/labs: a PI registers their own lab; the RC Core may for any PI', () => {
  it.each([
    ['the PI, for themselves', 'otherPi', {}, 201],
    ['RC Core staff, for a PI', 'rcCore', { piHuid: HUIDS.otherPi }, 201],
    ['a PI, for another PI', 'labPi', { piHuid: HUIDS.otherPi }, 403],
    ['a lab manager, for the PI', 'labManager', { piHuid: HUIDS.labPi }, 403],
    ['HMS IT, for a PI', 'hmsIt', { piHuid: HUIDS.otherPi }, 403],
    ['a person who is no PI, for themselves', 'user', {}, 422],
  ] as const)('%s', async (_name, who, extra, status) => {
    // Prepare
    const w = await o2World();
    const before = worldState(w);
    // Act
    const res = await call(who, 'POST /v1/labs', { body: { name: 'Second Lab', institution: 'BWH', ...extra } });
    // Assess
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    if (status !== 201) {
      expectProblem(res, status);
      expect(worldState(w)).toEqual(before);
      return;
    }
    expect(res.body).toMatchObject({ name: 'Second Lab', piHuid: HUIDS.otherPi, institution: 'BWH', quad: { onQuad: false }, registration: { status: 'pending' }, version: 1 });
    expect(res.headers.location).toBe(`/v1/labs/${String(res.body.labId)}`);
    expect(res.headers.etag).toBe('"1"');
    const events = (await call('hmsIt', 'GET /v1/labs/{labId}/history', { path: { labId: String(res.body.labId) } })).body.items as Event[];
    expect(events).toEqual([expect.objectContaining({ seq: 1, action: 'created', actor: HUIDS[who] })]);
  });
});

describe('POST /v1/o2-accounts: who may ask', () => {
  it.each([
    ['the user (the PI then approves)', 'user', 202, 'PENDING_PI_APPROVAL', false],
    ['the sponsoring PI, the lab\'s (approved by asking)', 'labPi', 202, 'PENDING_PI_APPROVAL', true],
    ['a lab manager (approved by asking)', 'labManager', 202, 'PENDING_PI_APPROVAL', true],
    ['RC Core staff', 'rcCore', 202, 'PENDING_PI_APPROVAL', false],
    ['a PI of another lab', 'otherPi', 403, undefined, false],
    ['HMS IT', 'hmsIt', 403, undefined, false],
  ] as const)('%s', async (_name, who, status, state, approved) => {
    // Prepare
    const w = await o2World();
    const before = worldState(w);
    // Act
    const res = await call(who, 'POST /v1/o2-accounts', { body: { userHuid: HUIDS.user, piHuid: HUIDS.labPi, labId: LAB_ID, justification: 'Sequencing runs' } });
    // Assess
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    if (status !== 202) {
      expectProblem(res, status);
      expect(worldState(w)).toEqual(before);
      return;
    }
    expect(res.body).toMatchObject({ status: state, userHuid: HUIDS.user, piHuid: HUIDS.labPi, labId: LAB_ID, labPiHuid: HUIDS.labPi, requestedBy: HUIDS[who], accountId: USER_ACCOUNT });
    expect(Boolean((res.body.approval as { bySubmission?: boolean } | null)?.bySubmission)).toBe(approved);
    expect(res.headers.location).toBe(`/v1/o2-accounts/${String(res.body.o2AccountId)}`);
    expect(res.headers.etag).toBe(`"${String(res.body.version)}"`);
  });
});

// ---------------------------------------------------------------------------------------------
// Bad bodies: 400 field by field, nothing changes
// ---------------------------------------------------------------------------------------------

type Errors = { pointer?: string; parameter?: string; header?: string; detail: string }[];

describe('bad requests are refused field by field, and change nothing', () => {
  const o2Route = (suffix: string) => `POST /v1/o2-accounts/{o2AccountId}/${suffix}`;
  // prettier-ignore
  const CASES: [name: string, who: Who, route: string, fixture: O2Fixture | null, body: unknown, query: Record<string, string> | undefined, named: string[]][] = [
    ['a lab at no known institution', 'labPi', 'POST /v1/labs', null, { name: 'X Lab', institution: 'Hogwarts' }, undefined, ['#/institution']],
    ['a lab name with a bidirectional override', 'labPi', 'POST /v1/labs', null, { name: 'Lab \u202eevil', institution: 'MGH' }, undefined, ['#/name']],
    ['a lab name with a zero-width space (a lookalike of another lab)', 'labPi', 'POST /v1/labs', null, { name: 'Lin\u200B Lab', institution: 'MGH' }, undefined, ['#/name']],
    ['a lab name with a soft hyphen and a word joiner', 'labPi', 'POST /v1/labs', null, { name: 'Lin\u00AD\u2060Lab', institution: 'MGH' }, undefined, ['#/name']],
    ['a decision reason with a byte order mark', 'sponsor', o2Route('decision'), 'pending-approval', { decision: 'deny', reason: 'n\uFEFFo' }, undefined, ['#/reason']],
    ['a lab name over two lines, a bad PI HUID and an unknown field', 'rcCore', 'POST /v1/labs', null, { name: 'A\nB', institution: 'MGH', piHuid: '3000000', admin: true }, undefined, ['#/name', '#/piHuid', '#/admin']],
    ['a lab without a name', 'labPi', 'POST /v1/labs', null, { institution: 'MGH' }, undefined, ['#/name']],
    ['a charged registration without its account', 'rcCore', 'POST /v1/labs/{labId}/registration', null, { chargeback: { charged: true }, billingContact: { name: 'Bea', email: 'bea@mgh.harvard.edu' } }, undefined, ['#/chargeback/account']],
    ['a registration with a bad email and unknown fields', 'rcCore', 'POST /v1/labs/{labId}/registration', null, { chargeback: { charged: false, account: 'x' }, billingContact: { name: 'Bea', email: 'bea at mgh', phone: '1' } }, undefined, ['#/chargeback/account', '#/billingContact/email', '#/billingContact/phone']],
    ['a registration whose chargeback says "yes"', 'rcCore', 'POST /v1/labs/{labId}/registration', null, { chargeback: { charged: 'yes' }, billingContact: { name: 'Bea', email: 'bea@mgh.harvard.edu' } }, undefined, ['#/chargeback/charged']],
    ['an O2 request with a bad user HUID, a lab ID that is no UUID and a control character', 'sponsor', 'POST /v1/o2-accounts', null, { userHuid: '3000000x', piHuid: HUIDS.sponsor, labId: 'lab-1', justification: 'a\u0007b' }, undefined, ['#/userHuid', '#/labId', '#/justification']],
    ['an O2 request without its PI, naming an email as HMS sponsor', 'sponsor', 'POST /v1/o2-accounts', null, { userHuid: HUIDS.user, labId: LAB_ID, hmsSponsorHuid: 'ada@hms.harvard.edu' }, undefined, ['#/piHuid', '#/hmsSponsorHuid']],
    ['a decision of "maybe"', 'sponsor', o2Route('decision'), 'pending-approval', { decision: 'maybe' }, undefined, ['#/decision']],
    ['a decision with a reason in a right-to-left override', 'sponsor', o2Route('decision'), 'pending-approval', { decision: 'deny', reason: '\u202enoitcelfer' }, undefined, ['#/reason']],
    ['a completion with a username that is no HMS account ID and an impossible date', 'rcCore', o2Route('completion'), 'pending-rc-core', { unixUsername: 'Uma User', endDate: '2027-02-30' }, undefined, ['#/unixUsername', '#/endDate']],
    ['a completion without a username', 'rcCore', o2Route('completion'), 'pending-rc-core', {}, undefined, ['#/unixUsername']],
    ['a renewal note with a NUL', 'user', o2Route('renewal'), 'expired', { note: 'a\u0000b' }, undefined, ['#/note']],
    ['a renewal with an unknown field', 'user', o2Route('renewal'), 'expired', { urgent: true }, undefined, ['#/urgent']],
    ['a cancel reason over two lines', 'user', o2Route('cancel'), 'pending-approval', { reason: 'a\nb' }, undefined, ['#/reason']],
    ['a retain with a bad HMS sponsor and a date that is no date', 'user', o2Route('retain'), 'active', { hmsSponsorHuid: '1', endDate: 'next year' }, undefined, ['#/hmsSponsorHuid', '#/endDate']],
    ['a retain whose body is a list', 'user', o2Route('retain'), 'active', [], undefined, ['#']],
    ['a list of O2 accounts as "admin", of status "LIVE"', 'user', 'GET /v1/o2-accounts', null, undefined, { as: 'admin', status: 'LIVE' }, ['as', 'status']],
    ['a list of labs with a limit of 0 and an unknown parameter', 'labPi', 'GET /v1/labs', null, undefined, { limit: '0', mine: 'yes' }, ['limit', 'mine']],
    ['a list of labs by registration "done"', 'rcCore', 'GET /v1/labs', null, undefined, { registration: 'done' }, ['registration']],
  ];

  it.each(CASES)('%s', async (_name, who, route, fixture, body, query, named) => {
    // Prepare
    const w = await o2World();
    const o2 = fixture ? await o2Fixture(w, fixture) : undefined;
    const before = worldState(w);
    const path: Record<string, string> | undefined = route.includes('{labId}') ? { labId: LAB_ID } : o2 ? { o2AccountId: o2.o2AccountId } : undefined;
    // Act
    const res = await call(who, route, { ...(path ? { path } : {}), ...(body !== undefined ? { body } : {}), ...(query ? { query } : {}) });
    // Assess
    expectProblem(res, 400);
    const errors = res.body.errors as Errors;
    expect([...new Set(errors.map((e) => e.pointer ?? e.parameter))].sort()).toEqual([...named].sort());
    for (const e of errors) expect(e.detail).toEqual(expect.any(String));
    expect(worldState(w)).toEqual(before);
  });

  it.each([
    ['GET /v1/o2-accounts/{o2AccountId}', { o2AccountId: 'not-a-uuid' }, 'o2AccountId', 'must be an O2 account ID (UUID)'],
    ['POST /v1/o2-accounts/{o2AccountId}/cancel', { o2AccountId: '../labs' }, 'o2AccountId', 'must be an O2 account ID (UUID)'],
    ['GET /v1/labs/{labId}', { labId: '1' }, 'labId', 'must be a lab ID (UUID)'],
    ['POST /v1/labs/{labId}/registration', { labId: `${LAB_ID}x` }, 'labId', 'must be a lab ID (UUID)'],
  ])('%s with a bad path parameter: 400 naming it', async (route, path, parameter, detail) => {
    // Prepare
    const w = await o2World();
    const before = worldState(w);
    // Act
    const res = await call('rcCore', route, { path, ...(route.startsWith('POST') ? { body: {} } : {}) });
    // Assess
    expectProblem(res, 400);
    expect((res.body.errors as Errors).filter((e) => e.parameter)).toEqual([{ parameter, detail }]);
    expect(worldState(w)).toEqual(before);
  });

  it('a bad If-Match on an O2 route names the header and the O2 account', async () => {
    // Prepare
    const w = await o2World();
    const o2 = await o2Fixture(w, 'pending-approval');
    const before = worldState(w);
    // Act
    const res = await call('sponsor', 'POST /v1/o2-accounts/{o2AccountId}/decision', { path: { o2AccountId: o2.o2AccountId }, body: { decision: 'approve' }, ifMatch: '"abc"' });
    // Assess
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ header: 'If-Match', detail: 'must be the ETag of the O2 account, e.g. "3"' }]);
    expect(worldState(w)).toEqual(before);
  });

  it('no HUID claim: 401, nothing shown', async () => {
    // Prepare
    const w = await o2World();
    const o2 = await o2Fixture(w, 'pending-approval');
    // Act
    const res = await call(null, 'GET /v1/o2-accounts/{o2AccountId}', { path: { o2AccountId: o2.o2AccountId } });
    // Assess
    expectProblem(res, 401);
    expect(JSON.stringify(res.body)).not.toContain(HUIDS.user);
  });
});
