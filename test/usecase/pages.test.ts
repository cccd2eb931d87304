/**
 * What the pages ask in one call, on in-memory ports: who the caller is (GET /v1/me) and the guest
 * lists of a delegate across their sponsors and of HMS IT across everyone.
 */
import { describe, expect, it } from 'vitest';
import * as uc from '../../shared/guest/app/guests.ts';
import { whoAmI } from '../../shared/app/me.ts';
import { NotAllowedError } from '../../shared/core/domain/errors.ts';
import { memoryWorld } from '../support/memory.ts';

const ADA = { huid: '10000001', roles: [] };
const SAM = { huid: '10000002', roles: [] };
const LEE = { huid: '10000004', roles: [] };
const WREN = { huid: '10000005', roles: [] };
const STU = { huid: '10000006', roles: [] };
const IT = { huid: '10000099', roles: ['hms-it'] };
const request = (guestHuid: string) => ({ guestHuid, population: 'agency-temp' as const, endDate: '2027-06-30' });

describe('whoAmI (GET /v1/me)', () => {
  it('a sponsor: eligible, no delegations', async () => {
    const me = await whoAmI(memoryWorld().deps, ADA);
    expect(me).toEqual({
      huid: ADA.huid,
      name: 'Ada Faculty',
      email: 'ada.faculty@hms.harvard.edu',
      roles: ['sponsor'],
      sponsorEligibility: { eligible: true, reason: null, detail: null, contact: null },
      delegateOf: [],
    });
  });

  it('a delegate: the sponsors who named them, each with whether that sponsor may sponsor', async () => {
    // Prepare: Sam names Lee too; Fay (inactive) named Lee once
    const w = memoryWorld('2027-01-04T14:00:00.000Z', {
      people: [
        { huid: '10000008', name: 'Fay Former', email: 'fay.former@hms.harvard.edu', role: 'faculty', school: 'HMS', site: 'Quad', active: false, delegates: [LEE.huid] },
      ],
    });
    w.directory.people.get(SAM.huid)!.delegates = [LEE.huid];
    // Act
    const me = await whoAmI(w.deps, LEE);
    // Assess
    expect(me.roles).toEqual(['sponsor', 'delegate']);
    expect(me.delegateOf).toEqual([
      { huid: ADA.huid, name: 'Ada Faculty', eligible: true },
      { huid: SAM.huid, name: 'Sam Staff', eligible: true },
      { huid: '10000008', name: 'Fay Former', eligible: false },
    ]);
  });

  it("a sponsor who dropped the delegate is not listed, whatever the directory's reverse lookup still says", async () => {
    const w = memoryWorld();
    const people = w.deps.people;
    w.deps.people = { person: (h) => people.person(h), sponsorsOf: async () => [ADA.huid, SAM.huid] };
    expect((await whoAmI(w.deps, LEE)).delegateOf.map((d) => d.huid)).toEqual([ADA.huid]);
  });

  it('Wyss staff: not eligible, sent to Wyss HR and Academic Affairs', async () => {
    const me = await whoAmI(memoryWorld().deps, WREN);
    expect(me.roles).toEqual([]);
    expect(me.sponsorEligibility).toEqual({
      eligible: false,
      reason: 'wyss',
      detail: expect.stringContaining('AcademicAffairs@wyss.harvard.edu'),
      contact: 'AcademicAffairs@wyss.harvard.edu',
    });
  });

  it.each([
    [STU, 'not-faculty-or-staff', 'Sponsors are HMS or HSDM faculty or staff; the people directory lists you as a student.'],
    [{ huid: '10000008', roles: [] }, 'inactive', 'You are not active in the Harvard people directory, so you may not sponsor guests.'],
    [{ huid: '10000009', roles: [] }, 'not-hms-or-hsdm', 'Sponsors are HMS or HSDM faculty or staff; the people directory lists you at FAS.'],
  ])('%o: not eligible, with the reason said to the person (you, not their HUID)', async (caller, reason, detail) => {
    const me = await whoAmI(memoryWorld().deps, caller);
    expect(me.sponsorEligibility).toEqual({ eligible: false, reason, detail, contact: null });
  });

  it('HMS IT, not in the people directory: the role from the token, no name', async () => {
    const me = await whoAmI(memoryWorld().deps, IT);
    expect(me).toMatchObject({ huid: IT.huid, name: null, email: null, roles: ['hms-it'], sponsorEligibility: { eligible: false, reason: 'not-in-directory' } });
  });
});

describe('listGuests as a delegate and as HMS IT', () => {
  /** Ada has two guests (one by Lee), Sam one, Hana one. */
  async function world() {
    const w = memoryWorld();
    w.directory.people.get(SAM.huid)!.delegates = [LEE.huid];
    const a1 = await uc.requestGuest(w.deps, ADA, request('20000001'));
    const a2 = await uc.requestGuest(w.deps, LEE, { ...request('20000002'), sponsorHuid: ADA.huid, endDate: '2027-03-31' });
    const s1 = await uc.requestGuest(w.deps, SAM, request('20000006'));
    const h1 = await uc.requestGuest(w.deps, { huid: '10000003', roles: [] }, request('20000010'));
    return { w, a1, a2, s1, h1 };
  }

  it("a delegate: every sponsor's who named them, by sponsor then end date, in one call", async () => {
    const { w, a1, a2, s1 } = await world();
    const page = await uc.listGuests(w.deps, LEE, { as: 'delegate' });
    expect(page.items.map((g) => g.guestId)).toEqual([a2.guestId, a1.guestId, s1.guestId]);
    expect(page.cursor).toBeUndefined();
  });

  it('a delegate: one of their sponsors only, and never a sponsor who did not name them', async () => {
    const { w, s1 } = await world();
    expect((await uc.listGuests(w.deps, LEE, { as: 'delegate', sponsorHuid: SAM.huid })).items.map((g) => g.guestId)).toEqual([s1.guestId]);
    await expect(uc.listGuests(w.deps, LEE, { as: 'delegate', sponsorHuid: '10000003' })).rejects.toThrow(NotAllowedError);
  });

  it('someone no sponsor named: an empty list, not an error', async () => {
    const { w } = await world();
    expect(await uc.listGuests(w.deps, SAM, { as: 'delegate' })).toEqual({ items: [], cursor: undefined });
  });

  it('HMS IT: every guest, with filters (status, sponsor, end date before, failed); nobody else may', async () => {
    // Prepare: one guest with a recorded failure
    const { w, a1, a2, s1, h1 } = await world();
    const stored = w.guests.guests.get(s1.guestId)!;
    stored.failure = { state: 'lifecycle', error: 'Error', at: '2027-01-04T15:00:00.000Z', count: 1 };
    // Act / Assess
    const all = await uc.listGuests(w.deps, IT, { as: 'hms-it', limit: 500 });
    expect(new Set(all.items.map((g) => g.guestId))).toEqual(new Set([a1.guestId, a2.guestId, s1.guestId, h1.guestId]));
    expect((await uc.listGuests(w.deps, IT, { as: 'hms-it', sponsorHuid: ADA.huid })).items.map((g) => g.guestId)).toEqual([a2.guestId, a1.guestId]);
    expect((await uc.listGuests(w.deps, IT, { as: 'hms-it', expiringBefore: '2027-04-01' })).items.map((g) => g.guestId)).toEqual([a2.guestId]);
    expect((await uc.listGuests(w.deps, IT, { as: 'hms-it', failed: true })).items.map((g) => g.guestId)).toEqual([s1.guestId]);
    expect((await uc.listGuests(w.deps, IT, { as: 'hms-it', status: 'PENDING_APPROVAL' })).items).toHaveLength(4);
    await expect(uc.listGuests(w.deps, ADA, { as: 'hms-it' })).rejects.toThrow(NotAllowedError);
  });

  it('as sponsor (the default) is what it was: own guests; a named sponsor for a delegate or HMS IT; 403 otherwise', async () => {
    const { w, a1, a2, h1 } = await world();
    expect((await uc.listGuests(w.deps, ADA, {})).items.map((g) => g.guestId)).toEqual([a2.guestId, a1.guestId]);
    expect((await uc.listGuests(w.deps, LEE, { sponsorHuid: ADA.huid })).items).toHaveLength(2);
    expect((await uc.listGuests(w.deps, IT, { sponsorHuid: '10000003' })).items.map((g) => g.guestId)).toEqual([h1.guestId]);
    await expect(uc.listGuests(w.deps, SAM, { sponsorHuid: ADA.huid })).rejects.toThrow('You are not a delegate of sponsor 10000001.');
  });

  it('pages of up to 500 with a cursor over several sponsors', async () => {
    const { w } = await world();
    const first = await uc.listGuests(w.deps, LEE, { as: 'delegate', limit: 2 });
    const second = await uc.listGuests(w.deps, LEE, { as: 'delegate', limit: 2, cursor: first.cursor });
    expect(first.items).toHaveLength(2);
    expect(second.items).toHaveLength(1);
    expect(second.cursor).toBeUndefined();
    expect(new Set([...first.items, ...second.items].map((g) => g.guestId)).size).toBe(3);
  });
});
