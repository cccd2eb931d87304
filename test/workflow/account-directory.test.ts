/**
 * The HMS account in the account directory (the embedded SCIM server), driven by the synthesized
 * state machine, the API and the reconciler on the local clock: a restore gives the account back
 * with its groups; a user enabled by hand after expiry is disabled again by the next reconciler
 * run, audited; a directory down for a day (the SCIM fault proxy) loses nothing and fails no
 * lifecycle — when it is back, every owed change is done, once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultInjector } from '../../local/faults.ts';
import { startLocalSystem } from '../../local/system.ts';
import { TestSystem, SPONSOR, GUEST, type DirectoryView } from '../support/local-system.ts';
import { PASSWORD } from '../support/sample.ts';

// Monday 4 January 2027, 09:00 in Boston (EST).
const START = '2027-01-04T14:00:00.000Z';

let t: TestSystem | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

async function request(sys: TestSystem, guestHuid: string, endDate: string): Promise<string> {
  const res = await sys.as(SPONSOR.huid, 'POST', '/v1/guests', { guestHuid, population: 'visiting-faculty', endDate });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await sys.advance('PT0S');
  return String(res.body.guestId);
}

async function activationOf(sys: TestSystem, guestId: string): Promise<{ accountId: string; code: string }> {
  const guest = await sys.guest(SPONSOR.huid, guestId);
  const accountId = String(guest.accountId);
  const mail = (await sys.mail()).filter((m) => m.subject === 'Activate your HMS account' && m.body.text?.includes(`HMS account ID: ${accountId}`)).at(-1)!;
  return { accountId, code: /Activation code: ([A-Z0-9-]+)/.exec(mail.body.text!)![1]! };
}

async function activate(sys: TestSystem, guestId: string): Promise<string> {
  const { accountId, code } = await activationOf(sys, guestId);
  const res = await sys.raw('POST', '/v1/activate', { accountId, code, password: PASSWORD });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return accountId;
}

const userOf = (d: DirectoryView, userName: string) => d.users.find((u) => u.userName === userName);
const GRANTED = ['hms-guest-email', 'hms-guest-portal', 'hms-guest-wireless'];

describe('the directory account through the lifecycle', () => {
  it('expiry disables it and takes its groups; a restore within 30 days gives both back, with the new end date', async () => {
    // Prepare
    t = await TestSystem.start({ clock: START });
    const guestId = await request(t, GUEST.huid, '2027-01-10');
    const accountId = await activate(t, guestId);
    expect(userOf(await t.directory(), accountId)).toMatchObject({ active: true, groups: GRANTED, passwordSet: true });

    // Act: past the end date
    await t.advanceTo('2027-01-11T06:00:00Z');
    const expired = userOf(await t.directory(), accountId);
    const restored = await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}/extension`, { endDate: '2027-03-31' });
    await t.advance('PT0S');

    // Assess
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('ACTIVE');
    expect(expired).toMatchObject({ active: false, groups: [] });
    expect(restored.status).toBe(200);
    expect(userOf(await t.directory(), accountId)).toMatchObject({ active: true, groups: GRANTED, endDate: '2027-03-31' });
  });

  it('a user enabled by hand after expiry is disabled again by the next reconciler run, with an audit event', async () => {
    // Prepare: expired, then enabled (and put in a group) by hand in the directory
    t = await TestSystem.start({ clock: START });
    const guestId = await request(t, GUEST.huid, '2027-01-10');
    const accountId = await activate(t, guestId);
    await t.advanceTo('2027-01-20T15:00:00Z');
    const found = await t.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${accountId}"`)}`);
    const id = (found.body.Resources as { id: string }[])[0]!.id;
    const byHand = await t.scim('PATCH', `/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: true }] });
    expect(byHand.status).toBe(200);
    expect(userOf(await t.directory(), accountId)).toMatchObject({ active: true });

    // Act: the next morning's reconciler run (06:00 New York)
    await t.advanceTo('2027-01-21T12:00:00Z');

    // Assess
    expect(userOf(await t.directory(), accountId)).toMatchObject({ active: false, groups: [] });
    const history = (await t.as(SPONSOR.huid, 'GET', `/v1/guests/${guestId}/history`)).body as { items: { actor: string; action: string; detail: { repaired?: string[] } | null }[] };
    expect(history.items.filter((e) => e.action === 'account-repaired')).toEqual([expect.objectContaining({ actor: 'reconciler', detail: { repaired: ['active: false'] } })]);
  });

  it('a directory down for a day loses nothing and fails no lifecycle: when it is back, every owed change is done once', async () => {
    // Prepare: the system behind the SCIM fault proxy; A (ends 2027-01-06) and C active, before the outage
    const dataDir = mkdtempSync(join(tmpdir(), 'hms-guests-'));
    const faults = new FaultInjector(7);
    t = new TestSystem(await startLocalSystem({ apiPort: 0, mailPort: 0, scimPort: 0, dataDir, clock: START, faults }), dataDir);
    const a = await request(t, '20000002', '2027-01-06');
    const c = await request(t, '20000006', '2027-06-30');
    const accountA = await activate(t, a);
    const accountC = await activate(t, c);
    await t.advanceTo('2027-01-06T17:00:00Z');

    // Act: the directory goes down for a day and a half: B is requested (its account is owed), C is
    // cancelled (its disabling is owed), A expires (its disabling and its "expired" emails are owed)
    faults.set([{ service: 'scim', error: 'ServiceUnavailable', label: 'outage' }]);
    const b = await request(t, '20000010', '2027-06-30');
    expect((await t.as(SPONSOR.huid, 'POST', `/v1/guests/${c}/cancel`)).status).toBe(200);
    await t.advanceTo('2027-01-07T12:00:00Z'); // A's expiry at midnight, the reconciler at 06:00
    const during = { a: await t.guest(SPONSOR.huid, a), b: await t.guest(SPONSOR.huid, b), directory: await t.directory() };
    const mailDuring = await t.mail();
    await t.advanceTo('2027-01-08T05:00:00Z');
    expect(faults.count({ label: 'outage' })).toBeGreaterThan(0);
    faults.clear();
    await t.advanceTo('2027-01-08T12:00:00Z'); // the next reconciler run, the directory back

    // Assess: during the outage, nothing downstream of the directory ran, and nothing FAILED
    expect(during.a).toMatchObject({ status: 'EXPIRED', failure: { kind: 'transient', error: 'DirectoryUnavailableError' } });
    expect(during.b).toMatchObject({ status: 'PENDING_APPROVAL', failure: { kind: 'transient', count: 0 } });
    expect(userOf(during.directory, accountA)).toMatchObject({ active: true });
    expect(userOf(during.directory, accountC)).toMatchObject({ active: true });
    expect(mailDuring.filter((m) => m.subject === 'Activate your HMS account')).toHaveLength(2);
    expect(mailDuring.filter((m) => /expired/.test(m.subject))).toHaveLength(0);

    // Assess: afterwards, every owed change done
    const guests = { a: await t.guest(SPONSOR.huid, a), b: await t.guest(SPONSOR.huid, b), c: await t.guest(SPONSOR.huid, c) };
    expect(guests.a).toMatchObject({ status: 'EXPIRED', failure: null });
    expect(guests.b).toMatchObject({ status: 'PENDING_ACTIVATION', failure: null });
    expect(guests.c).toMatchObject({ status: 'CANCELLED', nextActionAt: null });
    const directory = await t.directory();
    const accountB = String(guests.b.accountId);
    expect(userOf(directory, accountA)).toMatchObject({ active: false, groups: [] });
    expect(userOf(directory, accountB)).toMatchObject({ active: false, groups: GRANTED, externalId: b });
    expect(userOf(directory, accountC)).toMatchObject({ active: false, groups: [] });
    // ...once: one user made for B, each account disabled once, each group left once; each email once
    const events = (userName: string, op: string) => directory.events.filter((e) => e.userName === userName && e.op === op);
    expect(events(accountB, 'user-created')).toHaveLength(1);
    for (const account of [accountA, accountC]) {
      expect(events(account, 'user-updated').filter((e) => e.changes?.includes('active: false')), account).toHaveLength(1);
      expect(events(account, 'member-removed').map((e) => e.group).sort(), account).toEqual(GRANTED);
    }
    const mail = await t.mail();
    expect(mail.filter((m) => m.subject === 'Activate your HMS account')).toHaveLength(3);
    expect(mail.filter((m) => /expired/.test(m.subject)).map((m) => m.destination.to)).toEqual([[SPONSOR.email], ['tom.temp@example.org']]);
    // No execution failed for the outage: those the directory stopped ended waiting for it
    const executions = (await t.executions()).filter((e) => [a, b].some((id) => e.name.startsWith(id)));
    expect(executions.filter((e) => e.status === 'FAILED')).toEqual([]);
    expect(executions.filter((e) => e.status === 'SUCCEEDED').length).toBeGreaterThan(0);
    // The repairs the reconciler made are audited
    const historyC = (await t.as(SPONSOR.huid, 'GET', `/v1/guests/${c}/history`)).body as { items: { actor: string; action: string }[] };
    expect(historyC.items.filter((e) => e.action === 'account-repaired')).toEqual([expect.objectContaining({ actor: 'reconciler' })]);
  }, 240_000);
});
