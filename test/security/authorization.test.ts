/**
 * Authorization as a matrix: who may do what to a guest. First the rule itself
 * (shared/guest/domain/access.ts and shared/o2/domain/access.ts `decide`, every action × relation), then every endpoint × role over
 * the running local system: a sponsor sees and acts on their own guests only; a delegate submits
 * and reads for the sponsors who named them and never decides; only the guest's sponsor approves,
 * denies, extends, cancels and resends; HMS IT reads everything, cancels, force-expires and
 * reassigns (audited). Another sponsor's guest is answered exactly like a guest that does not
 * exist, and a refused call changes nothing (store, history, mail, executions).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, relationTo, type AccessContext, type GuestAction, type Relation } from '../../shared/guest/domain/access.ts';
import type { Caller } from '../../shared/core/domain/people.ts';
import type { DirectorySeed } from '../../shared/adapters/directories.ts';
import { SAMPLE_DIRECTORY } from '../../local/sample-data.ts';
import { TestSystem, SPONSOR, DELEGATE, type Answer, type Mail } from '../support/local-system.ts';
import { closeObserver, systemState } from '../support/observe.ts';

// ---------------------------------------------------------------------------------------------
// The rule: decide(caller, action, guest, context)
// ---------------------------------------------------------------------------------------------

const ACTIONS = ['read', 'decide', 'extend', 'cancel', 'resend', 'force-expire', 'reassign', 'read-executions'] as const satisfies readonly GuestAction[];
// Compile-time check that the table below covers every action there is.
const everyAction: [Exclude<GuestAction, (typeof ACTIONS)[number]>] extends [never] ? true : false = true;

const S = '10000001';
const D = '10000004';
const X = '10000009';
const IT_ROLE = 'hms-it';
const ctx: AccessContext = { sponsorDelegates: [D], hmsItRole: IT_ROLE };
const guest = { sponsorHuid: S };

type Verdict = 'allow' | 'forbid' | 'hide';
const CALLERS: Record<string, Caller> = {
  nobody: { huid: X, roles: [] },
  sponsor: { huid: S, roles: [] },
  delegate: { huid: D, roles: [] },
  'HMS IT': { huid: X, roles: [IT_ROLE] },
  'sponsor in HMS IT': { huid: S, roles: [IT_ROLE] },
  'delegate in HMS IT': { huid: D, roles: ['staff', IT_ROLE] },
};

// prettier-ignore
const EXPECTED: Record<(typeof ACTIONS)[number], Record<keyof typeof CALLERS, Verdict>> = {
  //                 nobody          sponsor           delegate           HMS IT              sponsor in HMS IT             delegate in HMS IT
  read:           { nobody: 'hide', sponsor: 'allow',  delegate: 'allow',  'HMS IT': 'allow',  'sponsor in HMS IT': 'allow', 'delegate in HMS IT': 'allow' },
  decide:         { nobody: 'hide', sponsor: 'allow',  delegate: 'forbid', 'HMS IT': 'forbid', 'sponsor in HMS IT': 'allow', 'delegate in HMS IT': 'forbid' },
  extend:         { nobody: 'hide', sponsor: 'allow',  delegate: 'forbid', 'HMS IT': 'forbid', 'sponsor in HMS IT': 'allow', 'delegate in HMS IT': 'forbid' },
  cancel:         { nobody: 'hide', sponsor: 'allow',  delegate: 'forbid', 'HMS IT': 'allow',  'sponsor in HMS IT': 'allow', 'delegate in HMS IT': 'allow' },
  resend:         { nobody: 'hide', sponsor: 'allow',  delegate: 'forbid', 'HMS IT': 'forbid', 'sponsor in HMS IT': 'allow', 'delegate in HMS IT': 'forbid' },
  'force-expire': { nobody: 'hide', sponsor: 'forbid', delegate: 'forbid', 'HMS IT': 'allow',  'sponsor in HMS IT': 'allow', 'delegate in HMS IT': 'allow' },
  reassign:       { nobody: 'hide', sponsor: 'forbid', delegate: 'forbid', 'HMS IT': 'allow',  'sponsor in HMS IT': 'allow', 'delegate in HMS IT': 'allow' },
  'read-executions': { nobody: 'hide', sponsor: 'forbid', delegate: 'forbid', 'HMS IT': 'allow', 'sponsor in HMS IT': 'allow', 'delegate in HMS IT': 'allow' },
};

describe('decide: every action × relation', () => {
  it('the table covers every action', () => {
    expect(everyAction).toBe(true);
    expect(Object.keys(EXPECTED).sort()).toEqual([...ACTIONS].sort());
  });

  describe.each(ACTIONS)('%s', (action) => {
    it.each(Object.keys(CALLERS))('by %s', (who) => {
      expect(decide(CALLERS[who]!, action, guest, ctx)).toBe(EXPECTED[action][who]);
    });
  });

  it.each([
    ['a group that only looks like HMS IT (case)', { huid: X, roles: ['HMS-IT'] }],
    ['a group that only contains the HMS IT name', { huid: X, roles: ['hms-it-readonly'] }],
    ['a HUID one digit off the sponsor', { huid: '10000011', roles: [] }],
    ['the sponsor HUID with a space', { huid: ` ${S}`, roles: [] }],
    ['a delegate of some other sponsor', { huid: '10000010', roles: [] }],
  ])('%s is nobody: every action is hidden', (_name, caller) => {
    for (const action of ACTIONS) expect(decide(caller, action, guest, ctx), action).toBe('hide');
  });

  it('a delegate named by no one is nobody, even with the same HUID a sponsor named elsewhere', () => {
    for (const action of ACTIONS) expect(decide({ huid: D, roles: [] }, action, guest, { ...ctx, sponsorDelegates: [] })).toBe('hide');
  });

  it.each<[string, Caller, Relation[]]>([
    ['nobody', { huid: X, roles: [] }, ['none']],
    ['the sponsor', { huid: S, roles: [] }, ['sponsor']],
    ['a named delegate', { huid: D, roles: [] }, ['delegate']],
    ['HMS IT', { huid: X, roles: [IT_ROLE] }, ['hms-it']],
    ['the sponsor, in HMS IT', { huid: S, roles: [IT_ROLE] }, ['sponsor', 'hms-it']],
    ['a delegate, in HMS IT', { huid: D, roles: [IT_ROLE] }, ['delegate', 'hms-it']],
  ])('relationTo: %s', (_name, caller, relations) => {
    expect(relationTo(caller, guest, ctx)).toEqual(relations);
  });
});

// ---------------------------------------------------------------------------------------------
// Every endpoint × role, over the running local system
// ---------------------------------------------------------------------------------------------

const OTHER_SPONSOR = '10000002';
const OTHER_DELEGATE = '10000090';
const IT = '10000091';
const UNRELATED = '10000009';
const NEW_SPONSOR = '10000007';

/** Guests with an active HSR, one per request (a person holds one live guest account at a time). */
const POOL = Array.from({ length: 200 }, (_, i) => ({ huid: String(21000000 + i), firstName: 'Pat', lastName: `Pool${i}`, personalEmail: `pat.pool${i}@example.org`, status: 'active' as const, endDate: '2030-12-31' }));
let pooled = 0;
const nextGuest = () => POOL[pooled++]!;
const guestEmail = new Map<string, string>();

/** The sample directory, plus a delegate of the other sponsor, an HMS IT person and the pool of guests. */
const SEED: DirectorySeed = {
  people: [
    ...SAMPLE_DIRECTORY.people.map((p) => (p.huid === OTHER_SPONSOR ? { ...p, delegates: [OTHER_DELEGATE] } : p)),
    { huid: OTHER_DELEGATE, name: 'Olive OtherAdmin', email: 'olive.otheradmin@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'Quad', active: true },
    { huid: IT, name: 'Ivan Ithelp', email: 'ivan.ithelp@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'Quad', active: true },
  ],
  hsr: [...SAMPLE_DIRECTORY.hsr, ...POOL],
};

type RoleKey = 'sponsor' | 'otherSponsor' | 'delegate' | 'otherDelegate' | 'hmsIt' | 'unrelated';
interface Role {
  label: string;
  huid: string;
  roles: string[];
}
const ROLES: Record<RoleKey, Role> = {
  sponsor: { label: "the guest's sponsor", huid: SPONSOR.huid, roles: [] },
  otherSponsor: { label: 'another sponsor', huid: OTHER_SPONSOR, roles: [] },
  delegate: { label: "the sponsor's delegate", huid: DELEGATE.huid, roles: [] },
  otherDelegate: { label: "another sponsor's delegate", huid: OTHER_DELEGATE, roles: [] },
  hmsIt: { label: 'HMS IT', huid: IT, roles: [IT_ROLE] },
  unrelated: { label: 'an unrelated person', huid: UNRELATED, roles: [] },
};
const ROLE_KEYS = Object.keys(ROLES) as RoleKey[];

/** A row of the matrix, in the column order of ROLE_KEYS. */
function grid(sponsor: number, otherSponsor: number, delegate: number, otherDelegate: number, hmsIt: number, unrelated: number): Record<RoleKey, number> {
  return { sponsor, otherSponsor, delegate, otherDelegate, hmsIt, unrelated };
}

type Fixture = 'pending-approval' | 'pending-activation';
interface GuestEndpoint {
  name: string;
  /** The action access.ts decides on. */
  action: GuestAction;
  method: 'GET' | 'POST';
  path: (guestId: string) => string;
  body?: Record<string, unknown>;
  /** The state in which the action is possible, so a refusal is about who asks, not the state. */
  fixture: Fixture;
  mutates: boolean;
  expected: Record<RoleKey, number>;
  /** Who a 403 says may do it. */
  whoMay?: string;
  /** What an allowed call must have done (`mail`: the messages it sent). */
  effect: (res: Answer, guestId: string, role: Role, mail: Mail[]) => Promise<void>;
}

let t: TestSystem;
const shared: Record<Fixture, string> = { 'pending-approval': '', 'pending-activation': '' };
let otherSponsorsGuest = '';

async function create(as: string, body: Record<string, unknown>): Promise<string> {
  const person = nextGuest();
  const res = await t.as(as, 'POST', '/v1/guests', { guestHuid: person.huid, population: 'agency-temp', endDate: '2027-06-30', ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await t.advance('PT0S');
  guestEmail.set(String(res.body.guestId), person.personalEmail);
  return String(res.body.guestId);
}

/** A guest of SPONSOR in the state an action needs: a delegate's request awaits the sponsor; the sponsor's own is provisioned. */
async function fixture(kind: Fixture): Promise<string> {
  const guestId = kind === 'pending-approval' ? await create(DELEGATE.huid, { sponsorHuid: SPONSOR.huid }) : await create(SPONSOR.huid, {});
  const g = await t.guest(SPONSOR.huid, guestId);
  expect(g.status).toBe(kind === 'pending-approval' ? 'PENDING_APPROVAL' : 'PENDING_ACTIVATION');
  return guestId;
}

type Event = { action: string; actor: string; before?: Record<string, unknown>; after?: Record<string, unknown>; detail?: Record<string, unknown> };
async function history(guestId: string): Promise<Event[]> {
  const res = await t.as(IT, 'GET', `/v1/guests/${guestId}/history`, undefined, [IT_ROLE]);
  expect(res.status).toBe(200);
  return res.body.items as Event[];
}

/** A problem body without what names the request (its guest ID, its request ID). */
function normalized(body: Record<string, unknown>, guestId: string): Record<string, unknown> {
  const { instance: _instance, ...rest } = body;
  return JSON.parse(JSON.stringify(rest).replaceAll(guestId, '<guestId>')) as Record<string, unknown>;
}

// prettier-ignore
const GUEST_ENDPOINTS: GuestEndpoint[] = [
  //                                                                                          sponsor other delegate other-delegate HMS IT unrelated
  { name: 'GET /v1/guests/{id}', action: 'read', method: 'GET', path: (id) => `/v1/guests/${id}`, fixture: 'pending-activation', mutates: false, expected: grid(200, 404, 200, 404, 200, 404),
    effect: async (res, id) => {
      expect(res.body.guestId).toBe(id);
      expect(res.headers.get('etag')).toBe(`"${String(res.body.version)}"`);
    } },
  { name: 'GET /v1/guests/{id}/history', action: 'read', method: 'GET', path: (id) => `/v1/guests/${id}/history`, fixture: 'pending-activation', mutates: false, expected: grid(200, 404, 200, 404, 200, 404),
    effect: async (res) => {
      expect((res.body.items as Event[])[0]).toMatchObject({ action: 'requested', actor: SPONSOR.huid });
    } },
  { name: 'GET /v1/guests/{id}/executions', action: 'read-executions', method: 'GET', path: (id) => `/v1/guests/${id}/executions`, fixture: 'pending-activation', mutates: false, expected: grid(403, 404, 403, 404, 200, 404), whoMay: 'HMS IT',
    effect: async (res, id) => {
      const [first] = res.body.items as { name: string; generation: number; status: string; events: { type: string }[] }[];
      expect(first).toMatchObject({ name: `${id}-1`, generation: 1, status: 'RUNNING' });
      expect(first!.events.at(-1)).toMatchObject({ type: 'ExecutionStarted' });
    } },
  { name: 'POST /v1/guests/{id}/decision', action: 'decide', method: 'POST', path: (id) => `/v1/guests/${id}/decision`, body: { decision: 'approve' }, fixture: 'pending-approval', mutates: true, expected: grid(200, 404, 403, 404, 403, 404), whoMay: "the guest's sponsor",
    effect: async (res, id, role) => {
      expect(res.body.approval).toMatchObject({ decision: 'approve', by: role.huid });
      expect((await history(id)).filter((e) => e.action === 'approved')).toEqual([expect.objectContaining({ actor: role.huid })]);
    } },
  { name: 'POST /v1/guests/{id}/extension', action: 'extend', method: 'POST', path: (id) => `/v1/guests/${id}/extension`, body: { endDate: '2027-09-30' }, fixture: 'pending-activation', mutates: true, expected: grid(200, 404, 403, 404, 403, 404), whoMay: "the guest's sponsor",
    effect: async (res, id, role) => {
      expect(res.body.endDate).toBe('2027-09-30');
      expect((await history(id)).filter((e) => e.action === 'extended')).toEqual([expect.objectContaining({ actor: role.huid, after: expect.objectContaining({ endDate: '2027-09-30' }) })]);
    } },
  { name: 'POST /v1/guests/{id}/cancel', action: 'cancel', method: 'POST', path: (id) => `/v1/guests/${id}/cancel`, body: { reason: 'no longer needed' }, fixture: 'pending-activation', mutates: true, expected: grid(200, 404, 403, 404, 200, 404), whoMay: "the guest's sponsor or HMS IT",
    effect: async (res, id, role) => {
      expect(res.body.status).toBe('CANCELLED');
      expect((await history(id)).filter((e) => e.action === 'cancelled')).toEqual([expect.objectContaining({ actor: role.huid })]);
    } },
  { name: 'POST /v1/guests/{id}/activation/resend', action: 'resend', method: 'POST', path: (id) => `/v1/guests/${id}/activation/resend`, fixture: 'pending-activation', mutates: true, expected: grid(200, 404, 403, 404, 403, 404), whoMay: "the guest's sponsor",
    effect: async (_res, id, role, mail) => {
      expect((await history(id)).filter((e) => e.action === 'activation-resent')).toEqual([expect.objectContaining({ actor: role.huid })]);
      expect(mail.filter((m) => m.destination.to.includes(guestEmail.get(id)!)).map((m) => m.subject)).toEqual(['Activate your HMS account']);
    } },
  { name: 'POST /v1/guests/{id}/expire', action: 'force-expire', method: 'POST', path: (id) => `/v1/guests/${id}/expire`, body: { reason: 'left the lab' }, fixture: 'pending-activation', mutates: true, expected: grid(403, 404, 403, 404, 200, 404), whoMay: 'HMS IT',
    effect: async (res, id, role) => {
      expect(res.body.status).toBe('EXPIRED');
      const events = await history(id);
      expect(events.find((e) => e.action === 'end-date-set-by-hms-it')).toMatchObject({ actor: role.huid, detail: { reason: 'left the lab' } });
      expect(events.find((e) => e.action === 'expired')).toMatchObject({ actor: role.huid });
    } },
  { name: 'POST /v1/guests/{id}/reassign', action: 'reassign', method: 'POST', path: (id) => `/v1/guests/${id}/reassign`, body: { sponsorHuid: NEW_SPONSOR, reason: 'PI moved' }, fixture: 'pending-activation', mutates: true, expected: grid(403, 404, 403, 404, 200, 404), whoMay: 'HMS IT',
    effect: async (res, id, role) => {
      expect(res.body.sponsorHuid).toBe(NEW_SPONSOR);
      expect((await history(id)).filter((e) => e.action === 'sponsor-reassigned')).toEqual([
        expect.objectContaining({ actor: role.huid, before: { sponsorHuid: SPONSOR.huid }, after: { sponsorHuid: NEW_SPONSOR }, detail: { reason: 'PI moved' } }),
      ]);
      // The guest now belongs to the new sponsor only.
      expect((await t.as(NEW_SPONSOR, 'GET', `/v1/guests/${id}`)).status).toBe(200);
      expect((await t.as(SPONSOR.huid, 'GET', `/v1/guests/${id}`)).status).toBe(404);
      expect((await t.as(DELEGATE.huid, 'GET', `/v1/guests/${id}`)).status).toBe(404);
    } },
];

beforeAll(async () => {
  t = await TestSystem.start({ clock: '2027-01-04T14:00:00.000Z', seed: SEED });
  expect(t.sys.deployment.environment.HMS_IT_ROLE).toBe(IT_ROLE);
  shared['pending-approval'] = await fixture('pending-approval');
  shared['pending-activation'] = await fixture('pending-activation');
  otherSponsorsGuest = await create(OTHER_SPONSOR, { guestHuid: '20000002' });
});
afterAll(async () => {
  closeObserver();
  await t.stop();
});

describe.each(GUEST_ENDPOINTS)('$name', (ep) => {
  it.each(ROLE_KEYS.map((k) => [ROLES[k].label, ep.expected[k], k] as const))('%s → %i', async (_label, status, key) => {
    // Prepare: an allowed change gets a guest of its own; everything else uses the shared one, which must not change
    const role = ROLES[key];
    const guestId = status === 200 && ep.mutates ? await fixture(ep.fixture) : shared[ep.fixture];
    const before = await systemState(t);
    // Act
    const res = await t.as(role.huid, ep.method, ep.path(guestId), ep.body, role.roles);
    await t.advance('PT0S');
    // Assess
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    if (status === 200) {
      const sent = (await t.mail()).filter((m) => !before.mail.includes(m.messageId));
      await ep.effect(res, guestId, role, sent);
      if (!ep.mutates) expect(await systemState(t)).toEqual(before);
      return;
    }
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await systemState(t)).toEqual(before);
    if (status === 403) {
      expect(res.body).toMatchObject({ status: 403, type: expect.stringMatching(/forbidden$/) });
      expect(res.body.detail).toBe(`You may not ${ep.action} guest ${guestId}: only ${ep.whoMay} may.`);
      return;
    }
    // 404: word for word what a guest that does not exist gets
    const missingId = randomUUID();
    const missing = await t.as(role.huid, ep.method, ep.path(missingId), ep.body, role.roles);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe(res.headers.get('content-type'));
    expect(normalized(res.body, guestId)).toEqual(normalized(missing.body, missingId));
  });
});

describe('HMS IT reassigns only to an eligible sponsor', () => {
  it.each([
    ['a student', 403, '10000006'],
    ['an inactive faculty member', 403, '10000008'],
    ['Wyss staff', 403, '10000005'],
    ['FAS staff', 403, '10000009'],
    ['someone not in the directory', 403, '19999999'],
  ] as const)('to %s: %i, nothing changes', async (_name, status, sponsorHuid) => {
    // Prepare
    const guestId = shared['pending-activation'];
    const before = await systemState(t);
    // Act
    const res = await t.as(IT, 'POST', `/v1/guests/${guestId}/reassign`, { sponsorHuid }, [IT_ROLE]);
    // Assess
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await systemState(t)).toEqual(before);
  });
});

describe('POST /v1/guests for the sponsor (sponsorHuid in the body)', () => {
  // prettier-ignore
  const expected = grid(202, 403, 202, 403, 403, 403);
  it.each(ROLE_KEYS.map((k) => [ROLES[k].label, expected[k], k] as const))('%s → %i', async (_label, status, key) => {
    // Prepare
    const role = ROLES[key];
    const before = await systemState(t);
    // Act
    const res = await t.as(role.huid, 'POST', '/v1/guests', { guestHuid: nextGuest().huid, population: 'agency-temp', endDate: '2027-06-30', sponsorHuid: SPONSOR.huid }, role.roles);
    await t.advance('PT0S');
    // Assess
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    if (status === 202) {
      expect(res.body).toMatchObject({ sponsorHuid: SPONSOR.huid, submittedBy: role.huid });
      return;
    }
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await systemState(t)).toEqual(before);
  });
});

describe('GET /v1/guests', () => {
  it.each(ROLE_KEYS.map((k) => [ROLES[k].label, k] as const))("%s sees only their own guests", async (_label, key) => {
    // Prepare
    const role = ROLES[key];
    // Act
    const res = await t.as(role.huid, 'GET', '/v1/guests', undefined, role.roles);
    // Assess
    expect(res.status).toBe(200);
    const items = res.body.items as { guestId: string; sponsorHuid: string }[];
    expect(items.every((g) => g.sponsorHuid === role.huid)).toBe(true);
    const ids = items.map((g) => g.guestId);
    if (key === 'sponsor') expect(ids).toEqual(expect.arrayContaining([shared['pending-approval'], shared['pending-activation']]));
    else expect(ids).not.toContain(shared['pending-activation']);
    if (key === 'otherSponsor') expect(ids).toContain(otherSponsorsGuest);
    else expect(ids).not.toContain(otherSponsorsGuest);
  });

  // prettier-ignore
  const expected = grid(200, 403, 200, 403, 200, 403);
  it.each(ROLE_KEYS.map((k) => [ROLES[k].label, expected[k], k] as const))("%s asking for the sponsor's guests (?sponsorHuid=) → %i", async (_label, status, key) => {
    // Prepare
    const role = ROLES[key];
    // Act
    const res = await t.as(role.huid, 'GET', `/v1/guests?sponsorHuid=${SPONSOR.huid}`, undefined, role.roles);
    // Assess
    expect(res.status).toBe(status);
    if (status !== 200) {
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(JSON.stringify(res.body)).not.toContain(shared['pending-activation']);
      return;
    }
    const items = res.body.items as { guestId: string; sponsorHuid: string }[];
    expect(items.every((g) => g.sponsorHuid === SPONSOR.huid)).toBe(true);
    expect(items.map((g) => g.guestId)).toEqual(expect.arrayContaining([shared['pending-approval'], shared['pending-activation']]));
  });

  it("a page cursor from the sponsor's list does not open the sponsor's guests to another sponsor", async () => {
    // Prepare
    const page = await t.as(SPONSOR.huid, 'GET', '/v1/guests?limit=1');
    expect(page.status).toBe(200);
    const cursor = String(page.body.cursor);
    expect(page.body.cursor).toEqual(expect.any(String));
    // Act
    const res = await t.as(OTHER_SPONSOR, 'GET', `/v1/guests?cursor=${cursor}`);
    // Assess
    expect(res.status).toBeLessThan(500);
    expect(JSON.stringify(res.body)).not.toContain(`"sponsorHuid":"${SPONSOR.huid}"`);
  });
});

describe('GET /v1/guests?as=delegate: the guests of every sponsor who named the caller, and no one else\'s', () => {
  it.each(ROLE_KEYS.map((k) => [ROLES[k].label, k] as const))('%s → 200', async (_label, key) => {
    // Prepare
    const role = ROLES[key];
    // Act
    const res = await t.as(role.huid, 'GET', '/v1/guests?as=delegate&limit=500', undefined, role.roles);
    // Assess: a delegate sees their sponsor's guests, everybody else (no one named them) none
    expect(res.status).toBe(200);
    const items = res.body.items as { guestId: string; sponsorHuid: string }[];
    const namedBy = key === 'delegate' ? SPONSOR.huid : key === 'otherDelegate' ? OTHER_SPONSOR : undefined;
    expect(items.every((g) => g.sponsorHuid === namedBy)).toBe(true);
    if (key === 'delegate') expect(items.map((g) => g.guestId)).toEqual(expect.arrayContaining([shared['pending-approval'], shared['pending-activation']]));
    else if (key === 'otherDelegate') expect(items.map((g) => g.guestId)).toContain(otherSponsorsGuest);
    else expect(items).toEqual([]);
  });

  it("a delegate may not name a sponsor who did not name them: 403, nothing listed", async () => {
    const res = await t.as(DELEGATE.huid, 'GET', `/v1/guests?as=delegate&sponsorHuid=${OTHER_SPONSOR}`);
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).not.toContain(otherSponsorsGuest);
  });

  it("a delegate's page cursor does not open the sponsor's guests to someone else", async () => {
    const page = await t.as(DELEGATE.huid, 'GET', '/v1/guests?as=delegate&limit=1');
    expect(page.body.cursor).toEqual(expect.any(String));
    for (const huid of [OTHER_DELEGATE, OTHER_SPONSOR, UNRELATED]) {
      const res = await t.as(huid, 'GET', `/v1/guests?as=delegate&cursor=${String(page.body.cursor)}`);
      expect(res.status).toBeLessThan(500);
      expect(JSON.stringify(res.body)).not.toContain(`"sponsorHuid":"${SPONSOR.huid}"`);
    }
  });
});

describe('GET /v1/guests?as=hms-it: every guest, for HMS IT only', () => {
  // prettier-ignore
  const expected = grid(403, 403, 403, 403, 200, 403);
  it.each(ROLE_KEYS.map((k) => [ROLES[k].label, expected[k], k] as const))('%s → %i', async (_label, status, key) => {
    // Prepare
    const role = ROLES[key];
    // Act
    const res = await t.as(role.huid, 'GET', '/v1/guests?as=hms-it&limit=500', undefined, role.roles);
    // Assess
    expect(res.status).toBe(status);
    if (status !== 200) {
      expect(res.body).toMatchObject({ status: 403, detail: 'Only HMS IT may list every guest.' });
      expect(JSON.stringify(res.body)).not.toContain(shared['pending-activation']);
      return;
    }
    const ids = (res.body.items as { guestId: string }[]).map((g) => g.guestId);
    expect(ids).toEqual(expect.arrayContaining([shared['pending-approval'], shared['pending-activation'], otherSponsorsGuest]));
  });
});

describe('GET /v1/sponsors: whether people may sponsor, for HMS IT only', () => {
  it.each(ROLE_KEYS.map((k) => [ROLES[k].label, k === 'hmsIt' ? 200 : 403, k] as const))('%s → %i', async (_label, status, key) => {
    const role = ROLES[key];
    const res = await t.as(role.huid, 'GET', `/v1/sponsors?huids=${SPONSOR.huid},10000008,10000005`, undefined, role.roles);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    if (status !== 200) {
      expect(res.body).toMatchObject({ status: 403, detail: "Only HMS IT may look up sponsors' standing." });
      return;
    }
    expect(res.body.items).toEqual([
      { huid: SPONSOR.huid, name: 'Ada Faculty', eligible: true, reason: null, detail: null },
      { huid: '10000005', name: 'Wren Wyss', eligible: false, reason: 'wyss', detail: expect.stringContaining('AcademicAffairs@wyss.harvard.edu') },
      { huid: '10000008', name: 'Fay Former', eligible: false, reason: 'inactive', detail: expect.stringContaining('not active') },
    ]);
  });
});

describe('GET /v1/me', () => {
  it.each([
    ['sponsor', ['sponsor'], []],
    ['delegate', ['sponsor', 'delegate'], [SPONSOR.huid]],
    ['otherDelegate', ['sponsor', 'delegate'], [OTHER_SPONSOR]],
    ['hmsIt', ['sponsor', 'hms-it'], []],
    ['unrelated', [], []],
  ] as const)('%s: who they are, from the token and the directory only', async (key, roles, delegateOf) => {
    const role = ROLES[key];
    const res = await t.as(role.huid, 'GET', '/v1/me', undefined, role.roles);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ huid: role.huid, roles });
    expect((res.body.delegateOf as { huid: string }[]).map((d) => d.huid)).toEqual(delegateOf);
  });
});
