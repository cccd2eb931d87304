/**
 * Activation needs no login, so it is bound to the account ID and the emailed code, and it must not
 * help a stranger: every attempt is counted before the code is compared (per source address, per
 * account and address, per account and code), every failure without the right code looks the same
 * whatever the account, a stranger slowing themselves down cannot lock the guest out, a burst is
 * reported to the sponsor, the ceiling locks the code and alerts HMS IT, and the code never comes
 * back out of any endpoint. The password the guest chooses is checked only after the code (a caller
 * without it learns nothing about the password), refused naming the rule without using anything
 * up, set in the account directory before the code is spent, and never stored, logged or echoed.
 * Calls come from many loopback addresses (127.x.y.z), as from many clients.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '../../functions/runtime.ts';
import { ACTIVATION_LIMITS, pairDelayMs } from '../../shared/guest/domain/activation-code.ts';
import { PASSWORD_RULES } from '../../shared/guest/domain/password-policy.ts';
import { TestSystem, SPONSOR, GUEST, type Answer } from '../support/local-system.ts';
import { PASSWORD } from '../support/sample.ts';

// Monday 4 January 2027, 09:00 in Boston.
const START = '2027-01-04T14:00:00.000Z';

let t: TestSystem;
beforeAll(async () => {
  t = await TestSystem.start({ clock: START });
});
afterAll(async () => {
  await t.stop();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Addresses no other test uses: test `n` takes 127.n.x.y. */
const addresses = (n: number) => (i: number) => `127.${n}.${Math.floor(i / 250)}.${(i % 250) + 1}`;

async function provisionedGuest(guestHuid: string, extra: Record<string, unknown> = {}): Promise<{ guestId: string; accountId: string; code: string }> {
  const res = await t.as(SPONSOR.huid, 'POST', '/v1/guests', { guestHuid, population: 'visiting-faculty', endDate: '2027-06-30', ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const guestId = String(res.body.guestId);
  await t.advance('PT0S');
  const guest = await t.guest(SPONSOR.huid, guestId);
  const accountId = String(guest.accountId);
  return { guestId, accountId, code: await latestCode(accountId) };
}

async function latestCode(accountId: string): Promise<string> {
  const mails = (await t.mail()).filter((m) => m.subject === 'Activate your HMS account' && m.body.text?.includes(`HMS account ID: ${accountId}`));
  return /Activation code: ([A-Z0-9-]+)/.exec(mails.at(-1)!.body.text!)![1]!;
}

const activate = (accountId: string, code: string, source: string, password = PASSWORD) => t.raw('POST', '/v1/activate', { accountId, code, password }, {}, source);
const wrongCode = 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-A';

/** What a caller sees of an answer: status, media type, Retry-After and body (without `instance`, the request's own ID). */
function seen(a: Answer) {
  const { instance: _instance, ...body } = a.body as Record<string, unknown>;
  return { status: a.status, type: a.headers.get('content-type'), retryAfter: a.headers.get('retry-after'), body };
}

/** A fresh per-address window for each test: move the clock to the start of the next one. */
async function nextWindow() {
  const now = Date.parse(await t.now());
  const { windowMs } = ACTIVATION_LIMITS.perSource;
  await t.advanceTo(new Date((Math.floor(now / windowMs) + 1) * windowMs).toISOString());
}

describe('activation', () => {
  it('parallel wrong codes from many addresses are each counted, each answered alike (never 409), and a burst is reported to the sponsor once', async () => {
    // Prepare
    await nextWindow();
    const { guestId, accountId, code } = await provisionedGuest(GUEST.huid);
    const from = addresses(1);
    const burst = ACTIVATION_LIMITS.perAccount.burst;

    // Act: a burst of wrong codes, all at once, each from its own address
    const answers = await Promise.all(Array.from({ length: burst }, (_, i) => activate(accountId, wrongCode, from(i))));
    await t.advance('PT0S');

    // Assess: the same answer every time, and all of them counted (the burst was reached)
    expect(answers.map((a) => a.status)).toEqual(Array(burst).fill(400));
    expect(new Set(answers.map((a) => JSON.stringify(seen(a)))).size).toBe(1);
    const reports = (await t.mailTo(SPONSOR.email)).filter((m) => m.subject.startsWith('Unusual activation attempts'));
    expect(reports).toHaveLength(1);
    expect(reports[0]!.body.text).toContain(`tried ${burst} times`);
    const history = (await t.as(SPONSOR.huid, 'GET', `/v1/guests/${guestId}/history`)).body.items as { action: string }[];
    expect(history.filter((e) => e.action === 'activation-attempts-reported')).toHaveLength(1);

    // Act / Assess: the guest, from their own address, still activates
    expect((await activate(accountId, code, from(burst))).status).toBe(200);
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('ACTIVE');
  });

  it('without the right code every failure is the same answer: unknown ID, pending, active, cancelled, resent', async () => {
    // Prepare: accounts in every state, and an ID that does not exist
    await nextWindow();
    const from = addresses(2);
    const pending = await provisionedGuest('20000002');
    const active = await provisionedGuest('20000010');
    expect((await activate(active.accountId, active.code, from(100))).status).toBe(200);
    const cancelled = await provisionedGuest('20000011');
    expect((await t.as(SPONSOR.huid, 'POST', `/v1/guests/${cancelled.guestId}/cancel`)).status).toBe(200);
    const resent = await provisionedGuest('20000012');
    expect((await t.as(SPONSOR.huid, 'POST', `/v1/guests/${resent.guestId}/activation/resend`)).status).toBe(200);
    const unknown = 'zzz999';

    // Act: a wrong code for each (the resent account with its old, voided code), each from its own address
    const answers = [
      await activate(unknown, wrongCode, from(0)),
      await activate(pending.accountId, wrongCode, from(1)),
      await activate(active.accountId, wrongCode, from(2)),
      await activate(cancelled.accountId, wrongCode, from(3)),
      await activate(cancelled.accountId, cancelled.code.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), from(4)),
      await activate(resent.accountId, resent.code, from(5)),
    ];

    // Assess: one answer for all, naming no state and no internal ID
    const views = answers.map(seen);
    for (const v of views) expect(v).toEqual(views[0]);
    expect(views[0]).toMatchObject({ status: 400, type: 'application/problem+json' });
    expect(JSON.stringify(views[0])).not.toMatch(/active|locked|expired|cancel|[0-9a-f]{8}-[0-9a-f]{4}/i);

    // Act: a second try at once from the same addresses: slowed down, alike for the unknown ID and the real one
    const again = [await activate(unknown, wrongCode, from(0)), await activate(pending.accountId, wrongCode, from(1))];

    // Assess
    expect(seen(again[0]!)).toEqual(seen(again[1]!));
    expect(again[0]!.status).toBe(429);
    expect(Number(again[0]!.headers.get('retry-after'))).toBe(pairDelayMs(1) / 1000);
  });

  it('only a caller holding the right code learns the account is already active, closed, or its code expired', async () => {
    // Prepare
    await nextWindow();
    const from = addresses(3);
    const active = await provisionedGuest('20000013');
    const first = await activate(active.accountId, active.code, from(0));
    expect(first.status).toBe(200);
    const cancelled = await provisionedGuest('20000014');
    expect((await t.as(SPONSOR.huid, 'POST', `/v1/guests/${cancelled.guestId}/cancel`)).status).toBe(200);
    const later = await provisionedGuest('20000015', { startDate: '2027-03-01', endDate: '2027-08-31' });
    const stale = await provisionedGuest('20000016');

    // Act / Assess: the right code on an active account is the same success again (a double click, a retry)
    const twice = await activate(active.accountId, active.code, from(1));
    expect(twice.status).toBe(200);
    expect(twice.body).toEqual(first.body);
    // a cancelled account: gone
    const gone = await activate(cancelled.accountId, cancelled.code, from(2));
    expect(gone.status).toBe(410);
    expect(String(gone.body.detail)).toContain('no longer waiting for activation');
    // before the start date: not yet
    const early = await activate(later.accountId, later.code, from(3));
    expect(early.status).toBe(422);
    expect(String(early.body.detail)).toContain('2027-03-01');

    // Act: 14 days later the code has expired
    await t.advance('P15D');
    const expired = await activate(stale.accountId, stale.code, from(4));

    // Assess
    expect(expired.status).toBe(410);
    expect(String(expired.body.detail)).toContain('expired');
    expect((await t.guest(SPONSOR.huid, stale.guestId)).status).toBe('PENDING_ACTIVATION');
  });

  it('a stranger cannot lock the guest out: their own address slows down exponentially and locks, the guest activates from theirs', async () => {
    // Prepare
    await nextWindow();
    const from = addresses(4);
    const { guestId, accountId, code } = await provisionedGuest('20000017');
    const stranger = from(0);
    const { lockAfter } = ACTIVATION_LIMITS.perPair;

    // Act: wrong codes from one address, each as soon as it is allowed (the first few also tried
    // again at once, to see the wait; halfway a new per-address window, as that limit is 10 too)
    const statuses: number[] = [];
    const waits: number[] = [];
    for (let i = 0; i < lockAfter; i++) {
      if (i === 5) await nextWindow();
      statuses.push((await activate(accountId, wrongCode, stranger)).status);
      if (i < 4) waits.push(Number((await activate(accountId, wrongCode, stranger)).headers.get('retry-after')));
      await t.advance(`PT${pairDelayMs(i + 1) / 1000}S`);
    }

    // Assess: every attempt counted and refused alike, the wait doubling each time
    expect(statuses).toEqual(Array(lockAfter).fill(400));
    expect(waits).toEqual([1, 2, 4, 8]);

    // Act: in the next window (the per-address limit is spent), the pair is still locked
    await nextWindow();
    const locked = await activate(accountId, code, stranger);

    // Assess: even the right code from that address waits out the lock
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(ACTIVATION_LIMITS.perSource.windowMs / 1000);

    // Act / Assess: the guest, from another address, activates at once
    expect((await activate(accountId, code, from(1))).status).toBe(200);
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('ACTIVE');
  });

  it('the ceiling over all addresses locks the code, tells the sponsor and alerts HMS IT; a resend gives a code that works', async () => {
    // Prepare
    await nextWindow();
    const from = addresses(5);
    const { guestId, accountId, code } = await provisionedGuest('20000018');
    const { ceiling } = ACTIVATION_LIMITS.perAccount;
    const alert = vi.spyOn(logger, 'error');

    // Act: wrong codes up to the ceiling, each from its own address, in parallel batches
    const answers: Answer[] = [];
    for (let i = 0; i < ceiling; i += 25) answers.push(...(await Promise.all(Array.from({ length: 25 }, (_, j) => activate(accountId, wrongCode, from(i + j))))));
    await t.advance('PT0S');
    const afterCeiling = await activate(accountId, code, from(ceiling));

    // Assess: all refused alike, then the code is locked even for its holder
    expect(answers.map((a) => a.status)).toEqual(Array(ceiling).fill(400));
    expect(afterCeiling.status).toBe(429);
    const guest = await t.guest(SPONSOR.huid, guestId);
    expect(guest.status).toBe('PENDING_ACTIVATION');
    expect(guest.activation).toMatchObject({ locked: true, used: false });
    expect((await t.mailTo(SPONSOR.email)).filter((m) => m.subject === `Activation code locked for the HMS account of ${String(guest.guestName)}`)).toHaveLength(1);
    expect(alert).toHaveBeenCalledWith('HMS IT alert: activation-ceiling', expect.objectContaining({ alert: 'activation-ceiling', guestId, accountId, attempts: ceiling }));

    // Act: the sponsor sends a new code
    expect((await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}/activation/resend`)).status).toBe(200);
    const fresh = await latestCode(accountId);

    // Assess: the old code is void, the new one works
    expect(fresh).not.toBe(code);
    const old = await activate(accountId, code, from(ceiling + 1));
    expect(old.status, JSON.stringify(old.body)).toBe(400);
    expect((await activate(accountId, fresh, from(ceiling + 2))).status).toBe(200);
  });

  it(`more than ${ACTIVATION_LIMITS.perSource.attempts} attempts from one address in a window are refused with 429 and Retry-After, and change nothing`, async () => {
    // Prepare
    await nextWindow();
    const from = addresses(6);
    const { guestId, accountId, code } = await provisionedGuest('20000019');
    // Wrong account IDs use up the window without touching any guest.
    for (let i = 0; i < ACTIVATION_LIMITS.perSource.attempts; i++) expect((await activate(`zzz${String(100 + i)}`, wrongCode, from(0))).status).toBe(400);
    const before = await t.guest(SPONSOR.huid, guestId);

    // Act
    const limited = await activate(accountId, code, from(0));

    // Assess: refused before the code is even looked at
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const after = await t.guest(SPONSOR.huid, guestId);
    expect(after.status).toBe('PENDING_ACTIVATION');
    expect(after.version).toBe(before.version);

    // Act: the next window
    await nextWindow();

    // Assess
    expect((await activate(accountId, code, from(0))).status).toBe(200);
  });

  it('a weak password is refused with the rule named; nothing changes and the same code then works; the directory user is active with exactly its groups', async () => {
    // Prepare
    await nextWindow();
    const from = addresses(7);
    const { guestId, accountId, code } = await provisionedGuest('20000020');
    const before = await t.guest(SPONSOR.huid, guestId);
    const userBefore = (await t.directory()).users.find((u) => u.userName === accountId);
    const log = vi.spyOn(process.stdout, 'write');

    // Act: with the right code, passwords that break each rule
    const lastName = String(before.guestName).split(' ').at(-1)!;
    const weak = [];
    for (const [password, rule] of [['short', 'length'], [`my-${accountId}-password`, 'account-id'], [`${lastName}-Rocks-2027!`, 'name'], ['Password1234!', 'common']] as const) {
      weak.push([await activate(accountId, code, from(0), password), rule] as const);
    }
    const after = await t.guest(SPONSOR.huid, guestId);
    const userAfter = (await t.directory()).users.find((u) => u.userName === accountId);
    const ok = await activate(accountId, code, from(0));

    // Assess: each refused naming its rule, at /password; nothing changed, nothing used up
    for (const [answer, rule] of weak) {
      expect(answer.status, rule).toBe(422);
      expect((answer.body as { errors: unknown[] }).errors, rule).toEqual([{ pointer: '#/password', detail: PASSWORD_RULES[rule] }]);
    }
    expect(after).toEqual(before);
    expect(userAfter).toEqual(userBefore);
    expect(userBefore).toMatchObject({ active: false, passwordSet: false });
    // The same code, at once, with a good password
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ accountId, status: 'ACTIVE', setPasswordUrl: null });
    const granted = (before.entitlements as { name: string; granted: boolean }[]).filter((e) => e.granted).map((e) => `hms-guest-${e.name}`).sort();
    expect((await t.directory()).users.find((u) => u.userName === accountId)).toMatchObject({ active: true, passwordSet: true, groups: granted });
    // Never echoed, stored, audited or logged
    const history = await t.as(SPONSOR.huid, 'GET', `/v1/guests/${guestId}/history`);
    const seenText = JSON.stringify([weak.map(([a]) => a.body), ok.body, history.body, await t.guest(SPONSOR.huid, guestId), await t.directory(), log.mock.calls]);
    for (const password of [PASSWORD, `${lastName}-Rocks-2027!`, 'Password1234!', `my-${accountId}-password`]) expect(seenText).not.toContain(password);
  });

  it('a wrong code with a weak password answers exactly as a wrong code (whatever the account, whatever the password)', async () => {
    // Prepare
    await nextWindow();
    const from = addresses(8);
    const { accountId } = await provisionedGuest('20000021');

    // Act
    const answers = [
      await activate(accountId, wrongCode, from(0), PASSWORD),
      await activate(accountId, wrongCode, from(1), 'short'),
      await activate(accountId, wrongCode, from(2), `${accountId}${accountId}${accountId}`),
      await activate('zzz998', wrongCode, from(3), 'password'),
      await activate('zzz997', wrongCode, from(4), PASSWORD),
    ];

    // Assess
    const views = answers.map(seen);
    for (const v of views) expect(v).toEqual(views[0]);
    expect(views[0]).toMatchObject({ status: 400 });
    expect(JSON.stringify(views[0])).not.toMatch(/password/i);
  });

  it('the code never comes back out: not in the guest, the list, the history, or the sponsor copy', async () => {
    // Prepare
    await nextWindow();
    const { guestId, code } = await provisionedGuest('20000006');
    const plain = code.replace(/-/g, '');

    // Act
    const bodies = [
      await t.as(SPONSOR.huid, 'GET', `/v1/guests/${guestId}`),
      await t.as(SPONSOR.huid, 'GET', '/v1/guests'),
      await t.as(SPONSOR.huid, 'GET', `/v1/guests/${guestId}/history`),
      await t.as('10000099', 'GET', `/v1/guests/${guestId}`, undefined, ['hms-it']),
    ].map((r) => JSON.stringify(r.body));
    const sponsorCopies = (await t.mailTo(SPONSOR.email)).filter((m) => m.subject.startsWith('Copy: Activate'));

    // Assess
    for (const body of bodies) {
      expect(body).not.toContain(code);
      expect(body).not.toContain(plain);
      expect(body).not.toMatch(/"hash":"[0-9a-f]{64}"/);
    }
    expect(sponsorCopies.length).toBeGreaterThan(0);
    for (const m of sponsorCopies) expect(`${m.body.text ?? ''}${m.body.html ?? ''}`).not.toContain(code);
  });
});
