/**
 * Activation needs no login, so it is bound to the account ID and the emailed code: 5 wrong codes
 * lock the code, a resend voids the old one, attempts per source address are limited, and the code
 * never comes back out of any endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATION_ATTEMPTS_PER_SOURCE } from '../../shared/domain/activation-code.ts';
import { TestSystem, SPONSOR, GUEST } from '../support/local-system.ts';

// Monday 4 January 2027, 09:00 in Boston.
const START = '2027-01-04T14:00:00.000Z';

let t: TestSystem;
beforeAll(async () => {
  t = await TestSystem.start({ clock: START });
});
afterAll(async () => {
  await t.stop();
});

async function provisionedGuest(guestHuid: string): Promise<{ guestId: string; accountId: string; code: string }> {
  const res = await t.as(SPONSOR.huid, 'POST', '/v1/guests', { guestHuid, population: 'visiting-faculty', endDate: '2027-06-30' });
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

const activate = (accountId: string, code: string) => t.raw('POST', '/v1/activate', { accountId, code });
const wrongCode = 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-A';

/** A fresh limiter window for each test: move the clock to the start of the next window. */
async function nextWindow() {
  const now = Date.parse(await t.now());
  const { windowMs } = ACTIVATION_ATTEMPTS_PER_SOURCE;
  await t.advanceTo(new Date((Math.floor(now / windowMs) + 1) * windowMs).toISOString());
}

describe('activation', () => {
  it('5 wrong codes lock the code: even the right code is refused (423) until a resend, which voids the old code', async () => {
    // Prepare
    await nextWindow();
    const { guestId, accountId, code } = await provisionedGuest(GUEST.huid);

    // Act: five wrong tries
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await activate(accountId, wrongCode)).status);

    // Assess
    expect(answers).toEqual([400, 400, 400, 400, 423]);
    expect((await activate(accountId, code)).status).toBe(423);
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('PENDING_ACTIVATION');

    // Act: the sponsor sends a new code
    const resent = await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}/activation/resend`);
    expect(resent.status, JSON.stringify(resent.body)).toBe(200);
    const fresh = await latestCode(accountId);

    // Assess: the old code is void, the new one works once
    expect(fresh).not.toBe(code);
    expect((await activate(accountId, code)).status).toBe(400);
    expect((await activate(accountId, fresh)).status).toBe(200);
    expect((await activate(accountId, fresh)).status).toBe(409);
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('ACTIVE');
  });

  it(`more than ${ACTIVATION_ATTEMPTS_PER_SOURCE.attempts} attempts from one address in a window are refused with 429 and Retry-After, and change nothing`, async () => {
    // Prepare
    await nextWindow();
    const { guestId, accountId, code } = await provisionedGuest('20000002');
    const tries = ACTIVATION_ATTEMPTS_PER_SOURCE.attempts;
    // Wrong account IDs use up the window without touching any guest.
    for (let i = 0; i < tries; i++) expect((await activate(`zzz${String(100 + i)}`, wrongCode)).status).toBe(400);
    const before = await t.guest(SPONSOR.huid, guestId);

    // Act
    const limited = await activate(accountId, code);

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
    expect((await activate(accountId, code)).status).toBe(200);
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
