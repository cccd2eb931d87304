/**
 * End to end: the real local system started as a user starts it (`tsx local/main.ts`, a child
 * process), driven over HTTP only — the API, /_local/clock and /_local/token, the mailbox's /store.
 * The other end-to-end files: restart.e2e (SIGKILL and resume), seed.e2e (--seed, and a delegate's
 * request approved by the sponsor), readme.e2e (the README's curl walk-through, as written).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GUEST, SPONSOR, Systems, type LocalCli, type Mail } from '../support/cli.ts';
import { noticeOf, PASSWORD } from '../support/sample.ts';

// Monday 4 January 2027, 09:00 in Boston (EST).
const START = '2027-01-04T14:00:00.000Z';
const END_DATE = '2027-02-15';

const systems = new Systems();
afterEach(() => systems.killAll());

const expiryNotices = (mail: Mail[]) => mail.filter((m) => m.subject.includes(' expires on '));

async function request(sys: LocalCli, as: string, body: Record<string, unknown>): Promise<string> {
  const res = await sys.as(as, 'POST', '/v1/guests', body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await sys.settle();
  return String(res.body.guestId);
}

/** Account ID and activation code from the guest's activation email. */
function activationOf(mail: Mail): { accountId: string; code: string } {
  const text = mail.body.text ?? '';
  return { accountId: /HMS account ID: (\S+)/.exec(text)![1]!, code: /Activation code: ([A-Z0-9-]+)/.exec(text)![1]! };
}

describe('the local system, end to end', () => {
  it('a full lifecycle: request, activation email, activation with a password, a notice a day from T-7, expiry, a hand-made change repaired, restore, history; the directory account all along', async () => {
    const sys = await systems.start({ clock: START });
    expect(await sys.now()).toEqual({ now: START, frozen: true });

    // The sponsor's own request is approved by that act: provisioned at once.
    const guestId = await request(sys, SPONSOR.huid, { guestHuid: GUEST.huid, population: 'visiting-faculty', endDate: END_DATE, services: ['email'] });
    let guest = await sys.guest(SPONSOR.huid, guestId);
    expect(guest).toMatchObject({ status: 'PENDING_ACTIVATION', guestHuid: GUEST.huid, sponsorHuid: SPONSOR.huid, endDate: END_DATE });
    expect(guest.accountId).toMatch(/^[a-z]{1,3}\d{3}$/);

    // Activation email to the guest with account ID and code; the sponsor's copy has the code redacted.
    const toGuest = await sys.mailTo(GUEST.email);
    expect(toGuest.map((m) => m.subject)).toEqual(['Activate your HMS account']);
    const { accountId, code } = activationOf(toGuest[0]!);
    expect(accountId).toBe(guest.accountId);
    // It names the sponsor, from the people directory, by name only; the code's expiry in Boston time.
    expect(toGuest[0]!.body.text).toContain('your Harvard Medical School sponsor, Ada Faculty.');
    expect(toGuest[0]!.body.text).not.toContain(SPONSOR.huid);
    expect(toGuest[0]!.body.text).toMatch(/valid until \w+day, \w+ \d{1,2}, \d{4} at \d{1,2}:\d{2} [AP]M \(Boston time\)/);
    const copy = (await sys.mailTo(SPONSOR.email)).filter((m) => m.subject.includes('Activate your HMS account'));
    expect(copy).toHaveLength(1);
    expect(copy[0]!.destination.to).toEqual([SPONSOR.email]);
    expect(copy[0]!.body.text).toContain(accountId);
    expect(copy[0]!.body.text).not.toContain(code);
    expect(copy[0]!.body.text).toContain('[redacted');

    // The guest activates, without a login; a wrong code first is refused.
    const wrong = await sys.raw('POST', '/v1/activate', { accountId, code: code === 'AAAA-AAAA' ? 'BBBB-BBBB' : 'AAAA-AAAA', password: PASSWORD });
    expect(wrong.status).toBe(400);
    const activated = await sys.raw('POST', '/v1/activate', { accountId, code, password: PASSWORD });
    expect(activated.status, JSON.stringify(activated.body)).toBe(200);
    expect((await sys.guest(SPONSOR.huid, guestId)).status).toBe('ACTIVE');
    // The account directory (its page, as JSON): the user active, with exactly the granted groups.
    expect((await sys.directory()).users.filter((u) => u.externalId === guestId)).toEqual([
      expect.objectContaining({ userName: accountId, active: true, groups: ['hms-guest-email'], passwordSet: true }),
    ]);

    // The evening before T-7: nothing yet.
    await sys.advanceTo('2027-02-07T20:00:00Z');
    expect(expiryNotices(await sys.mail())).toHaveLength(0);

    // Day by day from T-7 (8 Feb) through the end date: one notice a day, to the sponsor, naming the day and the end date.
    const days = ['2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12', '2027-02-13', '2027-02-14', '2027-02-15'];
    for (const [i, day] of days.entries()) {
      await sys.advance('P1D'); // 20:00 UTC, i.e. after 09:00 in Boston that day
      const notices = expiryNotices(await sys.mail());
      expect(notices, `after ${day}`).toHaveLength(i + 1);
      const today = notices[i]!;
      expect(today.destination.to).toEqual([SPONSOR.email]);
      expect(today.subject).toContain(`expires on ${END_DATE}`);
      expect(today.subject).toContain(accountId);
      expect(noticeOf(today)).toBe(day);
    }
    expect((await sys.guest(SPONSOR.huid, guestId)).status).toBe('ACTIVE');

    // Just before the end of the end date in Boston (midnight EST = 05:00 UTC): still active.
    await sys.advanceTo('2027-02-16T04:59:00Z');
    expect((await sys.guest(SPONSOR.huid, guestId)).status).toBe('ACTIVE');
    await sys.advanceTo('2027-02-16T05:00:01Z');
    guest = await sys.guest(SPONSOR.huid, guestId);
    expect(guest.status).toBe('EXPIRED');
    expect(guest.expiredAt).toBeTruthy();
    expect((guest.entitlements as { granted: boolean }[]).every((e) => !e.granted)).toBe(true);
    const expired = (await sys.mail()).filter((m) => m.subject.includes(' expired on '));
    expect(expired.map((m) => m.destination.to).sort()).toEqual([[GUEST.email], [SPONSOR.email]].sort());
    // Disabled in the directory, in no group.
    expect((await sys.directory()).users.find((u) => u.userName === accountId)).toMatchObject({ active: false, groups: [] });

    // Enabled by hand in the directory days later: the next reconciler run (06:00 New York) disables it again, audited.
    await sys.advanceTo('2027-02-17T15:00:00Z');
    await sys.setActiveByHand(accountId, true);
    expect((await sys.directory()).users.find((u) => u.userName === accountId)).toMatchObject({ active: true });
    await sys.advanceTo('2027-02-18T12:00:00Z');
    expect((await sys.directory()).users.find((u) => u.userName === accountId)).toMatchObject({ active: false, groups: [] });
    const repairs = await sys.as<{ items: { actor: string; action: string; detail: { repaired?: string[] } | null }[] }>(SPONSOR.huid, 'GET', `/v1/guests/${guestId}/history`);
    expect(repairs.body.items.filter((e) => e.action === 'account-repaired')).toEqual([expect.objectContaining({ actor: 'reconciler', detail: { repaired: ['active: false'] } })]);

    // A restore within 30 days: active again, with its group back and the new end date.
    const restored = await sys.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}/extension`, { endDate: '2027-04-30' });
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    await sys.settle();
    expect((await sys.guest(SPONSOR.huid, guestId)).status).toBe('ACTIVE');
    expect((await sys.directory()).users.find((u) => u.userName === accountId)).toMatchObject({ active: true, groups: ['hms-guest-email'], endDate: '2027-04-30' });

    // No notice for the old end date after the expiry.
    expect(expiryNotices(await sys.mail()).filter((m) => m.subject.includes(`expires on ${END_DATE}`))).toHaveLength(days.length);

    // The history lists every change, in order, with who made it.
    const history = await sys.as<{ items: { seq: number; action: string; actor: string; at: string }[] }>(SPONSOR.huid, 'GET', `/v1/guests/${guestId}/history`);
    expect(history.status).toBe(200);
    const items = history.body.items;
    const actions = items.map((e) => e.action);
    expect(actions[0]).toBe('requested');
    expect(items[0]!.actor).toBe(SPONSOR.huid);
    for (const action of ['provisioned', 'activation-sent', 'activated', 'expired', 'account-repaired', 'restored']) expect(actions, action).toContain(action);
    expect(actions.filter((a) => a === 'expiry-notice-sent')).toHaveLength(days.length);
    expect(actions.indexOf('activated')).toBeLessThan(actions.indexOf('expiry-notice-sent'));
    expect(actions.lastIndexOf('expiry-notice-sent')).toBeLessThan(actions.indexOf('expired'));
    expect(items.find((e) => e.action === 'activated')!.actor).toBe(GUEST.huid);
    expect(items.map((e) => e.seq)).toEqual([...items.map((e) => e.seq)].sort((a, b) => a - b));

    // No email of the whole lifecycle shows an instant or a service as the system stores it.
    for (const m of await sys.mail()) {
      expect(`${m.body.text ?? ''}${m.body.html ?? ''}`, m.subject).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
      expect(m.body.text ?? '', m.subject).not.toMatch(/Entitlements:|Services granted: [a-z]/);
    }
  });

  it('an extension during the notice days stops the notices; they restart 7 days before the new end date', async () => {
    const sys = await systems.start({ clock: START });
    const guestId = await request(sys, SPONSOR.huid, { guestHuid: GUEST.huid, population: 'visiting-faculty', endDate: END_DATE });

    await sys.advanceTo('2027-02-10T20:00:00Z'); // notices of 8, 9 and 10 Feb
    expect(expiryNotices(await sys.mail()).map(noticeOf)).toEqual(['2027-02-08', '2027-02-09', '2027-02-10']);

    const extended = await sys.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}/extension`, { endDate: '2027-04-30' });
    expect(extended.status, JSON.stringify(extended.body)).toBe(200);
    expect(extended.body.endDate).toBe('2027-04-30');

    // Past the old end date and up to the evening before the new T-7 (23 April): no notice, not expired.
    await sys.advanceTo('2027-02-16T06:00:00Z');
    expect((await sys.guest(SPONSOR.huid, guestId)).status).toBe('PENDING_ACTIVATION');
    await sys.advanceTo('2027-04-22T20:00:00Z');
    expect(expiryNotices(await sys.mail())).toHaveLength(3);
    expect((await sys.mail()).filter((m) => m.subject.includes(' expired on '))).toHaveLength(0);

    // From 23 April (09:00 EDT = 13:00 UTC) a notice a day naming the new date, through 30 April, then expiry.
    await sys.advanceTo('2027-04-23T13:00:00Z');
    let notices = expiryNotices(await sys.mail());
    expect(notices).toHaveLength(4);
    expect(notices[3]!.subject).toContain('expires on 2027-04-30');
    expect(noticeOf(notices[3]!)).toBe('2027-04-23');
    await sys.advanceTo('2027-05-01T03:59:00Z'); // 23:59 EDT on 30 April
    notices = expiryNotices(await sys.mail());
    expect(notices.slice(3).map(noticeOf)).toEqual(['2027-04-23', '2027-04-24', '2027-04-25', '2027-04-26', '2027-04-27', '2027-04-28', '2027-04-29', '2027-04-30']);
    expect((await sys.guest(SPONSOR.huid, guestId)).status).toBe('PENDING_ACTIVATION');
    await sys.advanceTo('2027-05-01T04:00:01Z');
    expect((await sys.guest(SPONSOR.huid, guestId)).status).toBe('EXPIRED');
    expect((await sys.mail()).filter((m) => m.subject.includes(' expired on 2027-04-30'))).toHaveLength(2);
  });
});
