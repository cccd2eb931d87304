/**
 * What the second outside review found on the O2 side (issue 18), each through the deployed API
 * handler on an in-memory world (test/security/o2-fixtures.ts), each failing without its fix:
 * - a sponsor or PI who lost the right to act for the lab (taken out of the manager group, the
 *   faculty appointment ended, no longer active) only reads: 403 naming why, nothing changes;
 * - an HMS sponsor is named (hmsSponsorHuid) only by that sponsor or a delegate the sponsor named,
 *   answered alike whatever the HUID names; POST /v1/guests answers a non-delegate alike too;
 * - an O2 request links another sponsor's guest account only when the person or that sponsor asks,
 *   and no refusal names what the caller may not read (another person's O2 account, a guest).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { decideO2 } from '../../shared/o2/domain/access.ts';
import type { Person } from '../../shared/core/domain/people.ts';
import type { MemoryWorld } from '../support/memory.ts';
import { call, clearRuntime, expectProblem, HUIDS, IT_ROLE, LAB_ID, labFixture, o2Fixture, o2World, OTHER_LAB_ID, worldState, type O2Fixture, type Reply } from './o2-fixtures.ts';

afterEach(clearRuntime);

/** Changes a person in the people directory, as the directory's own change would. */
function redirect(w: MemoryWorld, huid: string, change: (p: Person) => Partial<Person>): void {
  const p = w.directory.people.get(huid)!;
  w.directory.people.set(huid, { ...p, ...change(p) });
}

const o2Path = (id: string) => ({ o2AccountId: id });

describe('a sponsor or PI who lost the right to act for the lab only reads (finding 1)', () => {
  const ACTS: [route: string, fixture: O2Fixture, body: unknown, action: string][] = [
    ['POST /v1/o2-accounts/{o2AccountId}/decision', 'pending-approval', { decision: 'approve' }, 'decide'],
    ['POST /v1/o2-accounts/{o2AccountId}/cancel', 'pending-approval', {}, 'cancel'],
    ['POST /v1/o2-accounts/{o2AccountId}/renewal', 'expired', {}, 'renew'],
    ['POST /v1/o2-accounts/{o2AccountId}/retain', 'active', {}, 'retain'],
  ];
  const LAPSES: [name: string, who: 'sponsor' | 'labPi', change: (p: Person) => Partial<Person>, why: RegExp][] = [
    ['a manager named as sponsor, taken out of the lab-manager group', 'sponsor', () => ({ groups: [] }), /no longer a manager of the lab/],
    ["the lab's PI, whose faculty appointment ended", 'labPi', () => ({ appointments: [] }), /no longer head the lab/],
    ["the lab's PI, no longer active", 'labPi', () => ({ active: false }), /no longer active in the people directory/],
  ];

  describe.each(LAPSES)('%s', (_name, who, change, why) => {
    it.each(ACTS)('%s → 403 naming why; nothing changes, the lifecycle is not woken', async (route, fixture, body, action) => {
      // Prepare
      const w = await o2World();
      const o2 = await o2Fixture(w, fixture);
      redirect(w, HUIDS[who], change);
      const before = worldState(w);
      // Act
      const res = await call(who, route, { path: o2Path(o2.o2AccountId), body });
      // Assess
      expectProblem(res, 403);
      expect(String(res.body.detail)).toContain(`You may not ${action} O2 account ${o2.o2AccountId}`);
      expect(String(res.body.detail)).toMatch(why);
      expect(String(res.body.detail)).toContain('you can still read it');
      expect(worldState(w)).toEqual(before);
      expect(w.o2Workflow.resumed).toEqual([]);
    });

    it('still reads the O2 account and its history', async () => {
      // Prepare
      const w = await o2World();
      const o2 = await o2Fixture(w, 'pending-approval');
      redirect(w, HUIDS[who], change);
      // Act
      const [read, history] = await Promise.all([
        call(who, 'GET /v1/o2-accounts/{o2AccountId}', { path: o2Path(o2.o2AccountId) }),
        call(who, 'GET /v1/o2-accounts/{o2AccountId}/history', { path: o2Path(o2.o2AccountId) }),
      ]);
      // Assess
      expect(read.status).toBe(200);
      expect(history.status).toBe(200);
    });
  });

  it('the same people act again once the directory says they may (the check reads the directory now)', async () => {
    // Prepare
    const w = await o2World();
    const o2 = await o2Fixture(w, 'pending-approval');
    redirect(w, HUIDS.sponsor, () => ({ groups: [] }));
    expectProblem(await call('sponsor', 'POST /v1/o2-accounts/{o2AccountId}/decision', { path: o2Path(o2.o2AccountId), body: { decision: 'approve' } }), 403);
    redirect(w, HUIDS.sponsor, () => ({ groups: [`core-admin:${HUIDS.labPi}`] }));
    // Act
    const res = await call('sponsor', 'POST /v1/o2-accounts/{o2AccountId}/decision', { path: o2Path(o2.o2AccountId), body: { decision: 'approve' } });
    // Assess
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.approval).toMatchObject({ decision: 'approve', by: HUIDS.sponsor });
  });

  it('the rule: a lapsed sponsor or lab PI is refused every act but reading; the user, the RC Core and HMS IT are not held to it', () => {
    const o2 = { userHuid: HUIDS.user, piHuid: HUIDS.sponsor, labPiHuid: HUIDS.labPi };
    const lapsedPi = { callerGroups: [], hmsItRole: IT_ROLE, callerStanding: { active: true, pi: false }, hmsAccountSponsor: false };
    const formerManager = { callerGroups: [], hmsItRole: IT_ROLE, callerStanding: { active: true, pi: true }, hmsAccountSponsor: false };
    const inactive = { callerGroups: [`lab-manager:${HUIDS.labPi}`], hmsItRole: IT_ROLE, callerStanding: { active: false, pi: false }, hmsAccountSponsor: false };
    for (const action of ['decide', 'renew', 'cancel', 'retain'] as const) {
      expect(decideO2({ huid: HUIDS.labPi, roles: [] }, action, o2, lapsedPi), action).toBe('forbid');
      expect(decideO2({ huid: HUIDS.sponsor, roles: [] }, action, o2, formerManager), action).toBe('forbid');
      expect(decideO2({ huid: HUIDS.labManager, roles: [] }, action, o2, inactive), action).toBe('forbid');
    }
    expect(decideO2({ huid: HUIDS.labPi, roles: [] }, 'read', o2, lapsedPi)).toBe('allow');
    // The user acts on their own account whatever their standing; RC Core and HMS IT by their group and role.
    expect(decideO2({ huid: HUIDS.user, roles: [] }, 'cancel', o2, { callerGroups: [], hmsItRole: IT_ROLE, callerStanding: { active: false, pi: false }, hmsAccountSponsor: false })).toBe('allow');
    expect(decideO2({ huid: HUIDS.rcCore, roles: [] }, 'complete', o2, { callerGroups: ['rc-core'], hmsItRole: IT_ROLE, callerStanding: { active: true, pi: false }, hmsAccountSponsor: false })).toBe('allow');
    expect(decideO2({ huid: HUIDS.hmsIt, roles: [IT_ROLE] }, 'cancel', o2, { callerGroups: [], hmsItRole: IT_ROLE, callerStanding: { active: true, pi: false }, hmsAccountSponsor: false })).toBe('allow');
  });
});

// The sample directory's people (local/sample-data.ts), which the world holds too.
const ADA = '10000001'; // HMS faculty: an eligible sponsor; Lee LabAdmin is her delegate
const LEE = '10000004';
const FELIX_FAS = '10000014'; // FAS faculty with an appointment: heads a lab, is not an HMS sponsor
const NIA = '20000040'; // a Harvard Sponsored Role only: no HMS account
const TARGETS: [name: string, huid: string][] = [
  ['an eligible HMS sponsor', ADA],
  ['HMS staff', '10000002'],
  ['a student', '10000006'],
  ['a person no longer active', '10000008'],
  ['a person of FAS', '10000009'],
  ['a Wyss person', '10000005'],
  ['nobody in the directory', '19999999'],
];
const FAS_LAB = '00000000-0000-4000-8000-00000000a003';

async function fasLab(w: MemoryWorld): Promise<void> {
  await w.o2.createLab(labFixture({ labId: FAS_LAB, name: 'Fas Lab', piHuid: FELIX_FAS, createdBy: FELIX_FAS, institution: 'FAS', quad: { onQuad: false, reason: 'Off-Quad.' }, registration: { status: 'pending' } }));
}

/** A problem body without what names the HUID asked about. */
const without = (body: Record<string, unknown>, huid: string) => JSON.parse(JSON.stringify(body).replaceAll(huid, '<huid>')) as Record<string, unknown>;

describe('an HMS sponsor is named only by that sponsor or a delegate the sponsor named (findings 2 and 4)', () => {
  it.each(TARGETS)('a person with only an HSR naming %s: 403, the same answer whatever the target, nothing filed, nobody emailed', async (_name, target) => {
    // Prepare
    const w = await o2World();
    await fasLab(w);
    const before = worldState(w);
    const nia = { huid: NIA, roles: [] };
    // Act
    const res = await call(nia, 'POST /v1/o2-accounts', { body: { userHuid: NIA, piHuid: FELIX_FAS, labId: FAS_LAB, hmsSponsorHuid: target } });
    const reference = await call(nia, 'POST /v1/o2-accounts', { body: { userHuid: NIA, piHuid: FELIX_FAS, labId: FAS_LAB, hmsSponsorHuid: '19999998' } });
    // Assess
    expectProblem(res, 403);
    expect(without(res.body, target)).toEqual(without(reference.body, '19999998'));
    expect(String(res.body.detail)).toContain(`is not a delegate named by sponsor ${target}`);
    expect(worldState(w)).toEqual(before);
    expect(w.mailer.sent).toEqual([]);
  });

  it('the HMS sponsor who files it themself (RC Core staff naming themself): 202, the HMS guest account approved by that act, the PI still approves O2', async () => {
    // Prepare
    const w = await o2World();
    await fasLab(w);
    // Act
    const res = await call('rcCore', 'POST /v1/o2-accounts', { body: { userHuid: NIA, piHuid: FELIX_FAS, labId: FAS_LAB, hmsSponsorHuid: HUIDS.rcCore } });
    // Assess
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ status: 'PENDING_HMS_ACCOUNT', hmsSponsorHuid: HUIDS.rcCore, approval: null });
    const guest = await w.guests.get(String(res.body.guestId));
    expect(guest).toMatchObject({ sponsorHuid: HUIDS.rcCore, submittedBy: HUIDS.rcCore, approval: { decision: 'approve', bySubmission: true } });
  });

  it('an HMS sponsor named where the PI sponsors: 422 naming the field (never ignored without a word); the PI naming herself is the PI sponsoring', async () => {
    // Prepare: Lin LabPi is HMS faculty, so she sponsors the HMS guest account herself; Sol named her a delegate
    const w = await o2World();
    redirect(w, HUIDS.sponsor, (p) => ({ delegates: [...(p.delegates ?? []), HUIDS.labPi] }));
    const before = worldState(w);
    // Act
    const unused = await call('labPi', 'POST /v1/o2-accounts', { body: { userHuid: NIA, piHuid: HUIDS.labPi, labId: LAB_ID, hmsSponsorHuid: HUIDS.sponsor } });
    const herself = await call('labPi', 'POST /v1/o2-accounts', { body: { userHuid: NIA, piHuid: HUIDS.labPi, labId: LAB_ID, hmsSponsorHuid: HUIDS.labPi } });
    // Assess
    expectProblem(unused, 422);
    expect(unused.body.errors).toEqual([{ pointer: '#/hmsSponsorHuid', detail: 'not used: the sponsoring PI sponsors the HMS guest account' }]);
    expect(herself.status, JSON.stringify(herself.body)).toBe(202);
    expect(herself.body.hmsSponsorHuid).toBeNull();
    expect(worldState(w)).not.toEqual(before);
  });

  it("the approval request a user's own O2 request files reaches the PI worded as that person's request, not \"on your behalf\"", async () => {
    // Prepare
    const w = await o2World();
    // Act
    const res = await call({ huid: NIA, roles: [] }, 'POST /v1/o2-accounts', { body: { userHuid: NIA, piHuid: HUIDS.labPi, labId: LAB_ID } });
    // Assess
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    // The guest lifecycle sends the approval request; its template is what it sends.
    const { emails } = await import('../../shared/guest/app/emails.ts');
    const guest = (await w.guests.get(String(res.body.guestId)))!;
    const mail = emails.approvalRequest(guest, (await w.directory.person(HUIDS.labPi))!, await w.directory.person(NIA), w.deps.links, false);
    expect(mail.text).toContain('asks you to sponsor an HMS guest account for Nia Noaccount');
    expect(mail.text).toContain('needed for an O2 account');
    expect(mail.text).not.toContain('on your behalf');
  });

  it.each(TARGETS)('POST /v1/guests naming %s as sponsor, from someone who is not their delegate: 403, the same answer whatever the target', async (_name, target) => {
    // Prepare
    const w = await o2World();
    const before = worldState(w);
    const body = (sponsorHuid: string) => ({ guestHuid: '20000001', population: 'harvard-employee', endDate: '2027-06-30', sponsorHuid });
    // Act
    const res = await call('otherPi', 'POST /v1/guests', { body: body(target) });
    const reference = await call('otherPi', 'POST /v1/guests', { body: body('19999998') });
    // Assess
    expectProblem(res, 403);
    expect(without(res.body, target)).toEqual(without(reference.body, '19999998'));
    expect(worldState(w)).toEqual(before);
  });

  it("POST /v1/guests from the sponsor's delegate still learns why the sponsor cannot sponsor", async () => {
    // Prepare
    const w = await o2World();
    redirect(w, ADA, () => ({ active: false }));
    // Act
    const res = await call({ huid: LEE, roles: [] }, 'POST /v1/guests', { body: { guestHuid: '20000001', population: 'harvard-employee', endDate: '2027-06-30', sponsorHuid: ADA } });
    // Assess
    expectProblem(res, 403);
    expect(String(res.body.detail)).toContain('is not active');
  });
});

describe("an O2 request links a guest account only when the person or that account's sponsor asks (finding 3)", () => {
  /** Nia's HMS guest account, requested by her sponsor Ada (on its way: approved by that act). */
  async function niasGuest(): Promise<Reply> {
    const res = await call({ huid: ADA, roles: [] }, 'POST /v1/guests', { body: { guestHuid: NIA, population: 'visiting-faculty', endDate: '2027-06-30' } });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res;
  }

  it('a PI of another lab: 409 naming neither the guest, its account ID nor its status; the guest is not touched', async () => {
    // Prepare
    const w = await o2World();
    const guest = await niasGuest();
    const before = worldState(w);
    // Act
    const res = await call('otherPi', 'POST /v1/o2-accounts', { body: { userHuid: NIA, piHuid: HUIDS.otherPi, labId: OTHER_LAB_ID } });
    // Assess
    expectProblem(res, 409);
    const text = JSON.stringify(res.body);
    for (const secret of [String(guest.body.guestId), 'PENDING_', ADA, 'Ada']) expect(text).not.toContain(secret);
    expect(worldState(w)).toEqual(before);
  });

  it('the person themself: 202, the O2 account rests on that guest account (the PI then approves)', async () => {
    // Prepare
    const w = await o2World();
    const guest = await niasGuest();
    // Act
    const res = await call({ huid: NIA, roles: [] }, 'POST /v1/o2-accounts', { body: { userHuid: NIA, piHuid: HUIDS.otherPi, labId: OTHER_LAB_ID } });
    // Assess
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ guestId: guest.body.guestId, status: 'PENDING_HMS_ACCOUNT' });
    expect((await w.guests.get(String(guest.body.guestId)))?.o2AccountId).toBe(res.body.o2AccountId);
  });

  it("a 409 for a person who holds an O2 account names it only to whoever may read it", async () => {
    // Prepare
    const w = await o2World();
    const o2 = await o2Fixture(w, 'active');
    // Act
    const stranger = await call('otherPi', 'POST /v1/o2-accounts', { body: { userHuid: HUIDS.user, piHuid: HUIDS.otherPi, labId: OTHER_LAB_ID } });
    const self = await call('user', 'POST /v1/o2-accounts', { body: { userHuid: HUIDS.user, piHuid: HUIDS.otherPi, labId: OTHER_LAB_ID } });
    // Assess
    expectProblem(stranger, 409);
    expect(JSON.stringify(stranger.body)).not.toContain(o2.o2AccountId);
    expect(JSON.stringify(stranger.body)).not.toContain('ACTIVE');
    expectProblem(self, 409);
    expect(String(self.body.detail)).toContain(`O2 account ${o2.o2AccountId}, ACTIVE`);
  });
});

describe('names where a HUID was (left from the O2 work)', () => {
  it('an O2 account names the people it names, by HUID, and nobody else; a lab names its PI', async () => {
    // Prepare
    const w = await o2World();
    const o2 = await o2Fixture(w, 'pending-rc-core');
    // Act
    const [account, lab, list] = await Promise.all([
      call('rcCore', 'GET /v1/o2-accounts/{o2AccountId}', { path: o2Path(o2.o2AccountId) }),
      call('rcCore', 'GET /v1/labs/{labId}', { path: { labId: LAB_ID } }),
      call('rcCore', 'GET /v1/o2-accounts', { query: { as: 'rc-core' } }),
    ]);
    // Assess: the sponsor, the lab's PI, the requester (the user: named by userName), who approved
    expect(account.body.names).toEqual({ [HUIDS.sponsor]: 'Sol Sponsor', [HUIDS.labPi]: 'Lin LabPi' });
    expect(lab.body.piName).toBe('Lin LabPi');
    expect((list.body.items as { names: Record<string, string> }[])[0]!.names).toEqual(account.body.names);
    expect(JSON.stringify(account.body)).not.toMatch(/Rhea|Ira|Oz |Max|Cai/);
  });

  it('the emails name people: who cancelled, and the sponsor the RC Core sets the account up for', async () => {
    // Prepare
    const w = await o2World();
    const o2 = await o2Fixture(w, 'pending-approval');
    // Act
    await call('labManager', 'POST /v1/o2-accounts/{o2AccountId}/cancel', { path: o2Path(o2.o2AccountId), body: {} });
    const { emails } = await import('../../shared/o2/app/emails.ts');
    const setup = emails.o2RcCoreSetup((await w.o2.get(o2.o2AccountId))!, (await w.o2.getLab(LAB_ID))!, await w.directory.person(HUIDS.sponsor), w.deps.links, 'setup');
    // Assess
    const cancelled = w.mailer.sent.find((m) => m.subject.includes('was cancelled'))!;
    expect(cancelled.text).toContain('was cancelled by Max Manager');
    expect(cancelled.text).not.toContain(HUIDS.labManager);
    expect(setup.text).toContain('sponsored by Sol Sponsor (sol.sponsor@hms.harvard.edu)');
  });
});

describe('what the second probe of the fixes found (issue 18)', () => {
  const STUDENT = '10000006';
  const FAS_STAFF = '10000009';
  const SAM = '10000002'; // HMS staff: an eligible sponsor, with no relation to any lab

  it.each([
    ['a student naming themself as HMS sponsor', STUDENT, 422],
    ['FAS staff naming themself as HMS sponsor', FAS_STAFF, 422],
    ['an eligible HMS sponsor who may not ask for O2 accounts, naming themself', SAM, 403],
  ] as const)('%s: the same answer whatever the user named (nothing learnt about them), nothing filed', async (_name, caller, status) => {
    // Prepare
    const w = await o2World();
    await fasLab(w);
    const before = worldState(w);
    const ask = (userHuid: string) => call({ huid: caller, roles: [] }, 'POST /v1/o2-accounts', { body: { userHuid, piHuid: FELIX_FAS, labId: FAS_LAB, hmsSponsorHuid: caller } });
    // Act: users of every kind — one holding an O2 account, with their own HMS account, with a guest account, with an HSR only, nobody
    await o2Fixture(w, 'active');
    const answers = await Promise.all([HUIDS.user, '10000020', NIA, '20000041', '19999999'].map(ask));
    // Assess
    for (const a of answers) expectProblem(a, status);
    const bodies = answers.map((a, i) => without(a.body, [HUIDS.user, '10000020', NIA, '20000041', '19999999'][i]!));
    for (const b of bodies) expect(b).toEqual(bodies[0]);
    expect(w.guests.guests.size).toBe(JSON.parse(before).guests.length);
    expect(w.mailer.sent).toEqual([]);
  });

  it("a user asking in a lab they may not read is not told the lab's name or its PI", async () => {
    // Prepare
    await o2World();
    // Act: Nia names Ada as PI of Lin's lab (Ada neither heads nor manages it)
    const res = await call({ huid: NIA, roles: [] }, 'POST /v1/o2-accounts', { body: { userHuid: NIA, piHuid: ADA, labId: LAB_ID } });
    // Assess
    expectProblem(res, 422);
    expect(String(res.body.detail)).toContain('cannot sponsor an O2 account of this lab');
    expect(JSON.stringify(res.body)).not.toMatch(/Lin Lab|30000003/);
  });

  it.each([
    ['a Hangul filler', 'Lin\u3164Lab'],
    ['a half-width Hangul filler', 'Lin Lab\uFFA0'],
    ['the braille blank', 'Lin\u2800Lab'],
    ['a combining grapheme joiner', 'Lin L\u034Fab'],
    ['a variation selector', 'Lin Lab\uFE0F'],
    ['a Mongolian free variation selector', 'Lin\u180B Lab'],
  ])('a lab name with %s is refused (400 naming the field)', async (_name, name) => {
    // Prepare
    const w = await o2World();
    const before = worldState(w);
    // Act
    const res = await call('labPi', 'POST /v1/labs', { body: { name, institution: 'MGH' } });
    // Assess
    expectProblem(res, 400);
    expect((res.body.errors as { pointer: string }[]).map((e) => e.pointer)).toEqual(['#/name']);
    expect(worldState(w)).toEqual(before);
  });

  it.each([
    ['a no-break space', 'Lin\u00A0Lab'],
    ['an ideographic space', 'Lin\u3000Lab'],
    ['an em space and upper case', 'LIN\u2003LAB'],
    ['full-width letters', 'Ｌｉｎ Ｌａｂ'],
    ['two spaces', 'Lin  Lab'],
  ])('a lab name that reads as an existing one (%s) is the same lab: 409', async (_name, name) => {
    // Prepare
    const w = await o2World();
    const before = worldState(w);
    // Act: Lin LabPi already heads "Lin Lab"
    const res = await call('labPi', 'POST /v1/labs', { body: { name, institution: 'MGH' } });
    // Assess
    expectProblem(res, 409);
    expect(worldState(w)).toEqual(before);
  });

  it("the sponsor of the HMS guest account an O2 account rests on reads it (the guest page links it), and does nothing else to it", async () => {
    // Prepare: Nia's guest account (Ada sponsors it), and Nia's own O2 request in Oz's lab resting on it
    await o2World();
    const guest = await call({ huid: ADA, roles: [] }, 'POST /v1/guests', { body: { guestHuid: NIA, population: 'visiting-faculty', endDate: '2027-06-30' } });
    const o2 = await call({ huid: NIA, roles: [] }, 'POST /v1/o2-accounts', { body: { userHuid: NIA, piHuid: HUIDS.otherPi, labId: OTHER_LAB_ID } });
    expect(o2.body.guestId).toBe(guest.body.guestId);
    const id = String(o2.body.o2AccountId);
    // Act
    const [ada, lee, sam] = await Promise.all([ADA, LEE, '10000002'].map((huid) => call({ huid, roles: [] }, 'GET /v1/o2-accounts/{o2AccountId}', { path: o2Path(id) })));
    const decide = await call({ huid: ADA, roles: [] }, 'POST /v1/o2-accounts/{o2AccountId}/decision', { path: o2Path(id), body: { decision: 'approve' } });
    // Assess: Ada and her delegate read it; someone else is told it does not exist; Ada may not decide (403)
    expect([ada!.status, lee!.status, sam!.status]).toEqual([200, 200, 404]);
    expectProblem(decide, 403);
    expect(String(decide.body.detail)).toContain(`You may not decide O2 account ${id}`);
  });
});
