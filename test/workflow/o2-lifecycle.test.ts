/**
 * Workflow tests of the O2 lifecycle (issue 14): the state machine CDK synthesizes, executed by the
 * local Step Functions service (aws-local-stepfunctions plus task tokens, Waits and callback
 * timeouts on the local clock), its tasks run by runO2Task on in-memory ports; what the API does
 * (the PI's decision, the lab's registration, the RC Core's completion) is done the way the use
 * cases do it: the record changed, then the waiting step woken (wakeO2).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalClock } from '../../local/clock.ts';
import { LocalStepFunctions, type ExecutionRecord } from '../../local/sfn/service.ts';
import { stateMachinesFromTemplate } from '../../local/state-machines.ts';
import { localNames, type CfnTemplate } from '../../local/template.ts';
import { setUpO2 } from '../../shared/o2/app/login.ts';
import { changeLab, changeO2 } from '../../shared/o2/app/changes.ts';
import { O2_DECISION, O2_WAKE, type O2TaskPayload } from '../../shared/o2/app/contract.ts';
import { guestMovedForO2, wakeO2 } from '../../shared/o2/app/hms-account.ts';
import { runO2Task } from '../../shared/o2/app/tasks.ts';
import { createO2Account } from '../../shared/o2/app/request.ts';
import { reconcile } from '../../shared/app/reconcile.ts';
import type { Guest } from '../../shared/guest/domain/model.ts';
import type { HsrRecord, Person } from '../../shared/core/domain/people.ts';
import type { Institution, Lab, O2Account } from '../../shared/o2/domain/model.ts';
import { quadStanding, RC_CORE_CONTACT } from '../../shared/o2/domain/rules.ts';
import type { ExecutionDetail, ExecutionStatus, LifecycleWorkflow } from '../../shared/core/ports.ts';
import { memoryWorld, type MemoryWorld } from '../support/memory.ts';
import { STACK_NAME, template } from '../cdk/synth.ts';

// Monday 4 January 2027, 09:00 in Boston (EST).
const START = '2027-01-04T14:00:00.000Z';
const DAY = 86_400_000;
const O2_STATE_MACHINE = `${STACK_NAME}-O2Lifecycle`;

const PI_QUAD: Person = { huid: '30000001', name: 'Paula Quad', email: 'paula.quad@hms.harvard.edu', role: 'faculty', school: 'HMS', site: 'Quad', active: true, appointments: [{ department: 'Genetics', quad: true, kind: 'primary' }] };
const PI_MGH: Person = { huid: '30000002', name: 'Otto Offquad', email: 'otto.offquad@mgh.harvard.edu', role: 'faculty', school: 'HMS', site: 'MGH', active: true, appointments: [{ department: 'Medicine (MGH)', quad: false, kind: 'primary' }] };
/** A student with an HMS account of their own, for a year. */
const USER: Person = { huid: '30000003', name: 'Uma User', email: 'uma.user@hms.harvard.edu', role: 'student', school: 'HMS', site: 'Quad', active: true, hmsAccountId: 'uus100', endDate: '2028-01-03' };
const OFFSITE: Person = { huid: '30000004', name: 'Oli Offsite', email: 'oli.offsite@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'MGH', active: true, hmsAccountId: 'ool100', endDate: '2027-12-31' };
/** A Harvard ID (an HSR) and no HMS account: the chained HMS guest account comes first. */
const NEWCOMER: HsrRecord = { huid: '30000005', firstName: 'Nell', lastName: 'Newcomer', personalEmail: 'nell.newcomer@example.org', status: 'active', endDate: '2030-12-31' };

/** The O2 state machine of the synthesized stack, its definition resolved to local ARNs. */
const machine = (() => {
  const json = template.toJSON() as CfnTemplate;
  const found = stateMachinesFromTemplate(json, localNames(json, STACK_NAME)).find((m) => m.name === O2_STATE_MACHINE);
  if (!found) throw new Error(`No state machine ${O2_STATE_MACHINE} in the template`);
  return found;
})();

/** LifecycleWorkflow over the local Step Functions service (what StepFunctionsWorkflow is over the SDK). */
class LocalWorkflow implements LifecycleWorkflow {
  constructor(
    readonly sfn: LocalStepFunctions,
    readonly arn: string,
  ) {}
  private executionArn = (name: string) => this.sfn.executionArn(this.arn, name);
  async start(name: string, input: Record<string, unknown>): Promise<void> {
    this.sfn.startExecution({ stateMachineArn: this.arn, name, input: JSON.stringify(input) });
  }
  async describe(name: string): Promise<ExecutionStatus | undefined> {
    try {
      return this.sfn.describeExecution(this.executionArn(name)).status;
    } catch {
      return undefined;
    }
  }
  async execution(name: string): Promise<ExecutionDetail | undefined> {
    const status = await this.describe(name);
    if (!status) return undefined;
    const r = this.sfn.describeExecution(this.executionArn(name));
    return { name, status, startDate: r.startDate, stopDate: r.stopDate, error: r.error, cause: r.cause, events: [], eventsTruncated: false };
  }
  async stop(name: string, cause: string): Promise<void> {
    try {
      this.sfn.stopExecution(this.executionArn(name), 'Stopped', cause);
    } catch {
      // no such execution
    }
  }
  async resume(taskToken: string, output: Record<string, unknown>): Promise<boolean> {
    try {
      this.sfn.sendTaskSuccess(taskToken, JSON.stringify(output));
      return true;
    } catch {
      return false;
    }
  }
}

interface O2World extends MemoryWorld {
  sfn: LocalStepFunctions;
  localClock: LocalClock;
}

let opened: O2World[] = [];
afterEach(() => {
  for (const w of opened) {
    w.sfn.shutdown();
    w.localClock.dispose();
  }
  opened = [];
});

/** In-memory ports on the local clock, the O2 state machine in the local Step Functions service, the users in the account directory. */
async function world(): Promise<O2World> {
  const w = memoryWorld(START, { people: [PI_QUAD, PI_MGH, USER, OFFSITE], hsr: [NEWCOMER] });
  const localClock = new LocalClock(new Date(START));
  w.deps.clock = localClock;
  const sfn = new LocalStepFunctions({
    stateMachines: [{ arn: machine.arn, definition: machine.definition }],
    clock: localClock,
    // The task function: one JSON payload in, one JSON answer out.
    invoke: async (_fn, payload) => JSON.parse(JSON.stringify(await runO2Task(w.deps, payload as O2TaskPayload))) as unknown,
    retryIntervalMs: 0,
  });
  w.deps.o2Workflow = new LocalWorkflow(sfn, machine.arn);
  for (const [userName, person, endDate] of [
    ['uus100', USER.huid, USER.endDate!],
    ['ool100', OFFSITE.huid, OFFSITE.endDate!],
    ['nne100', NEWCOMER.huid, '2027-12-31'],
  ] as const) {
    await w.accounts.create({ userName, externalId: `person-${person}`, givenName: 'G', familyName: 'F', email: `${userName}@example.org`, active: true, endDate, population: 'staff', sponsorHuid: '' });
  }
  const out = { ...w, sfn, localClock };
  opened.push(out);
  return out;
}

async function newLab(w: O2World, labId: string, pi: Person, institution: Institution, registered = false): Promise<Lab> {
  const at = START;
  const quad = quadStanding(institution, pi);
  const lab: Lab = {
    labId,
    name: `${pi.name} Lab`,
    piHuid: pi.huid,
    institution,
    quad,
    registration: quad.onQuad
      ? { status: 'not-required' }
      : registered
        ? { status: 'registered', chargeback: { charged: false }, billingContact: { name: 'Bill Contact', email: 'bill@mgh.harvard.edu' }, by: '10000017', at }
        : { status: 'pending' },
    createdBy: pi.huid,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  await w.o2.createLab(lab);
  return lab;
}

/** Requests an O2 account as the use cases do; by the PI (approved by that act) or by the user. */
async function request(w: O2World, user: { huid: string; accountId?: string }, lab: Lab, by: 'pi' | 'user', extra: { guestId?: string } = {}): Promise<string> {
  const o2 = await createO2Account(w.deps, {
    userHuid: user.huid,
    piHuid: lab.piHuid,
    lab,
    requestedBy: by === 'pi' ? lab.piHuid : user.huid,
    approvedBySubmission: by === 'pi',
    hmsAccountActive: Boolean(user.accountId),
    accountId: user.accountId,
    ...extra,
  });
  await settle(w);
  return o2.o2AccountId;
}

const settle = (w: O2World) => w.localClock.advanceBy(0);
const o2Of = async (w: O2World, id: string): Promise<O2Account> => (await w.o2.get(id))!;
const executions = (w: O2World, id: string): ExecutionRecord[] =>
  w.sfn
    .listExecutions()
    .filter((e) => e.name.startsWith(`o2-${id}-`))
    .sort((a, b) => Number(a.name.split('-').pop()) - Number(b.name.split('-').pop()));
const latest = (w: O2World, id: string) => executions(w, id).at(-1)!;
const subjectsTo = (w: O2World, address: string) => w.mailer.sent.filter((m) => m.to.includes(address) || (m.cc ?? []).includes(address)).map((m) => m.subject);

/** The PI decides, as decideO2 does: the decision recorded, then the approval step woken. */
async function decide(w: O2World, id: string, decision: 'approve' | 'deny') {
  const o = await o2Of(w, id);
  const at = w.deps.clock.now().toISOString();
  await changeO2(w.deps, o, o.piHuid, decision === 'approve' ? 'approved' : 'denied', {
    approval: { decision, by: o.piHuid, at },
    ...(decision === 'deny' ? { status: 'DENIED' as const } : {}),
  });
  await wakeO2(w.deps, id, ['approval', 'approval-reminder'], { outcome: decision === 'approve' ? O2_DECISION.approved : O2_DECISION.denied }, o.piHuid);
  await settle(w);
}

/** RC Core staff register the lab, as registerLab does: the lab changed, every O2 account waiting for it woken. */
async function registerLab(w: O2World, labId: string) {
  const lab = (await w.o2.getLab(labId))!;
  await changeLab(w.deps, lab, '10000017', 'registered', {
    registration: { status: 'registered', chargeback: { charged: true, account: '123-456' }, billingContact: { name: 'Bill Contact', email: 'bill@mgh.harvard.edu' }, by: '10000017', at: w.deps.clock.now().toISOString() },
  });
  for (const o of (await w.o2.listByLab(labId, {})).items) if (o.waitingFor === 'lab-registration') await wakeO2(w.deps, o.o2AccountId, ['lab-registration'], { outcome: O2_WAKE.ready }, '10000017');
  await settle(w);
}

/** RC Core staff complete the account, as completeO2 does (setUpO2: directory, ACTIVE, the "active" email), then WaitForRcCore woken. */
async function complete(w: O2World, id: string) {
  const o = await o2Of(w, id);
  const at = w.deps.clock.now().toISOString();
  await setUpO2(w.deps, o, '10000017', 'complete', { accountId: o.accountId!, endDate: o.endDate }, { completion: { by: '10000017', at, unixUsername: o.accountId! }, dueAt: at });
  await wakeO2(w.deps, id, ['rc-core'], { outcome: O2_WAKE.ready }, '10000017');
  await settle(w);
}

describe('O2 lifecycle state machine (synthesized definition, local Step Functions, in-memory ports)', () => {
  it('on-Quad, requested by the user and approved by the PI: ACTIVE at once (o2 group + POSIX), notices to user and PI, EXPIRED with the HMS account (group removed); the transitions of the year', async () => {
    // Prepare
    const w = await world();
    const lab = await newLab(w, 'lab-quad', PI_QUAD, 'HMS');

    // Act: the user asks; the PI is asked to approve
    const id = await request(w, { huid: USER.huid, accountId: USER.hmsAccountId }, lab, 'user');

    // Assess
    expect(await o2Of(w, id)).toMatchObject({ status: 'PENDING_PI_APPROVAL', waitingFor: 'approval', accountId: 'uus100' });
    expect(latest(w, id).checkpoint?.state).toBe('RequestPiApproval');
    expect(subjectsTo(w, PI_QUAD.email)).toEqual(['Approve the O2 account of Uma User']);

    // Act: the PI approves
    await decide(w, id, 'approve');

    // Assess: active, with its login in the directory and the "active" email (PI in copy)
    let o = await o2Of(w, id);
    expect(o).toMatchObject({ status: 'ACTIVE', accountId: 'uus100', endDate: USER.endDate, posix: { homeDirectory: '/home/uus100' } });
    expect(o.posix!.uidNumber).toBeGreaterThanOrEqual(200_000);
    expect(o.taskToken).toBeUndefined();
    expect(w.accounts.user('uus100')).toMatchObject({ groups: ['o2'], posix: o.posix });
    expect(subjectsTo(w, USER.email)).toEqual(['Your O2 account is active']);
    expect(w.mailer.sent.find((m) => m.subject === 'Your O2 account is active')!.cc).toEqual([PI_QUAD.email]);
    expect(latest(w, id).checkpoint?.state).toBe('WaitUntilO2Due');

    // Act: to the day before the first notice (7 days before the end date, 09:00 New York)
    await w.localClock.advanceTo(new Date('2027-12-27T13:00:00Z'));
    expect(subjectsTo(w, USER.email).filter((s) => s.includes('expires'))).toEqual([]);
    await w.localClock.advanceTo(new Date('2028-01-03T15:00:00Z'));

    // Assess: the 7-day and 1-day notices, to the user with the PI in copy
    const notices = w.mailer.sent.filter((m) => m.subject.includes('expires on 2028-01-03'));
    expect(notices.map((m) => [m.to, m.cc])).toEqual([
      [[USER.email], [PI_QUAD.email]],
      [[USER.email], [PI_QUAD.email]],
    ]);
    expect((await o2Of(w, id)).lastNoticeDate).toBe('2028-01-02');

    // Act: past the end of the end date (midnight in Boston)
    await w.localClock.advanceTo(new Date('2028-01-05T12:00:00Z'));

    // Assess: expired with the HMS account; out of `o2`, no POSIX attributes; told once; every execution over
    o = await o2Of(w, id);
    expect(o).toMatchObject({ status: 'EXPIRED', posix: { homeDirectory: '/home/uus100' } });
    expect(o.dueAt).toBeUndefined();
    expect(w.accounts.user('uus100')).toMatchObject({ groups: [] });
    expect(w.accounts.user('uus100')!.posix).toBeUndefined();
    expect(subjectsTo(w, USER.email).filter((s) => s.includes('expired'))).toEqual(['O2 account uus100 of Uma User expired on 2028-01-03']);
    const all = executions(w, id);
    expect(all.map((e) => e.status)).toEqual(all.map(() => 'SUCCEEDED'));
    expect(all.length).toBe(2); // continue-as-new at the 300-day horizon
    const transitions = all.reduce((n, e) => n + e.transitions, 0);
    const events = all.reduce((n, e) => n + (e.historyEvents ?? 0), 0);
    console.log(`one-year on-Quad O2 lifecycle: ${transitions} state transitions, ${events} history events, ${all.length} executions`);
    expect(transitions).toBeLessThan(100);
  });

  it('off-Quad, lab not registered: the RC Core asked once, the PI told; weekly reminders; the registration wakes it; the RC Core completes it within 3 working days (no reminder) → ACTIVE, the login and the email once', async () => {
    // Prepare
    const w = await world();
    const lab = await newLab(w, 'lab-mgh', PI_MGH, 'MGH');

    // Act: the PI asks (approved by that act)
    const id = await request(w, { huid: OFFSITE.huid, accountId: OFFSITE.hmsAccountId }, lab, 'pi');

    // Assess
    expect(await o2Of(w, id)).toMatchObject({ status: 'PENDING_LAB_REGISTRATION', waitingFor: 'lab-registration', labReminders: 0 });
    expect(latest(w, id).checkpoint?.state).toBe('WaitForLabRegistration');
    expect(subjectsTo(w, RC_CORE_CONTACT)).toEqual([`Register the lab "${lab.name}" for O2`]);
    expect(subjectsTo(w, PI_MGH.email)).toEqual([`O2: register your lab "${lab.name}" with the HMS Research Computing Core`]);
    // Noted on the lab without a new version: the lab's ETag, which the RC Core's registration sends as If-Match, stays.
    expect(await w.o2.getLab(lab.labId)).toMatchObject({ registrationRequestedAt: START, version: 1 });

    // Act: two weeks without the registration
    await w.localClock.advanceBy(14 * DAY);

    // Assess: reminded weekly, the RC Core and the PI
    expect(subjectsTo(w, RC_CORE_CONTACT).filter((s) => s.startsWith('Reminder'))).toEqual([`Reminder 1: Register the lab "${lab.name}" for O2`, `Reminder 2: Register the lab "${lab.name}" for O2`]);
    expect(subjectsTo(w, PI_MGH.email).filter((s) => s.startsWith('Reminder'))).toHaveLength(2);
    expect(await o2Of(w, id)).toMatchObject({ status: 'PENDING_LAB_REGISTRATION', labReminders: 2 });

    // Act: the RC Core registers the lab (Monday 18 January, 09:00)
    await registerLab(w, lab.labId);

    // Assess: on to the RC Core, which is asked to set it up
    expect(await o2Of(w, id)).toMatchObject({ status: 'PENDING_RC_CORE', waitingFor: 'rc-core', rcCoreRequestedAt: '2027-01-18T14:00:00.000Z' });
    expect(latest(w, id).checkpoint?.state).toBe('WaitForRcCore');
    expect(subjectsTo(w, RC_CORE_CONTACT).at(-1)).toBe('Set up the O2 account of Oli Offsite');

    // Act: the RC Core completes it on Wednesday
    await w.localClock.advanceTo(new Date('2027-01-20T15:00:00Z'));
    await complete(w, id);

    // Assess: active, its login in the directory, the "active" email once; the schedule
    const o = await o2Of(w, id);
    expect(o).toMatchObject({ status: 'ACTIVE', completion: { unixUsername: 'ool100' }, posix: { homeDirectory: '/home/ool100' } });
    expect(w.accounts.user('ool100')).toMatchObject({ groups: ['o2'], posix: o.posix });
    expect(subjectsTo(w, OFFSITE.email)).toEqual(['Your O2 account is active']);
    expect(subjectsTo(w, RC_CORE_CONTACT).filter((s) => s.startsWith('Reminder: Set up'))).toEqual([]);
    expect(latest(w, id).checkpoint?.state).toBe('WaitUntilO2Due');
    expect(executions(w, id).map((e) => e.status)).toEqual(['RUNNING']);
  });

  it('PENDING_HMS_ACCOUNT waits (checked daily) until the chained guest account becomes ACTIVE, then goes on with it', async () => {
    // Prepare: the chained guest request, on its way (approved, waiting for the guest to activate)
    const w = await world();
    const lab = await newLab(w, 'lab-quad', PI_QUAD, 'HMS');
    const guest = {
      guestId: 'g-newcomer',
      status: 'PENDING_ACTIVATION',
      guestHuid: NEWCOMER.huid,
      guestName: 'Nell Newcomer',
      guestEmail: NEWCOMER.personalEmail,
      sponsorHuid: PI_QUAD.huid,
      submittedBy: PI_QUAD.huid,
      population: 'visiting-faculty',
      startDate: '2027-01-04',
      endDate: '2027-12-31',
      services: ['email', 'o2'],
      accountId: 'nne100',
      createdAt: START,
      updatedAt: START,
      version: 1,
    } as unknown as Guest;
    await w.guests.create(guest);

    // Act
    const id = await request(w, { huid: NEWCOMER.huid }, lab, 'pi', { guestId: guest.guestId });
    await w.localClock.advanceBy(2 * DAY);

    // Assess: waiting, looked at again every day
    expect(await o2Of(w, id)).toMatchObject({ status: 'PENDING_HMS_ACCOUNT', waitingFor: 'hms-account' });
    expect(latest(w, id).checkpoint?.state).toBe('WaitForHmsAccount');
    expect((await w.o2.history('o2', id)).filter((e) => e.action === 'hms-account-checked')).toHaveLength(3);

    // Act: the guest activates the HMS account; the guest lifecycle tells the O2 lifecycle
    await w.guests.save({ ...guest, status: 'ACTIVE', version: 2 });
    await guestMovedForO2(w.deps, { o2AccountId: id, status: 'ACTIVE' });
    await settle(w);

    // Assess: the HMS account recorded, approved by the PI's request, on-Quad: active
    expect(await o2Of(w, id)).toMatchObject({ status: 'ACTIVE', accountId: 'nne100', endDate: '2027-12-31' });
    expect(w.accounts.user('nne100')).toMatchObject({ groups: ['o2'] });
    expect(w.mailer.sent.filter((m) => m.subject === 'Your O2 account is active').map((m) => m.to)).toEqual([[NEWCOMER.personalEmail]]);

    // Act: months later the sponsor cancels the HMS guest account; the guest lifecycle tells the O2 lifecycle
    await w.localClock.advanceTo(new Date('2027-05-03T14:00:00Z'));
    const active = (await w.guests.get(guest.guestId))!;
    await w.guests.save({ ...active, status: 'CANCELLED', version: active.version + 1 });
    await guestMovedForO2(w.deps, { o2AccountId: id, status: 'CANCELLED' });
    await settle(w);

    // Assess: the O2 account expires with it at once (not at the reconciler's next run), the login taken away, the user told
    expect(await o2Of(w, id)).toMatchObject({ status: 'EXPIRED', endDate: '2027-05-03' });
    expect(w.accounts.user('nne100')!.groups).toEqual([]);
    expect(w.mailer.sent.filter((m) => m.subject.includes('expired on 2027-05-03')).map((m) => m.to)).toEqual([[NEWCOMER.personalEmail]]);
    expect(executions(w, id).map((e) => e.status)).toEqual(['ABORTED', 'SUCCEEDED']);
  });

  it('PI approval: a reminder after 7 days, LAPSED (approval-expired) after 14, requester, user and PI told', async () => {
    const w = await world();
    const lab = await newLab(w, 'lab-quad', PI_QUAD, 'HMS');
    const id = await request(w, { huid: USER.huid, accountId: USER.hmsAccountId }, lab, 'user');

    await w.localClock.advanceBy(7 * DAY);
    expect(subjectsTo(w, PI_QUAD.email)).toEqual(['Approve the O2 account of Uma User', 'Reminder: Approve the O2 account of Uma User']);
    expect(latest(w, id).checkpoint?.state).toBe('RemindPiApproval');
    expect((await o2Of(w, id)).status).toBe('PENDING_PI_APPROVAL');

    await w.localClock.advanceBy(7 * DAY);
    expect(await o2Of(w, id)).toMatchObject({ status: 'LAPSED', lapse: { reason: 'approval-expired' } });
    const lapsed = w.mailer.sent.filter((m) => m.subject.includes('lapsed'));
    expect(lapsed).toHaveLength(1);
    expect(lapsed[0]!.to.sort()).toEqual([USER.email, PI_QUAD.email].sort());
    expect(lapsed[0]!.text).toContain('within 14 days');
    expect(latest(w, id).status).toBe('SUCCEEDED');
  });

  it('lab registration: four weekly reminders, then LAPSED (lab-not-registered) after 30 days with the email saying why', async () => {
    const w = await world();
    const lab = await newLab(w, 'lab-mgh', PI_MGH, 'MGH');
    const id = await request(w, { huid: OFFSITE.huid, accountId: OFFSITE.hmsAccountId }, lab, 'pi');

    await w.localClock.advanceBy(30 * DAY - 60_000);
    expect((await o2Of(w, id)).status).toBe('PENDING_LAB_REGISTRATION');
    await w.localClock.advanceBy(60_000);

    expect(await o2Of(w, id)).toMatchObject({ status: 'LAPSED', lapse: { reason: 'lab-not-registered' }, labReminders: 4 });
    expect(subjectsTo(w, RC_CORE_CONTACT).filter((s) => s.startsWith('Reminder'))).toHaveLength(4);
    const lapsed = w.mailer.sent.filter((m) => m.subject.includes('lapsed'));
    expect(lapsed.map((m) => m.to)).toEqual([[OFFSITE.email, PI_MGH.email]]);
    expect(lapsed[0]!.text).toContain('not registered with the HMS Research Computing Core within 30 days');
    expect(latest(w, id).status).toBe('SUCCEEDED');
  });

  it('RC Core: a reminder after 3 working days, HMS IT alerted (o2-rc-core-overdue) after 10', async () => {
    // Prepare: a registered off-Quad lab: straight to the RC Core (Monday 4 January)
    const w = await world();
    const lab = await newLab(w, 'lab-mgh', PI_MGH, 'MGH', true);
    const id = await request(w, { huid: OFFSITE.huid, accountId: OFFSITE.hmsAccountId }, lab, 'pi');
    expect(await o2Of(w, id)).toMatchObject({ status: 'PENDING_RC_CORE', waitingFor: 'rc-core' });
    expect(subjectsTo(w, RC_CORE_CONTACT)).toEqual(['Set up the O2 account of Oli Offsite']);
    const reminders = () => subjectsTo(w, RC_CORE_CONTACT).filter((s) => s.startsWith('Reminder'));

    // Act / Assess: 3 working days are Thursday 09:00
    await w.localClock.advanceTo(new Date('2027-01-07T13:59:00Z'));
    expect(reminders()).toEqual([]);
    await w.localClock.advanceTo(new Date('2027-01-07T14:00:01Z'));
    expect(reminders()).toEqual(['Reminder: Set up the O2 account of Oli Offsite']);
    expect(w.alerts.raised).toEqual([]);

    // Act / Assess: 10 working days are Monday 18 January, 09:00
    await w.localClock.advanceTo(new Date('2027-01-18T13:59:00Z'));
    expect(w.alerts.raised).toEqual([]);
    await w.localClock.advanceTo(new Date('2027-01-18T14:00:01Z'));
    expect(w.alerts.raised).toEqual([{ alert: 'o2-rc-core-overdue', detail: expect.objectContaining({ o2AccountId: id, labId: lab.labId }) }]);
    expect((await o2Of(w, id)).rcCoreEscalatedAt).toBeDefined();

    // Act / Assess: a week later, no second alert and no second reminder; still waiting
    await w.localClock.advanceBy(8 * DAY);
    expect(w.alerts.raised).toHaveLength(1);
    expect(reminders()).toHaveLength(1);
    expect(latest(w, id).checkpoint?.state).toBe('WaitForRcCore');
  });

  it('a lost execution: the reconciler starts the next generation when it is due, which picks up from the table (no email twice)', async () => {
    // Prepare: waiting for the PI; then the execution is lost
    const w = await world();
    const lab = await newLab(w, 'lab-quad', PI_QUAD, 'HMS');
    const id = await request(w, { huid: USER.huid, accountId: USER.hmsAccountId }, lab, 'user');
    w.sfn.stopExecution(latest(w, id).executionArn, 'Lost', 'test');

    // Act: a reconciler run before it is due, then one past the reminder's time
    await w.localClock.advanceBy(DAY);
    const early = await reconcile(w.deps);
    await w.localClock.advanceBy(6 * DAY + 2 * 3_600_000);
    const due = await reconcile(w.deps);
    await settle(w);

    // Assess: restarted once, as generation 2, in the reminder step; the request email not sent again
    expect(early.o2Restarted).toEqual([]);
    expect(due.o2Restarted).toEqual([id]);
    expect((await o2Of(w, id)).execution).toEqual({ name: `o2-${id}-2`, generation: 2 });
    expect(executions(w, id).map((e) => [e.name, e.status])).toEqual([
      [`o2-${id}-1`, 'ABORTED'],
      [`o2-${id}-2`, 'RUNNING'],
    ]);
    expect(latest(w, id).checkpoint?.state).toBe('RemindPiApproval');
    expect(subjectsTo(w, PI_QUAD.email)).toEqual(['Approve the O2 account of Uma User', 'Reminder: Approve the O2 account of Uma User']);
    // ...and the PI's approval wakes the new execution
    await decide(w, id, 'approve');
    expect((await o2Of(w, id)).status).toBe('ACTIVE');
  });

  it('a task failing in three executions in a row: recorded each time, restarted by the reconciler, FAILED at the third', async () => {
    // Prepare: a lab whose PI is not in the people directory: the approval request cannot be sent
    const w = await world();
    const ghost: Person = { ...PI_QUAD, huid: '39999999' };
    const lab = await newLab(w, 'lab-ghost', ghost, 'HMS');
    const id = await request(w, { huid: USER.huid, accountId: USER.hmsAccountId }, lab, 'user');

    // Assess: the first execution failed, the failure recorded, due again in an hour
    let o = await o2Of(w, id);
    expect(o).toMatchObject({ status: 'PENDING_PI_APPROVAL', failure: { error: 'Error', count: 1, state: 'o2-lifecycle' } });
    expect(o.failure!.cause).toContain('no longer in the people directory');
    expect(latest(w, id)).toMatchObject({ status: 'FAILED', error: 'O2LifecycleFailed' });

    // Act: the reconciler, an hour later each time, twice
    for (const expected of [2, 3]) {
      await w.localClock.advanceBy(3_600_000 + 1000);
      const report = await reconcile(w.deps);
      expect(report.o2Restarted).toEqual([id]);
      await settle(w);
      expect((await o2Of(w, id)).failure!.count).toBe(expected);
    }

    // Assess: FAILED at the third; three executions, each failed; the reconciler leaves it alone now
    o = await o2Of(w, id);
    expect(o.status).toBe('FAILED');
    expect(o.dueAt).toBeUndefined();
    expect(executions(w, id).map((e) => [e.name, e.status])).toEqual([
      [`o2-${id}-1`, 'FAILED'],
      [`o2-${id}-2`, 'FAILED'],
      [`o2-${id}-3`, 'FAILED'],
    ]);
    await w.localClock.advanceBy(DAY);
    expect((await reconcile(w.deps)).o2Restarted).toEqual([]);
    expect((await w.o2.history('o2', id)).filter((e) => e.action === 'failed')).toHaveLength(3);
  });
});
