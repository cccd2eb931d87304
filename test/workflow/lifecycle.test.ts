/**
 * Workflow tests: the state machine CDK synthesizes, executed by aws-local-stepfunctions (through the
 * local Step Functions service) with the deployed task handler, on a clock the test moves.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDBClient, DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDirectory } from '../../shared/adapters/directories.ts';
import { TestSystem, SPONSOR, DELEGATE, GUEST } from '../support/local-system.ts';
import { PASSWORD } from '../support/sample.ts';

// Monday 4 January 2027, 09:00 in Boston (EST).
const START = '2027-01-04T14:00:00.000Z';
const END_DATE = '2027-02-15';

let t: TestSystem;
beforeEach(async () => {
  t = await TestSystem.start({ clock: START });
});
afterEach(async () => {
  await t.stop();
});

const settle = () => t.advance('PT0S');

async function requestAsSponsor(guestHuid = GUEST.huid, endDate = END_DATE) {
  const res = await t.as(SPONSOR.huid, 'POST', '/v1/guests', { guestHuid, population: 'visiting-faculty', endDate, services: ['email', 'o2'] });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await settle();
  return String(res.body.guestId);
}

async function requestAsDelegate(guestHuid = GUEST.huid) {
  const res = await t.as(DELEGATE.huid, 'POST', '/v1/guests', { guestHuid, population: 'agency-temp', endDate: END_DATE, sponsorHuid: SPONSOR.huid });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await settle();
  return String(res.body.guestId);
}

async function execution(guestId: string) {
  const all = await t.executions();
  return all.filter((e) => e.name.startsWith(guestId)).sort((a, b) => b.name.localeCompare(a.name))[0]!;
}

function directory() {
  return new DynamoDirectory(new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB }), process.env.DIRECTORY_TABLE!);
}

describe('guest lifecycle state machine', () => {
  it('happy path: request by the sponsor, activation email, notices from T-7 daily, expiry, restore window closes', async () => {
    // Prepare / Act: the sponsor's own request is approved by that act
    const guestId = await requestAsSponsor();

    // Assess: provisioned, activation email to the guest and a redacted copy to the sponsor
    let guest = await t.guest(SPONSOR.huid, guestId);
    expect(guest.status).toBe('PENDING_ACTIVATION');
    expect(guest.accountId).toMatch(/^[a-z]{1,3}\d{3}$/);
    const [activation] = await t.mailTo(GUEST.email);
    expect(activation?.subject).toBe('Activate your HMS account');
    expect(activation?.body.text).toContain(`HMS account ID: ${String(guest.accountId)}`);
    const code = /Activation code: ([A-Z0-9-]+)/.exec(activation!.body.text!)![1]!;
    const copy = (await t.mailTo(SPONSOR.email)).find((m) => m.subject.includes('Activate your HMS account'))!;
    expect(copy.body.text).not.toContain(code);
    expect(copy.body.text).toContain('[redacted');
    expect((await execution(guestId)).currentState).toBe('WaitUntilDue');

    // The account exists in the directory before the email: disabled, with its groups
    const granted = (guest.entitlements as { name: string; granted: boolean }[]).filter((e) => e.granted).map((e) => `hms-guest-${e.name}`).sort();
    expect((await t.directory()).users.find((u) => u.userName === guest.accountId)).toMatchObject({ active: false, groups: granted, externalId: guestId, endDate: END_DATE });

    // Act: the guest activates, choosing a password
    const activated = await t.raw('POST', '/v1/activate', { accountId: guest.accountId, code, password: PASSWORD });
    expect(activated.status).toBe(200);
    // Assess: the directory user is active with exactly the granted groups, its password set
    expect((await t.directory()).users.find((u) => u.userName === guest.accountId)).toMatchObject({ active: true, groups: granted, passwordSet: true });

    // Act: the day before T-7 nothing is sent; from T-7 one notice a day through the end date
    await t.advanceTo('2027-02-07T20:00:00Z');
    expect((await t.mailTo(SPONSOR.email)).filter((m) => m.subject.includes('expires'))).toHaveLength(0);
    for (let day = 0; day < 8; day++) await t.advance('P1D');
    const notices = (await t.mailTo(SPONSOR.email)).filter((m) => m.subject.includes('expires'));
    expect(notices.map((m) => m.subject.includes(END_DATE))).toEqual(Array(8).fill(true));

    // Act: past the end of the end date (midnight in Boston)
    await t.advanceTo('2027-02-16T05:00:01Z');
    guest = await t.guest(SPONSOR.huid, guestId);
    expect(guest.status).toBe('EXPIRED');
    expect((guest.entitlements as { granted: boolean }[]).every((e) => !e.granted)).toBe(true);
    const expired = (await t.mail()).filter((m) => m.subject.includes('expired'));
    expect(expired.map((m) => m.destination.to)).toEqual([[SPONSOR.email], [GUEST.email]]);
    // The directory user is disabled and in no group
    expect((await t.directory()).users.find((u) => u.userName === guest.accountId)).toMatchObject({ active: false, groups: [] });

    // Act: the 30-day restore window closes: the execution ends
    await t.advance('P31D');
    expect((await execution(guestId)).status).toBe('SUCCEEDED');
    expect((await t.mailTo(SPONSOR.email)).filter((m) => m.subject.includes('expires'))).toHaveLength(8);
  });

  it('a delegate request denied by the sponsor ends the lifecycle; a second decision is a conflict', async () => {
    const guestId = await requestAsDelegate();
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('PENDING_APPROVAL');
    expect((await t.mailTo(SPONSOR.email)).map((m) => m.subject)).toEqual([expect.stringMatching(/^Approve HMS guest account/)]);
    expect((await execution(guestId)).currentState).toBe('RequestApproval');

    const denied = await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}/decision`, { decision: 'deny', reason: 'Not needed' });
    expect(denied.status).toBe(200);
    await settle();

    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('DENIED');
    expect((await t.mailTo(DELEGATE.email)).map((m) => m.subject)).toEqual([expect.stringContaining('was denied')]);
    expect((await execution(guestId)).status).toBe('SUCCEEDED');
    const again = await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}/decision`, { decision: 'approve' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toBe('application/problem+json');
  });

  it('a delegate request approved by the sponsor is provisioned', async () => {
    const guestId = await requestAsDelegate();
    const approved = await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}/decision`, { decision: 'approve' });
    expect(approved.status).toBe(200);
    await settle();
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('PENDING_ACTIVATION');
    expect((await t.mailTo(GUEST.email)).map((m) => m.subject)).toEqual(['Activate your HMS account']);
    expect((await execution(guestId)).currentState).toBe('WaitUntilDue');
  });

  it('no decision: a reminder after 7 days, APPROVAL_EXPIRED after 14 and the requester is told', async () => {
    const guestId = await requestAsDelegate();
    await t.advance('P7D');
    expect((await t.mailTo(SPONSOR.email)).map((m) => m.subject)).toEqual([
      expect.stringMatching(/^Approve HMS/),
      expect.stringMatching(/^Reminder: Approve HMS/),
    ]);
    expect((await execution(guestId)).currentState).toBe('RemindApproval');
    await t.advance('P7D');
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('APPROVAL_EXPIRED');
    expect((await t.mailTo(DELEGATE.email)).map((m) => m.subject)).toEqual([expect.stringContaining('expired without a decision')]);
    expect((await execution(guestId)).status).toBe('SUCCEEDED');
    const late = await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}/decision`, { decision: 'approve' });
    expect(late.status).toBe(409);
  });

  it('HSR missing, then appearing: waits in PENDING_HSR, re-checked daily, then proceeds', async () => {
    const guestId = await requestAsSponsor('20000009');
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('PENDING_HSR');
    expect((await execution(guestId)).currentState).toBe('WaitForHsr');
    await t.advance('P1D');
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('PENDING_HSR');

    await directory().load({ people: [], hsr: [{ huid: '20000009', firstName: 'Nia', lastName: 'New', personalEmail: 'nia.new@example.org', status: 'active', endDate: '2030-01-01' }] });
    await t.advance('P1D');

    const guest = await t.guest(SPONSOR.huid, guestId);
    expect(guest.status).toBe('PENDING_ACTIVATION');
    expect(guest.guestName).toBe('Nia New');
    expect((await t.mailTo('nia.new@example.org')).map((m) => m.subject)).toEqual(['Activate your HMS account']);
  });

  it('HSR never appears: HSR_TIMEOUT after 14 days and the requester is told', async () => {
    const guestId = await requestAsSponsor('20000009');
    await t.advance('P13D');
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('PENDING_HSR');
    await t.advance('P1D');
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('HSR_TIMEOUT');
    expect((await t.mailTo(SPONSOR.email)).map((m) => m.subject)).toEqual([expect.stringContaining('no Harvard Sponsored Role')]);
    expect((await execution(guestId)).status).toBe('SUCCEEDED');
  });

  it('an extension during the notice days stops the notices; they start again 7 days before the new date', async () => {
    const guestId = await requestAsSponsor();
    await t.advanceTo('2027-02-10T15:00:00Z'); // notices for 8, 9, 10 Feb
    const expiryNotices = async () => (await t.mailTo(SPONSOR.email)).filter((m) => m.subject.includes('expires'));
    expect(await expiryNotices()).toHaveLength(3);

    const extended = await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}/extension`, { endDate: '2027-04-30' });
    expect(extended.status, JSON.stringify(extended.body)).toBe(200);
    await t.advanceTo('2027-04-22T20:00:00Z'); // past the old end date, the day before the new T-7
    expect(await expiryNotices()).toHaveLength(3);
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('PENDING_ACTIVATION');

    await t.advanceTo('2027-04-23T14:00:00Z'); // 09:00 EDT on the new T-7
    const after = await expiryNotices();
    expect(after).toHaveLength(4);
    expect(after[3]!.subject).toContain('2027-04-30');
  });

  it('an expired account restored within 30 days gets its notices and expiry again', async () => {
    const guestId = await requestAsSponsor(GUEST.huid, '2027-01-10');
    await t.advanceTo('2027-01-11T06:00:00Z');
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('EXPIRED');

    const restored = await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}/extension`, { endDate: '2027-01-25' });
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    await settle();
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('PENDING_ACTIVATION');

    await t.advanceTo('2027-01-26T06:00:00Z');
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('EXPIRED');
    const subjects = (await t.mailTo(SPONSOR.email)).map((m) => m.subject);
    expect(subjects.filter((s) => s.includes('expires on 2027-01-25'))).toHaveLength(8);
    expect(subjects.filter((s) => s.includes('expired'))).toHaveLength(2); // once per expiry
  });

  it('a task that keeps failing reaches the failure path: recorded on the guest, execution failed', async () => {
    const guestId = await requestAsDelegate();
    // The HSR record disappears before provisioning: the Provision task fails every retry.
    await new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB }).send(
      new DeleteItemCommand({ TableName: process.env.DIRECTORY_TABLE!, Key: { pk: { S: `HSR#${GUEST.huid}` } } }),
    );
    await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}/decision`, { decision: 'approve' });
    await settle();

    const exec = await execution(guestId);
    expect(exec.status).toBe('FAILED');
    expect(exec.error).toBe('GuestLifecycleFailed');
    const guest = await t.guest(SPONSOR.huid, guestId);
    expect(guest.failure).toMatchObject({ error: 'Error', count: 1 });
    expect(String((guest.failure as { cause: string }).cause)).toContain('No HSR record');
  });
});
