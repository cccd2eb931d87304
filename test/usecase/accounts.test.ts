/**
 * The HMS account in the account directory (issue 13), on in-memory ports (MemoryAccountDirectory):
 * provisioning creates the user before the activation email, activation sets the password and
 * enables the user before the code is spent (the password policy after the code), expiry and
 * cancel disable it and take its groups, a restore gives both back, an extension moves its end
 * date; failures are transient or permanent; the reconciler repairs drift, audited and counted.
 */
import { describe, expect, it } from 'vitest';
import { DIGITAL_LIBRARY_GROUP } from '../../shared/guest/domain/account.ts';
import * as uc from '../../shared/guest/app/guests.ts';
import { expireIfDue, provision, recordFailure } from '../../shared/guest/app/tasks.ts';
import { DRIFT_CHECKPOINT, reconcile } from '../../shared/app/reconcile.ts';
import { DirectoryConflictError, DirectoryRejectedError, DirectoryUnavailableError, RuleViolation, ValidationError } from '../../shared/core/domain/errors.ts';
import { MAX_FAILURES } from '../../shared/guest/domain/transitions.ts';
import { MemoryAccountDirectory } from '../../shared/adapters/memory.ts';
import { METRIC_NAMES } from '../../shared/core/ports.ts';
import { DIRECTORY_GROUPS, memoryWorld, type MemoryWorld } from '../support/memory.ts';

const ADA = { huid: '10000001', roles: [] };
const HANA = { huid: '10000003', roles: [] };
const IT = { huid: '10000099', roles: ['hms-it'] };
const GRACE = 'grace.guest@example.org';
const PASSWORD = 'correct-tulip-7-lantern';
const WRONG_CODE = 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-A';
const DOWN = () => new DirectoryUnavailableError('SCIM GET /Users answered 503', { status: 503 });

/** A provisioned guest of Ada (email, wireless, portal), its account ID and activation code. */
async function provisioned(w: MemoryWorld = memoryWorld(), sponsor = ADA, services?: ('email' | 'wireless' | 'portal' | 'o2' | 'file-shares')[]) {
  const g = await uc.requestGuest(w.deps, sponsor, { guestHuid: '20000001', population: 'agency-temp', endDate: '2027-06-30', ...(services ? { services } : {}) });
  await provision(w.deps, g.guestId);
  const mail = w.mailer.to(GRACE).filter((m) => m.subject === 'Activate your HMS account').at(-1)!;
  const code = /Activation code: ([A-Z0-9-]+)/.exec(mail.text)![1]!;
  const accountId = /HMS account ID: ([a-z0-9]+)/.exec(mail.text)![1]!;
  return { w, guestId: g.guestId, code, accountId };
}

describe('provisioning', () => {
  it('creates the user, disabled, with exactly the groups of the granted services, before the activation email', async () => {
    // Prepare: what the directory held when each email went out
    const w = memoryWorld();
    const seen: unknown[] = [];
    const send = w.mailer.send.bind(w.mailer);
    w.mailer.send = async (m) => (seen.push(m.to.includes(GRACE) ? w.accounts.user([...w.accounts.users.values()][0]?.userName ?? '-') : 'copy'), send(m));

    // Act
    const { accountId, guestId } = await provisioned(w);

    // Assess
    const user = w.accounts.user(accountId)!;
    expect(user).toMatchObject({ userName: accountId, externalId: guestId, active: false, groups: ['hms-guest-email', 'hms-guest-portal', 'hms-guest-wireless'], endDate: '2027-06-30', population: 'agency-temp', sponsorHuid: ADA.huid, givenName: 'Grace', familyName: 'Guest', email: GRACE });
    expect(seen[0]).toMatchObject({ userName: accountId, groups: user.groups });
    expect(w.accounts.calls.filter((c) => c.startsWith('create'))).toEqual([`create ${accountId}`]);
  });

  it('never puts a guest in the Digital Library group; a hospital sponsor\'s guest gets no email group', async () => {
    // Act
    const { w, accountId } = await provisioned(memoryWorld(), HANA, ['email', 'wireless', 'o2']);

    // Assess
    expect(w.accounts.user(accountId)!.groups).toEqual(['hms-guest-wireless']);
    expect(w.accounts.calls.join('\n')).not.toContain(DIGITAL_LIBRARY_GROUP);
  });

  it('run again (a retried task), creates nothing twice and sends the email once', async () => {
    const { w, guestId, accountId } = await provisioned();
    await provision(w.deps, guestId);
    expect(w.accounts.calls.filter((c) => c.startsWith('create'))).toEqual([`create ${accountId}`]);
    expect(w.mailer.to(GRACE).filter((m) => m.subject === 'Activate your HMS account')).toHaveLength(1);
  });

  it('an account ID taken in the directory (not by this system) is not used: the next candidate is', async () => {
    // Prepare: ggu000, the first candidate, belongs to someone in the directory already
    const w = memoryWorld();
    await w.accounts.create({ userName: 'ggu000', externalId: 'someone-else', givenName: 'G', familyName: 'U', email: '', active: true, endDate: '', population: '', sponsorHuid: '' });

    // Act
    const { accountId } = await provisioned(w);

    // Assess
    expect(accountId).toBe('ggu001');
  });

  it('a userName taken at create time (created between the check and the create) moves on to the next candidate', async () => {
    // Prepare
    const w = memoryWorld();
    w.accounts.failNext('create', new DirectoryConflictError('userName ggu000 is already taken', { status: 409, scimType: 'uniqueness' }));

    // Act
    const { accountId, guestId } = await provisioned(w);

    // Assess
    expect(accountId).toBe('ggu001');
    expect((await w.guests.get(guestId))!.accountId).toBe('ggu001');
    expect(w.accounts.user('ggu001')).toMatchObject({ externalId: guestId });
  });

  it('with the directory down: no activation email, the failure is transient (never FAILED); when it is back, everything owed is done once', async () => {
    // Prepare
    const w = memoryWorld();
    const g = await uc.requestGuest(w.deps, ADA, { guestHuid: '20000001', population: 'agency-temp', endDate: '2027-06-30' });
    w.accounts.down = DOWN();

    // Act: the task fails, again and again (a day of retries and restarts)
    for (let i = 0; i < MAX_FAILURES + 2; i++) {
      await expect(provision(w.deps, g.guestId)).rejects.toBeInstanceOf(DirectoryUnavailableError);
      const recorded = await recordFailure(w.deps, g.guestId, { Error: 'DirectoryUnavailableError', Cause: 'SCIM GET /Users answered 503' });
      // The execution ends waiting for the directory, not failed.
      expect(recorded.outcome).toBe('deferred');
    }
    const during = await w.guests.get(g.guestId);
    w.accounts.down = undefined;
    await provision(w.deps, g.guestId);

    // Assess
    expect(during).toMatchObject({ status: 'PENDING_APPROVAL', failure: { kind: 'transient', count: 0, error: 'DirectoryUnavailableError' } });
    const after = (await w.guests.get(g.guestId))!;
    expect(after.status).toBe('PENDING_ACTIVATION');
    expect(after.failure).toBeUndefined();
    expect(w.accounts.user(after.accountId!)).toMatchObject({ active: false, groups: ['hms-guest-email', 'hms-guest-portal', 'hms-guest-wireless'] });
    expect(w.mailer.to(GRACE).filter((m) => m.subject === 'Activate your HMS account')).toHaveLength(1);
  });

  it('a permanent failure (the directory refuses the user) makes the guest FAILED at once: nothing downstream runs', async () => {
    // Prepare
    const w = memoryWorld();
    const g = await uc.requestGuest(w.deps, ADA, { guestHuid: '20000001', population: 'agency-temp', endDate: '2027-06-30' });
    w.accounts.failNext('create', new DirectoryRejectedError('SCIM POST /Users answered 400 invalidValue', { status: 400, scimType: 'invalidValue' }));

    // Act
    const err = await provision(w.deps, g.guestId).catch((e: unknown) => e);
    const recorded = await recordFailure(w.deps, g.guestId, { Error: (err as Error).name, Cause: (err as Error).message });

    // Assess
    expect(err).toBeInstanceOf(DirectoryRejectedError);
    expect(recorded).toMatchObject({ status: 'FAILED', outcome: 'failed' });
    expect(await w.guests.get(g.guestId)).toMatchObject({ status: 'FAILED', failure: { kind: 'permanent', count: 1, error: 'DirectoryRejectedError' } });
    expect(w.mailer.to(GRACE)).toEqual([]);
    const view = (await uc.listGuests(w.deps, IT, { as: 'hms-it', failed: true })).items.map((x) => x.guestId);
    expect(view).toEqual([g.guestId]);
  });
});

describe('activation with a password', () => {
  it('sets the password, enables the user with its groups, then spends the code', async () => {
    // Prepare
    const { w, guestId, accountId, code } = await provisioned();

    // Act
    const { guest, setPasswordUrl } = await uc.activate(w.deps, { accountId, code, password: PASSWORD }, '192.0.2.1');

    // Assess
    expect(guest).toMatchObject({ guestId, status: 'ACTIVE', activation: { usedAt: '2027-01-04T14:00:00.000Z' } });
    expect(setPasswordUrl).toBeUndefined();
    expect(w.accounts.user(accountId)).toMatchObject({ active: true, groups: ['hms-guest-email', 'hms-guest-portal', 'hms-guest-wireless'], passwordHash: expect.any(String) });
    const order = w.accounts.calls.filter((c) => c.includes(accountId)).slice(-2);
    expect(order).toEqual([`password ${accountId}`, `update ${accountId} active=true`]);
    // Never stored, audited or echoed.
    expect(JSON.stringify([...w.guests.guests.values(), ...w.guests.audit.values(), guest])).not.toContain(PASSWORD);
  });

  it.each([
    ['short', 'length'],
    [`xx-ggu000-xx-pw`, 'account-id'],
    ['Grace-loves-tulips-7', 'name'],
    ['Guest!2027:lantern', 'name'],
    ['Password123456!', 'common'],
    ['qwertyuiop123', 'common'],
  ])('a weak password (%s) is refused naming the rule (%s); nothing changes, the code still works', async (password, rule) => {
    // Prepare
    const { w, guestId, accountId, code } = await provisioned();
    const before = await w.guests.get(guestId);
    const calls = w.accounts.calls.length;

    // Act
    const refused = await uc.activate(w.deps, { accountId, code, password: password.replace('ggu000', accountId) }, '192.0.2.1').catch((e: unknown) => e);

    // Assess
    expect(refused).toBeInstanceOf(RuleViolation);
    expect((refused as RuleViolation).fields).toEqual({ password: [expect.any(String)] });
    expect((refused as Error).message).not.toContain(password);
    const { PASSWORD_RULES } = await import('../../shared/guest/domain/password-policy.ts');
    expect((refused as RuleViolation).fields!.password![0]).toBe(PASSWORD_RULES[rule as keyof typeof PASSWORD_RULES]);
    expect(await w.guests.get(guestId)).toEqual(before);
    expect(w.accounts.calls.length).toBe(calls);
    expect(w.accounts.user(accountId)).toMatchObject({ active: false });
    expect(w.accounts.user(accountId)!.passwordHash).toBeUndefined();
    // The code still works, at once (a guest trying passwords is not made to wait).
    await expect(uc.activate(w.deps, { accountId, code, password: PASSWORD }, '192.0.2.1')).resolves.toMatchObject({ guest: { status: 'ACTIVE' } });
  });

  it('a wrong code with a weak password answers exactly as a wrong code: nothing is said about the password', async () => {
    // Prepare
    const { w, accountId } = await provisioned();

    // Act
    const weak = await uc.activate(w.deps, { accountId, code: WRONG_CODE, password: 'short' }, '192.0.2.1').catch((e: unknown) => e);
    const strong = await uc.activate(w.deps, { accountId, code: WRONG_CODE, password: PASSWORD }, '192.0.2.2').catch((e: unknown) => e);
    const unknown = await uc.activate(w.deps, { accountId: 'zzz999', code: WRONG_CODE, password: 'short' }, '192.0.2.3').catch((e: unknown) => e);

    // Assess
    for (const e of [weak, strong, unknown]) expect(e).toBeInstanceOf(ValidationError);
    const shape = (e: unknown) => [(e as Error).message, (e as ValidationError).fields];
    expect(shape(weak)).toEqual(shape(strong));
    expect(shape(weak)).toEqual(shape(unknown));
    expect(w.accounts.calls.filter((c) => c.startsWith('password'))).toEqual([]);
  });

  it('with the directory down: DirectoryUnavailableError (503), nothing is used up; once it answers, the same code works', async () => {
    // Prepare
    const { w, guestId, accountId, code } = await provisioned();
    w.accounts.down = DOWN();

    // Act
    const refused = await uc.activate(w.deps, { accountId, code, password: PASSWORD }, '192.0.2.1').catch((e: unknown) => e);
    const during = await w.guests.get(guestId);
    w.accounts.down = undefined;
    const activated = await uc.activate(w.deps, { accountId, code, password: PASSWORD }, '192.0.2.1');

    // Assess
    expect(refused).toBeInstanceOf(DirectoryUnavailableError);
    expect(during).toMatchObject({ status: 'PENDING_ACTIVATION' });
    expect(during!.activation!.usedAt).toBeUndefined();
    expect(activated.guest.status).toBe('ACTIVE');
  });

  it('a directory that takes no password writes: the account is active and the answer is the set-password link', async () => {
    // Prepare
    const w = memoryWorld();
    w.deps.accounts = w.accounts = new MemoryAccountDirectory(w.clock, { takesPasswords: false, setPasswordUrl: 'https://password.hms.example/set', groups: DIRECTORY_GROUPS });
    const { accountId, code } = await provisioned(w);

    // Act
    const { guest, setPasswordUrl } = await uc.activate(w.deps, { accountId, code, password: PASSWORD }, '192.0.2.1');

    // Assess
    expect(guest.status).toBe('ACTIVE');
    expect(setPasswordUrl).toBe('https://password.hms.example/set');
    expect(w.accounts.user(accountId)).toMatchObject({ active: true });
    expect(w.accounts.user(accountId)!.passwordHash).toBeUndefined();
  });
});

describe('expiry, cancel, restore, extension', () => {
  async function active() {
    const p = await provisioned();
    await uc.activate(p.w.deps, { accountId: p.accountId, code: p.code, password: PASSWORD }, '192.0.2.1');
    return p;
  }

  it('expiry: disabled and out of every group before the "expired" emails; a restore within 30 days gives both back', async () => {
    // Prepare
    const { w, guestId, accountId } = await active();
    w.clock.set('2027-07-01T05:00:00.000Z');
    const mailed: unknown[] = [];
    const send = w.mailer.send.bind(w.mailer);
    w.mailer.send = async (m) => (mailed.push(w.accounts.user(accountId)), send(m));

    // Act
    await expireIfDue(w.deps, guestId);
    const expired = w.accounts.user(accountId);
    await uc.extendGuest(w.deps, ADA, guestId, { endDate: '2027-09-30' });

    // Assess
    expect(expired).toMatchObject({ active: false, groups: [] });
    expect(mailed[0]).toMatchObject({ active: false, groups: [] });
    expect(w.accounts.user(accountId)).toMatchObject({ active: true, groups: ['hms-guest-email', 'hms-guest-portal', 'hms-guest-wireless'], endDate: '2027-09-30' });
  });

  it('expiry with the directory down: the status changes, the emails wait, the failure is transient; done once it answers', async () => {
    // Prepare
    const { w, guestId, accountId } = await active();
    w.clock.set('2027-07-01T05:00:00.000Z');
    w.accounts.down = DOWN();

    // Act
    await expect(expireIfDue(w.deps, guestId)).rejects.toBeInstanceOf(DirectoryUnavailableError);
    await recordFailure(w.deps, guestId, { Error: 'DirectoryUnavailableError' });
    const during = await w.guests.get(guestId);
    w.accounts.down = undefined;
    await expireIfDue(w.deps, guestId);

    // Assess
    expect(during).toMatchObject({ status: 'EXPIRED', failure: { kind: 'transient' } });
    expect(during!.expiredNoticeSentAt).toBeUndefined();
    expect(w.mailer.to(GRACE).filter((m) => /expired/.test(m.subject))).toHaveLength(1);
    expect(w.accounts.user(accountId)).toMatchObject({ active: false, groups: [] });
  });

  it('cancel: disabled and out of its groups; an extension moves the end date; a reassignment the sponsor', async () => {
    // Prepare
    const { w, guestId, accountId } = await active();

    // Act
    await uc.extendGuest(w.deps, ADA, guestId, { endDate: '2027-08-31' });
    const extended = w.accounts.user(accountId);
    await uc.reassignSponsor(w.deps, IT, guestId, { sponsorHuid: '10000002' });
    const reassigned = w.accounts.user(accountId);
    await uc.cancelGuest(w.deps, IT, guestId);

    // Assess
    expect(extended).toMatchObject({ active: true, endDate: '2027-08-31', sponsorHuid: ADA.huid });
    expect(reassigned).toMatchObject({ sponsorHuid: '10000002' });
    expect(w.accounts.user(accountId)).toMatchObject({ active: false, groups: [] });
    // The guest is told of the extension (the sponsor by name, the date in words); the sponsor who was not the one cancelling, by whom by name.
    const told = w.mailer.to(GRACE).filter((m) => m.subject === 'Your HMS account has been extended');
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toContain('extended by your sponsor, Ada Faculty: it is valid through Tuesday, August 31, 2027.');
    expect(w.mailer.sent.find((m) => /was cancelled$/.test(m.subject))!.text).not.toMatch(/by \d{8}/);
  });

  it('cancel with the directory down: cancelled all the same, due now; the reconciler disables the account when it answers, audited', async () => {
    // Prepare
    const { w, guestId, accountId } = await active();
    w.accounts.down = DOWN();

    // Act
    const cancelled = await uc.cancelGuest(w.deps, IT, guestId);
    w.clock.advance(3_600_000);
    const deferred = await reconcile(w.deps);
    w.accounts.down = undefined;
    w.clock.advance(86_400_000);
    const report = await reconcile(w.deps);

    // Assess
    expect(cancelled).toMatchObject({ status: 'CANCELLED', dueAt: '2027-01-04T14:00:00.000Z' });
    expect(deferred.deferred).toEqual(expect.arrayContaining([guestId]));
    expect(deferred.errors).toEqual([]);
    expect(report.accountsRepaired).toEqual([{ guestId, repaired: expect.arrayContaining(['active: false', 'group -hms-guest-email']) }]);
    expect(w.accounts.user(accountId)).toMatchObject({ active: false, groups: [] });
    const events = await w.guests.history(guestId);
    expect(events.at(-2)).toMatchObject({ actor: 'reconciler', action: 'account-repaired' });
    expect((await w.guests.get(guestId))!.dueAt).toBeUndefined();
  });
});

describe('drift repair by the reconciler', () => {
  it('a user re-enabled by hand after expiry is disabled again by the next run, audited (actor reconciler) and counted', async () => {
    // Prepare: an account expired; weeks later someone enables it by hand
    const { w, guestId, accountId, code } = await provisioned();
    await uc.activate(w.deps, { accountId, code, password: PASSWORD }, '192.0.2.1');
    w.clock.set('2027-07-01T05:00:00.000Z');
    await expireIfDue(w.deps, guestId);
    await reconcile(w.deps);
    w.clock.set('2027-07-20T12:00:00.000Z');
    w.accounts.edit(accountId, { active: true, addGroup: 'hms-guest-email' });
    w.clock.set('2027-07-21T10:00:00.000Z');

    // Act
    const report = await reconcile(w.deps);

    // Assess
    expect(report.accountsRepaired).toEqual([{ guestId, repaired: ['active: false', 'group -hms-guest-email'] }]);
    expect(w.accounts.user(accountId)).toMatchObject({ active: false, groups: [] });
    const repair = (await w.guests.history(guestId)).find((e) => e.action === 'account-repaired');
    expect(repair).toMatchObject({ actor: 'reconciler', detail: { repaired: ['active: false', 'group -hms-guest-email'] } });
    expect(w.metrics.of(METRIC_NAMES.accountRepaired)).toBe(1);
    expect(await w.checkpoints.get(DRIFT_CHECKPOINT)).toBe('2027-07-21T10:00:00.000Z');
  });

  it('a missing group is added back, a guest put in the Digital Library group is taken out', async () => {
    // Prepare
    const { w, guestId, accountId, code } = await provisioned();
    await uc.activate(w.deps, { accountId, code, password: PASSWORD }, '192.0.2.1');
    w.clock.advance(3_600_000);
    w.accounts.edit(accountId, { removeGroup: 'hms-guest-wireless', addGroup: DIGITAL_LIBRARY_GROUP });
    w.clock.advance(3_600_000);

    // Act
    const report = await reconcile(w.deps);

    // Assess
    expect(report.accountsRepaired).toEqual([{ guestId, repaired: ['group +hms-guest-wireless', `group -${DIGITAL_LIBRARY_GROUP}`] }]);
    expect(w.accounts.user(accountId)!.groups).toEqual(['hms-guest-email', 'hms-guest-portal', 'hms-guest-wireless']);
  });

  it('looks only at the users the directory changed since its last run and at the guests due: a user changed before is not read again', async () => {
    // Prepare
    const { w, accountId } = await provisioned();
    w.clock.advance(3_600_000);
    await reconcile(w.deps);
    const reads: string[] = [];
    const get = w.guests.get.bind(w.guests);
    w.guests.get = async (id) => (reads.push(id), get(id));
    w.clock.advance(86_400_000);

    // Act
    const report = await reconcile(w.deps);

    // Assess: nothing changed in the directory since the last run, and nothing is due
    expect(report.usersChanged).toBe(0);
    expect(report.accountsRepaired).toEqual([]);
    expect(reads).toEqual([]);
    expect(w.accounts.user(accountId)!.active).toBe(false);
  });

  it('a user changed in the last minutes is left to the next run (an activation may be landing)', async () => {
    // Prepare
    const { w, accountId } = await provisioned();
    w.clock.advance(3_600_000);
    await reconcile(w.deps);
    w.accounts.edit(accountId, { active: true });

    // Act
    const now = await reconcile(w.deps);
    w.clock.advance(10 * 60_000);
    const later = await reconcile(w.deps);

    // Assess
    expect(now.accountsRepaired).toEqual([]);
    expect(later.accountsRepaired.map((r) => r.repaired)).toEqual([['active: false']]);
  });
});
