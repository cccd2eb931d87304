/**
 * End to end: the local system killed with SIGKILL (no shutdown code runs) and started again on the
 * same data directory, without --clock: the clock, the executions, the table and the mailbox all
 * come back, and the lifecycle carries on — every notice exactly once, expiry once.
 */
import { afterEach, expect, it } from 'vitest';
import { GUEST, SPONSOR, Systems, type LocalCli } from '../support/cli.ts';
import { noticeOf, PASSWORD } from '../support/sample.ts';

const START = '2027-01-04T14:00:00.000Z';
const END_DATE = '2027-02-15';
const NOTICE_DAYS = ['2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12', '2027-02-13', '2027-02-14', '2027-02-15'];

const systems = new Systems();
afterEach(() => systems.killAll());

/** Expiry notices per notice date. */
async function noticesPerDate(sys: LocalCli): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const m of (await sys.mail()).filter((m) => m.subject.includes(' expires on '))) {
    const day = noticeOf(m) ?? 'unknown';
    counts[day] = (counts[day] ?? 0) + 1;
  }
  return counts;
}

async function killAndCheckGone(sys: LocalCli) {
  await sys.kill();
  expect(sys.child.signalCode).toBe('SIGKILL');
  // Nothing of the killed system is left answering on its port.
  await expect(fetch(`${sys.apiUrl}/_local/clock`)).rejects.toThrow();
}

it('killed with SIGKILL while a guest waits, and again in the middle of the notice days: each notice once, expiry once', async () => {
  const dataDir = systems.dir();

  // Run 1: the request and the activation; the guest waits for its first notice. Killed.
  let sys = await systems.start({ dataDir, clock: START });
  const res = await sys.as(SPONSOR.huid, 'POST', '/v1/guests', { guestHuid: GUEST.huid, population: 'visiting-faculty', endDate: END_DATE });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const guestId = String(res.body.guestId);
  await sys.settle();
  // The guest activates (activation codes do not live for weeks).
  const activation = (await sys.mailTo(GUEST.email))[0]!.body.text!;
  const activated = await sys.raw('POST', '/v1/activate', {
    accountId: /HMS account ID: (\S+)/.exec(activation)![1],
    code: /Activation code: ([A-Z0-9-]+)/.exec(activation)![1],
    password: PASSWORD,
  });
  expect(activated.status, JSON.stringify(activated.body)).toBe(200);
  await sys.advanceTo('2027-02-01T12:00:00Z');
  expect((await sys.guest(SPONSOR.huid, guestId)).status).toBe('ACTIVE');
  expect((await sys.executionsOf(guestId))[0]).toMatchObject({ status: 'RUNNING', currentState: 'WaitUntilDue' });
  const mailBefore = await sys.mail();
  expect(mailBefore.map((m) => m.subject)).toEqual(['Activate your HMS account', expect.stringContaining('Activate your HMS account')]);
  await killAndCheckGone(sys);

  // Run 2, no --clock: the frozen clock comes back where it was; the execution resumes in its Wait.
  sys = await systems.start({ dataDir });
  expect(await sys.now()).toEqual({ now: '2027-02-01T12:00:00.000Z', frozen: true });
  expect((await sys.mail()).map((m) => m.messageId)).toEqual(mailBefore.map((m) => m.messageId));
  expect((await sys.executionsOf(guestId))[0]).toMatchObject({ status: 'RUNNING', currentState: 'WaitUntilDue' });
  expect((await sys.guest(SPONSOR.huid, guestId)).status).toBe('ACTIVE');

  // Into the notice days: 8, 9 and 10 February. Killed in the middle.
  await sys.advanceTo('2027-02-10T20:00:00Z');
  expect(await noticesPerDate(sys)).toEqual({ '2027-02-08': 1, '2027-02-09': 1, '2027-02-10': 1 });
  await killAndCheckGone(sys);

  // Run 3: nothing sent again on resuming; the rest of the notices day by day, then expiry.
  sys = await systems.start({ dataDir });
  expect((await sys.now()).now).toBe('2027-02-10T20:00:00.000Z');
  await sys.settle();
  expect(await noticesPerDate(sys)).toEqual({ '2027-02-08': 1, '2027-02-09': 1, '2027-02-10': 1 });
  for (let day = 0; day < 5; day++) await sys.advance('P1D');
  await sys.advanceTo('2027-02-16T06:00:00Z');
  expect(await noticesPerDate(sys)).toEqual(Object.fromEntries(NOTICE_DAYS.map((d) => [d, 1])));

  const guest = await sys.guest(SPONSOR.huid, guestId);
  expect(guest.status).toBe('EXPIRED');
  const expired = (await sys.mail()).filter((m) => m.subject.includes(' expired on '));
  expect(expired.map((m) => m.destination.to[0]).sort()).toEqual([GUEST.email, SPONSOR.email].sort());
  const actions = (await sys.as<{ items: { action: string }[] }>(SPONSOR.huid, 'GET', `/v1/guests/${guestId}/history`)).body.items.map((e) => e.action);
  expect(actions.filter((a) => a === 'expired')).toHaveLength(1);
  expect(actions.filter((a) => a === 'expiry-notice-sent')).toHaveLength(NOTICE_DAYS.length);
  expect(actions.filter((a) => a === 'activated')).toHaveLength(1);

  // A while later: still once each (the schedule ends with the restore window, not with duplicates).
  await sys.advance('P3D');
  expect((await sys.mail()).filter((m) => m.subject.includes(' expired on '))).toHaveLength(2);
  expect(Object.values(await noticesPerDate(sys)).every((n) => n === 1)).toBe(true);
  // One execution throughout (no reconciler restart was needed), still running the restore window.
  const execs = await sys.executionsOf(guestId);
  expect(execs.map((e) => e.status)).toEqual(['RUNNING']);
});
