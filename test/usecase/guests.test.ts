/**
 * Use cases on in-memory ports: the rules as the API and the workflow apply them, with no SDK mock
 * and no local system (each test runs in milliseconds). What the adapters do is tested elsewhere
 * (test/integration on dynalite, test/security and test/e2e through the local system).
 */
import { describe, expect, it } from 'vitest';
import * as uc from '../../shared/guest/app/guests.ts';
import { provision } from '../../shared/guest/app/tasks.ts';
import { ConflictError, NotAllowedError, PreconditionFailedError, ValidationError } from '../../shared/core/domain/errors.ts';
import { memoryWorld } from '../support/memory.ts';

const ADA = { huid: '10000001', roles: [] };
const SAM = { huid: '10000002', roles: [] };
const LEE = { huid: '10000004', roles: [] };
const IT = { huid: '10000099', roles: ['hms-it'] };
const request = { guestHuid: '20000001', population: 'agency-temp' as const, endDate: '2027-06-30' };

describe('requestGuest', () => {
  it("a sponsor's own request is approved by that act: claims the person, audits, starts the lifecycle", async () => {
    // Prepare
    const w = memoryWorld();

    // Act
    const g = await uc.requestGuest(w.deps, ADA, request);

    // Assess
    expect(g).toMatchObject({ status: 'PENDING_APPROVAL', sponsorHuid: ADA.huid, submittedBy: ADA.huid, approval: { decision: 'approve', bySubmission: true }, version: 1 });
    expect(await w.guests.personClaim(request.guestHuid)).toEqual({ guestId: g.guestId, claimedAt: '2027-01-04T14:00:00.000Z' });
    expect((await w.guests.history(g.guestId)).map((e) => e.action)).toEqual(['requested']);
    expect([...w.workflow.executions.keys()]).toEqual([`${g.guestId}-1`]);
  });

  it("a delegate's request waits for the sponsor's decision", async () => {
    const w = memoryWorld();
    const g = await uc.requestGuest(w.deps, LEE, { ...request, sponsorHuid: ADA.huid });
    expect(g).toMatchObject({ status: 'PENDING_APPROVAL', submittedBy: LEE.huid, approvalRequestedAt: '2027-01-04T14:00:00.000Z' });
    expect(g.approval).toBeUndefined();
  });

  it('one live account per person: a second request is refused and changes nothing; once the first is cancelled it is accepted', async () => {
    // Prepare
    const w = memoryWorld();
    const first = await uc.requestGuest(w.deps, ADA, request);
    const before = w.guests.guests.size;

    // Act / Assess
    await expect(uc.requestGuest(w.deps, SAM, request)).rejects.toThrow(ConflictError);
    expect(w.guests.guests.size).toBe(before);
    await uc.cancelGuest(w.deps, ADA, first.guestId);
    const second = await uc.requestGuest(w.deps, SAM, request);
    expect(second.sponsorHuid).toBe(SAM.huid);
  });

  it('a claim left by a request that never created its guest is taken over after five minutes, not before', async () => {
    // Prepare: a claim pointing at a guest that does not exist
    const w = memoryWorld();
    await w.guests.claimPerson(request.guestHuid, { guestId: 'lost', claimedAt: '2027-01-04T14:00:00.000Z' }, undefined);

    // Act / Assess
    w.clock.advance(60_000);
    await expect(uc.requestGuest(w.deps, ADA, request)).rejects.toThrow(ConflictError);
    w.clock.advance(5 * 60_000);
    await expect(uc.requestGuest(w.deps, ADA, request)).resolves.toMatchObject({ status: 'PENDING_APPROVAL' });
  });

  it('refuses a term over a year, naming the field', async () => {
    const w = memoryWorld();
    const err = await uc.requestGuest(w.deps, ADA, { ...request, endDate: '2028-01-05' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toEqual({ endDate: ['must be at most one year after the start date: 2028-01-04 at the latest'] });
  });
});

describe('decideRequest', () => {
  it('the sponsor approves: the waiting approval step is resumed with the outcome', async () => {
    // Prepare
    const w = memoryWorld();
    const g = await uc.requestGuest(w.deps, LEE, { ...request, sponsorHuid: ADA.huid });
    const waiting = await w.guests.get(g.guestId);
    await w.guests.save({ ...waiting!, approvalTaskToken: 'token-1', version: waiting!.version + 1 });

    // Act
    const decided = await uc.decideRequest(w.deps, ADA, g.guestId, { decision: 'approve' });

    // Assess
    expect(decided.approval).toMatchObject({ decision: 'approve', by: ADA.huid });
    expect(w.workflow.resumed).toEqual([{ taskToken: 'token-1', output: { outcome: 'approved' } }]);
  });

  it('the delegate may not decide; a second decision is a conflict; If-Match on an old version is refused', async () => {
    const w = memoryWorld();
    const g = await uc.requestGuest(w.deps, LEE, { ...request, sponsorHuid: ADA.huid });
    await expect(uc.decideRequest(w.deps, LEE, g.guestId, { decision: 'approve' })).rejects.toThrow(NotAllowedError);
    await expect(uc.decideRequest(w.deps, ADA, g.guestId, { decision: 'approve' }, 0)).rejects.toThrow(PreconditionFailedError);
    await uc.decideRequest(w.deps, ADA, g.guestId, { decision: 'deny', reason: 'not needed' });
    await expect(uc.decideRequest(w.deps, ADA, g.guestId, { decision: 'approve' })).rejects.toThrow(ConflictError);
    expect(w.mailer.to('lee.labadmin@hms.harvard.edu').map((m) => m.subject)).toEqual([expect.stringContaining('was denied')]);
  });
});

describe('a sponsor who is no longer eligible', () => {
  it('may read but not extend; HMS IT reassigns, and the new sponsor extends', async () => {
    // Prepare
    const w = memoryWorld();
    const g = await uc.requestGuest(w.deps, ADA, request);
    await provision(w.deps, g.guestId);
    w.directory.people.set(ADA.huid, { ...w.directory.people.get(ADA.huid)!, active: false });

    // Act / Assess
    await expect(uc.getGuest(w.deps, ADA, g.guestId)).resolves.toMatchObject({ guestId: g.guestId });
    const refused = await uc.extendGuest(w.deps, ADA, g.guestId, { endDate: '2027-09-30' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NotAllowedError);
    expect((refused as Error).message).toContain('HMS IT can reassign the guest');
    await uc.reassignSponsor(w.deps, IT, g.guestId, { sponsorHuid: SAM.huid });
    await expect(uc.extendGuest(w.deps, SAM, g.guestId, { endDate: '2027-09-30' })).resolves.toMatchObject({ endDate: '2027-09-30', sponsorHuid: SAM.huid });
  });
});

/** A password that keeps every rule of the password policy. */
const PASSWORD = 'correct-tulip-7-lantern';

describe('activate', () => {
  async function provisioned() {
    const w = memoryWorld();
    const g = await uc.requestGuest(w.deps, ADA, request);
    await provision(w.deps, g.guestId);
    const mail = w.mailer.to('grace.guest@example.org').find((m) => m.subject === 'Activate your HMS account')!;
    const code = /Activation code: ([A-Z0-9-]+)/.exec(mail.text)![1]!;
    const accountId = /HMS account ID: ([a-z0-9]+)/.exec(mail.text)![1]!;
    return { w, guestId: g.guestId, code, accountId };
  }

  it("the activation emails as people read them: the guest's names the sponsor (by name only), instants and dates in words, the copy the services by name", async () => {
    // Prepare / Act
    const { w } = await provisioned();
    const mail = w.mailer.to('grace.guest@example.org').find((m) => m.subject === 'Activate your HMS account')!;
    const copy = w.mailer.to('ada.faculty@hms.harvard.edu').find((m) => m.subject === 'Copy: Activate your HMS account')!;
    // Assess
    expect(mail.text).toContain('your Harvard Medical School sponsor, Ada Faculty.');
    expect(`${mail.text}${mail.html}`).not.toContain(ADA.huid);
    expect(mail.text).toMatch(/valid until \w+day, \w+ \d{1,2}, \d{4} at \d{1,2}:\d{2} [AP]M \(Boston time\)\./);
    expect(mail.text).toContain('through Wednesday, June 30, 2027.');
    expect(copy.text).toContain('Services granted: HMS email account, Wireless network, HMS Web Portal.');
    for (const m of [mail, copy]) expect(`${m.text}${m.html}`).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:|\b\d{4}-\d{2}-\d{2}\b/);
  });

  it('the right code activates once; the same code again is the same success', async () => {
    const { w, guestId, code, accountId } = await provisioned();
    const first = (await uc.activate(w.deps, { accountId, code, password: PASSWORD }, '192.0.2.1')).guest;
    expect(first).toMatchObject({ guestId, status: 'ACTIVE', activatedAt: '2027-01-04T14:00:00.000Z' });
    w.clock.advance(60_000);
    await expect(uc.activate(w.deps, { accountId, code, password: PASSWORD }, '192.0.2.2')).resolves.toMatchObject({ guest: { status: 'ACTIVE', activatedAt: first.activatedAt } });
  });

  it('a wrong code and an unknown account ID fail alike, and each attempt is counted', async () => {
    // Prepare
    const { w, accountId } = await provisioned();

    // Act
    const wrong = await uc.activate(w.deps, { accountId, code: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-A', password: PASSWORD }, '192.0.2.1').catch((e: unknown) => e);
    const unknown = await uc.activate(w.deps, { accountId: 'zzz999', code: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-A', password: PASSWORD }, '192.0.2.2').catch((e: unknown) => e);

    // Assess
    expect(wrong).toBeInstanceOf(ValidationError);
    expect(unknown).toBeInstanceOf(ValidationError);
    expect([(wrong as Error).message, (wrong as ValidationError).fields]).toEqual([(unknown as Error).message, (unknown as ValidationError).fields]);
    expect([...w.attempts.windows.values()].reduce((a, b) => a + b, 0)).toBe(4); // per address ×2, per account ×2
    expect(w.attempts.records.size).toBe(2); // one (account, address) pair each
  });

  it('at the ceiling the code locks, the sponsor is told and HMS IT alerted', async () => {
    // Prepare
    const { w, guestId, accountId, code } = await provisioned();

    // Act: 100 wrong codes, each from its own address
    for (let i = 0; i < 100; i++) await uc.activate(w.deps, { accountId, code: 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-A', password: PASSWORD }, `10.0.${Math.floor(i / 200)}.${i % 200}`).catch(() => undefined);
    const holder = await uc.activate(w.deps, { accountId, code, password: PASSWORD }, '10.9.9.9').catch((e: unknown) => e);

    // Assess
    expect((holder as Error).name).toBe('RateLimitedError');
    expect((await w.guests.get(guestId))!.activation!.lockedAt).toBe('2027-01-04T14:00:00.000Z');
    expect(w.alerts.raised).toEqual([{ alert: 'activation-ceiling', detail: { guestId, accountId, attempts: 100 } }]);
    expect(w.mailer.to('ada.faculty@hms.harvard.edu').map((m) => m.subject)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Unusual activation attempts/), expect.stringMatching(/^Activation code locked/)]),
    );
  });
});
