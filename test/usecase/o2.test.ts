/**
 * The O2 use cases (shared/o2/app/o2.ts) on in-memory ports: each rule and refusal of the O2 page and
 * of issue 14, who may do what (404 for a caller who may not read, 403 for one who may read but not
 * act), the wake-ups of the O2 lifecycle where it waits on a task token, and the links into the
 * guest lifecycle (the chained HMS guest account, the `o2` service, keeping the account when
 * leaving HMS). The lifecycle's own steps are simulated by writing what its tasks write
 * (`taskToken`/`waitingFor`, a status) through the same audited change.
 */
import { describe, expect, it } from 'vitest';
import * as uc from '../../shared/guest/app/guests.ts';
import * as o2Lifecycle from '../../shared/o2/app/tasks.ts';
import { reconcile } from '../../shared/app/reconcile.ts';
import { desiredAccount } from '../../shared/guest/domain/account.ts';
import { provision } from '../../shared/guest/app/tasks.ts';
import * as o2uc from '../../shared/o2/app/o2.ts';
import { setUpO2 } from '../../shared/o2/app/login.ts';
import { changeO2 } from '../../shared/o2/app/changes.ts';
import { hmsAccountOf } from '../../shared/o2/app/hms-account.ts';
import { ConflictError, NotAllowedError, NotFoundError, PreconditionFailedError, RuleViolation, StaleWriteError } from '../../shared/core/domain/errors.ts';
import type { Caller, HsrRecord, Person } from '../../shared/core/domain/people.ts';
import type { Lab, O2Account, O2Status, O2WaitStep } from '../../shared/o2/domain/model.ts';
import { METRIC_NAMES } from '../../shared/core/ports.ts';
import { memoryWorld, type MemoryWorld } from '../support/memory.ts';

const NOW = '2027-01-04T14:00:00.000Z';

const faculty = (huid: string, name: string, extra: Partial<Person>): Person => ({
  huid,
  name,
  email: `${name.toLowerCase().replace(/ /g, '.')}@hms.harvard.edu`,
  role: 'faculty',
  school: 'HMS',
  site: 'Quad',
  active: true,
  ...extra,
});

// The people of these tests: PIs (on-Quad, affiliate hospital, another school), RC Core staff, a lab manager, users.
const QUAD_PI = faculty('30000001', 'Quinn Quad', { appointments: [{ department: 'Genetics', quad: true, kind: 'primary' }] });
const MGH_PI = faculty('30000011', 'Mia Mgh', { site: 'MGH', email: 'mia.mgh@mgh.harvard.edu', appointments: [{ department: 'Medicine (MGH)', quad: false, kind: 'primary' }] });
const FAS_PI = faculty('30000021', 'Fred Fas', { school: 'FAS', site: 'Cambridge', email: 'fred.fas@fas.harvard.edu', appointments: [{ department: 'Molecular and Cellular Biology', quad: false, kind: 'primary' }] });
const COLLABORATOR = faculty('30000031', 'Cole Collab', { appointments: [{ department: 'Cell Biology', quad: true, kind: 'primary' }] });
const RC_STAFF = faculty('30000041', 'Rita Rccore', { role: 'staff', groups: ['rc-core'] });
const MANAGER = faculty('30000051', 'Max Manager', { role: 'staff', groups: ['lab-manager:30000001'] });
const OTHER_PI = faculty('30000061', 'Otto Other', { appointments: [{ department: 'Neurobiology', quad: true, kind: 'primary' }] });
/** An HMS student with an HMS account of their own. */
const STUDENT = faculty('40000001', 'Sally Student', { role: 'student', hmsAccountId: 'sst001', email: 'sally.student@hms.harvard.edu' });
/** A Harvard person of another school: a Harvard ID, no HMS account. */
const FAS_STAFF = faculty('40000002', 'Harv Fas', { role: 'staff', school: 'FAS', site: 'Cambridge', email: 'harv.fas@fas.harvard.edu' });
/** HMS staff whose appointment ends on 2027-06-30. */
const LEAVING = faculty('40000004', 'Lee Leaving', { role: 'staff', hmsAccountId: 'lle004', endDate: '2027-06-30', email: 'lee.leaving@hms.harvard.edu' });
const hsr = (huid: string, firstName: string, lastName: string): HsrRecord => ({ huid, firstName, lastName, personalEmail: `${firstName}.${lastName}@example.org`.toLowerCase(), status: 'active', endDate: '2030-12-31' });
const HSRS = [hsr('40000002', 'Harv', 'Fas'), hsr('40000003', 'Hal', 'Hsronly'), hsr('40000004', 'Lee', 'Leaving')];
const NO_ID = '40000009';

const as = (p: Person, roles: string[] = []): Caller => ({ huid: p.huid, roles });
const STRANGER: Caller = { huid: '30000099', roles: [] };

function world(): MemoryWorld {
  const w = memoryWorld(NOW, { people: [QUAD_PI, MGH_PI, FAS_PI, COLLABORATOR, RC_STAFF, MANAGER, OTHER_PI, STUDENT, FAS_STAFF, LEAVING], hsr: HSRS });
  w.accounts.seedUser({ userName: 'sst001', givenName: 'Sally', familyName: 'Student', email: STUDENT.email });
  w.accounts.seedUser({ userName: 'lle004', givenName: 'Lee', familyName: 'Leaving', email: LEAVING.email });
  return w;
}

async function labOf(w: MemoryWorld, pi: Person, institution: Lab['institution'] = 'HMS'): Promise<Lab> {
  return o2uc.createLab(w.deps, as(pi), { name: `${pi.name} lab`, institution });
}

/** What a lifecycle task writes (a status, the token of the step it waits on), through the same audited change. */
async function asWorkflow(w: MemoryWorld, id: string, patch: Partial<O2Account>): Promise<O2Account> {
  return changeO2(w.deps, (await w.o2.get(id))!, 'workflow', 'test-step', patch);
}
const waiting = (step: O2WaitStep, token: string, status?: O2Status) => ({ taskToken: token, waitingFor: step, ...(status ? { status } : {}) });

async function rejects<T extends Error>(p: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

describe('labs', () => {
  it('a PI registers their lab: on-Quad needs no RC Core registration, off-Quad (MGH) waits for it; the reason is derived', async () => {
    // Prepare
    const w = world();
    // Act
    const quad = await labOf(w, QUAD_PI);
    const mgh = await labOf(w, MGH_PI, 'MGH');
    // Assess
    expect(quad).toMatchObject({ piHuid: QUAD_PI.huid, quad: { onQuad: true }, registration: { status: 'not-required' }, version: 1 });
    expect(mgh).toMatchObject({ piHuid: MGH_PI.huid, quad: { onQuad: false }, registration: { status: 'pending' } });
    expect(mgh.quad.reason).toContain('MGH, an HMS affiliated institution');
    expect((await o2uc.labHistory(w.deps, as(QUAD_PI), quad.labId)).map((e) => e.action)).toEqual(['created']);
  });

  it('only the RC Core registers a lab for another PI (403); a person without a faculty appointment cannot head one (422); a second lab of the same name is 409', async () => {
    const w = world();
    await rejects(o2uc.createLab(w.deps, as(OTHER_PI), { name: 'X', institution: 'HMS', piHuid: QUAD_PI.huid }), NotAllowedError);
    await expect(o2uc.createLab(w.deps, as(RC_STAFF), { name: 'X', institution: 'HMS', piHuid: QUAD_PI.huid })).resolves.toMatchObject({ piHuid: QUAD_PI.huid, createdBy: RC_STAFF.huid });
    await rejects(o2uc.createLab(w.deps, as(STUDENT), { name: 'Mine', institution: 'HMS' }), RuleViolation);
    await rejects(o2uc.createLab(w.deps, as(QUAD_PI), { name: 'x', institution: 'HMS' }), ConflictError);
  });

  it('a lab is read by its PI, its managers, the RC Core; a stranger is told it does not exist', async () => {
    const w = world();
    const lab = await labOf(w, QUAD_PI);
    await expect(o2uc.getLab(w.deps, as(MANAGER), lab.labId)).resolves.toMatchObject({ labId: lab.labId });
    await expect(o2uc.getLab(w.deps, as(RC_STAFF), lab.labId)).resolves.toMatchObject({ labId: lab.labId });
    await rejects(o2uc.getLab(w.deps, STRANGER, lab.labId), NotFoundError);
    await rejects(o2uc.getLab(w.deps, as(OTHER_PI), lab.labId), NotFoundError);
  });

  it("the RC Core's queue (registration=pending) is the RC Core's and HMS IT's; a PI lists their own labs", async () => {
    const w = world();
    const mgh = await labOf(w, MGH_PI, 'MGH');
    await labOf(w, QUAD_PI);
    expect((await o2uc.listLabs(w.deps, as(RC_STAFF), { registration: 'pending' })).items.map((l) => l.labId)).toEqual([mgh.labId]);
    expect((await o2uc.listLabs(w.deps, { huid: '39999999', roles: ['hms-it'] }, { registration: 'pending' })).items).toHaveLength(1);
    await rejects(o2uc.listLabs(w.deps, as(MGH_PI), { registration: 'pending' }), NotAllowedError);
    expect((await o2uc.listLabs(w.deps, as(MGH_PI))).items.map((l) => l.labId)).toEqual([mgh.labId]);
    await rejects(o2uc.listLabs(w.deps, as(OTHER_PI), { piHuid: MGH_PI.huid }), NotAllowedError);
  });

  it('RC Core staff register an off-Quad lab (charged or not), audited; every O2 account waiting for it is woken; the PI may not (403)', async () => {
    // Prepare: an O2 account of the lab whose lifecycle waits for the registration
    const w = world();
    const lab = await labOf(w, MGH_PI, 'MGH');
    const o2 = await o2uc.requestO2(w.deps, as(MGH_PI), { userHuid: STUDENT.huid, piHuid: MGH_PI.huid, labId: lab.labId });
    await asWorkflow(w, o2.o2AccountId, waiting('lab-registration', 'tok-lab', 'PENDING_LAB_REGISTRATION'));
    const registration = { chargeback: { charged: false as const }, billingContact: { name: 'Bea Billing', email: 'bea@mgh.harvard.edu' } };

    // Act
    await rejects(o2uc.registerLab(w.deps, as(MGH_PI), lab.labId, registration), NotAllowedError);
    await rejects(o2uc.registerLab(w.deps, STRANGER, lab.labId, registration), NotFoundError);
    await rejects(o2uc.registerLab(w.deps, as(RC_STAFF), lab.labId, registration, 7), PreconditionFailedError);
    const registered = await o2uc.registerLab(w.deps, as(RC_STAFF), lab.labId, registration, lab.version);

    // Assess
    expect(registered.registration).toEqual({ status: 'registered', chargeback: { charged: false }, billingContact: { name: 'Bea Billing', email: 'bea@mgh.harvard.edu' }, by: RC_STAFF.huid, at: NOW });
    expect(w.o2Workflow.resumed).toEqual([{ taskToken: 'tok-lab', output: { outcome: 'ready' } }]);
    expect((await w.o2.get(o2.o2AccountId))!.taskToken).toBeUndefined();
    expect((await o2uc.labHistory(w.deps, as(RC_STAFF), lab.labId)).map((e) => [e.action, e.actor])).toEqual([['created', MGH_PI.huid], ['registered', RC_STAFF.huid]]);
  });

  it('an on-Quad lab needs no registration (409); a charged lab needs its chargeback account (400)', async () => {
    const w = world();
    const quad = await labOf(w, QUAD_PI);
    const mgh = await labOf(w, MGH_PI, 'MGH');
    await rejects(o2uc.registerLab(w.deps, as(RC_STAFF), quad.labId, { chargeback: { charged: false }, billingContact: { name: 'B', email: 'b@x.org' } }), ConflictError);
    const error = await rejects(o2uc.registerLab(w.deps, as(RC_STAFF), mgh.labId, { chargeback: { charged: true, account: ' ' }, billingContact: { name: 'B', email: 'b@x.org' } }), Error);
    expect((error as { kind?: string }).kind).toBe('invalid');
  });
});

describe('requesting an O2 account', () => {
  it('on-Quad, asked by the PI for a user with an HMS account: approved by that act, the lifecycle started, counted', async () => {
    // Prepare
    const w = world();
    const lab = await labOf(w, QUAD_PI);
    // Act
    const o2 = await o2uc.requestO2(w.deps, as(QUAD_PI), { userHuid: STUDENT.huid, piHuid: QUAD_PI.huid, labId: lab.labId, justification: 'RNA-seq' });
    // Assess
    expect(o2).toMatchObject({ status: 'PENDING_PI_APPROVAL', userHuid: STUDENT.huid, piHuid: QUAD_PI.huid, labPiHuid: QUAD_PI.huid, accountId: 'sst001', quad: { onQuad: true }, approval: { decision: 'approve', by: QUAD_PI.huid, bySubmission: true } });
    expect(o2.guestId).toBeUndefined();
    expect(w.o2Workflow.executions.get(`o2-${o2.o2AccountId}-1`)).toMatchObject({ status: 'RUNNING', input: { v: 1, o2AccountId: o2.o2AccountId } });
    expect(w.metrics.of(METRIC_NAMES.o2Requested)).toBe(1);
  });

  it("asked by the user: the PI must decide; the decision wakes the approval step; the user cannot decide (403)", async () => {
    // Prepare
    const w = world();
    const lab = await labOf(w, QUAD_PI);
    const o2 = await o2uc.requestO2(w.deps, as(STUDENT), { userHuid: STUDENT.huid, piHuid: QUAD_PI.huid, labId: lab.labId });
    expect(o2).toMatchObject({ status: 'PENDING_PI_APPROVAL', approvalRequestedAt: NOW });
    expect(o2.approval).toBeUndefined();
    const asked = await asWorkflow(w, o2.o2AccountId, waiting('approval', 'tok-approval'));

    // Act
    await rejects(o2uc.decideO2(w.deps, as(STUDENT), o2.o2AccountId, { decision: 'approve' }), NotAllowedError);
    await rejects(o2uc.decideO2(w.deps, as(QUAD_PI), o2.o2AccountId, { decision: 'approve' }, asked.version - 1), PreconditionFailedError);
    const decided = await o2uc.decideO2(w.deps, as(QUAD_PI), o2.o2AccountId, { decision: 'approve' }, asked.version);

    // Assess
    expect(decided).toMatchObject({ status: 'PENDING_PI_APPROVAL', approval: { decision: 'approve', by: QUAD_PI.huid } });
    expect(decided.taskToken).toBeUndefined();
    expect(w.o2Workflow.resumed).toEqual([{ taskToken: 'tok-approval', output: { outcome: 'approved' } }]);
    await rejects(o2uc.decideO2(w.deps, as(QUAD_PI), o2.o2AccountId, { decision: 'deny' }), ConflictError);
    expect((await o2uc.o2History(w.deps, as(STUDENT), o2.o2AccountId)).map((e) => e.action)).toEqual(['requested', 'test-step', 'approved', 'woken']);
  });

  it('a decision that loses a race with the lifecycle (it kept its task token between the read and the write) is made again on the new version without If-Match; with If-Match it is 412', async () => {
    // Prepare: every save of the O2 account is preceded, once, by the lifecycle's own write
    const w = world();
    const lab = await labOf(w, QUAD_PI);
    const o2 = await o2uc.requestO2(w.deps, as(STUDENT), { userHuid: STUDENT.huid, piHuid: QUAD_PI.huid, labId: lab.labId });
    const save = w.o2.save.bind(w.o2);
    let raced = 0;
    const raceOnce = () => {
      w.o2.save = async (next) => {
        w.o2.save = save;
        raced++;
        await asWorkflow(w, o2.o2AccountId, waiting('approval', `tok-${raced}`));
        return save(next);
      };
    };
    // Act + Assess: with If-Match, the caller's version stands and loses (the edge answers 412)
    raceOnce();
    const version = (await w.o2.get(o2.o2AccountId))!.version;
    await rejects(o2uc.decideO2(w.deps, as(QUAD_PI), o2.o2AccountId, { decision: 'approve' }, version), StaleWriteError);
    expect((await w.o2.get(o2.o2AccountId))!.approval).toBeUndefined();
    // without, it is made again on the new version and wakes the token kept meanwhile
    raceOnce();
    const decided = await o2uc.decideO2(w.deps, as(QUAD_PI), o2.o2AccountId, { decision: 'approve' });
    expect(raced).toBe(2);
    expect(decided).toMatchObject({ approval: { decision: 'approve', by: QUAD_PI.huid } });
    expect(w.o2Workflow.resumed).toEqual([{ taskToken: 'tok-2', output: { outcome: 'approved' } }]);
  });

  it('a manager of the lab may decide (and deny: the user told); a PI who is neither the sponsor nor of the lab is told it does not exist', async () => {
    // Prepare
    const w = world();
    const lab = await labOf(w, QUAD_PI);
    const o2 = await o2uc.requestO2(w.deps, as(STUDENT), { userHuid: STUDENT.huid, piHuid: QUAD_PI.huid, labId: lab.labId });
    await asWorkflow(w, o2.o2AccountId, waiting('approval-reminder', 'tok-remind'));
    // Act
    await rejects(o2uc.decideO2(w.deps, as(OTHER_PI), o2.o2AccountId, { decision: 'approve' }), NotFoundError);
    await rejects(o2uc.decideO2(w.deps, STRANGER, o2.o2AccountId, { decision: 'approve' }), NotFoundError);
    const denied = await o2uc.decideO2(w.deps, as(MANAGER), o2.o2AccountId, { decision: 'deny', reason: 'not in the lab' });
    // Assess
    expect(denied).toMatchObject({ status: 'DENIED', approval: { decision: 'deny', by: MANAGER.huid, reason: 'not in the lab' } });
    expect(w.o2Workflow.resumed).toEqual([{ taskToken: 'tok-remind', output: { outcome: 'denied' } }]);
    expect(w.mailer.to(STUDENT.email).map((m) => m.subject)).toEqual([`The O2 account request for ${STUDENT.name} was denied`]);
  });

  it('a stranger may not read an O2 account (404, as a missing one); its user, sponsor, lab, the RC Core and HMS IT may', async () => {
    const w = world();
    const lab = await labOf(w, QUAD_PI);
    const o2 = await o2uc.requestO2(w.deps, as(QUAD_PI), { userHuid: STUDENT.huid, piHuid: QUAD_PI.huid, labId: lab.labId });
    const missing = await rejects(o2uc.getO2(w.deps, STRANGER, 'no-such-account'), NotFoundError);
    const hidden = await rejects(o2uc.getO2(w.deps, STRANGER, o2.o2AccountId), NotFoundError);
    expect(hidden.message).toBe(missing.message.replace('no-such-account', o2.o2AccountId));
    await rejects(o2uc.getO2(w.deps, as(OTHER_PI), o2.o2AccountId), NotFoundError);
    await rejects(o2uc.o2History(w.deps, STRANGER, o2.o2AccountId), NotFoundError);
    for (const c of [as(STUDENT), as(QUAD_PI), as(MANAGER), as(RC_STAFF), { huid: '39999999', roles: ['hms-it'] }]) {
      await expect(o2uc.getO2(w.deps, c, o2.o2AccountId)).resolves.toMatchObject({ o2AccountId: o2.o2AccountId });
    }
  });

  it('one live O2 account per person (409)', async () => {
    const w = world();
    const lab = await labOf(w, QUAD_PI);
    await o2uc.requestO2(w.deps, as(QUAD_PI), { userHuid: STUDENT.huid, piHuid: QUAD_PI.huid, labId: lab.labId });
    const error = await rejects(o2uc.requestO2(w.deps, as(QUAD_PI), { userHuid: STUDENT.huid, piHuid: QUAD_PI.huid, labId: lab.labId }), ConflictError);
    expect(error.message).toContain('a person holds one O2 account at a time');
    expect(w.o2.accounts.size).toBe(1);
  });

  it('a sponsor who is not the PI nor a manager of the lab is refused (422); a stranger may not ask for someone else (403)', async () => {
    const w = world();
    const lab = await labOf(w, QUAD_PI);
    await rejects(o2uc.requestO2(w.deps, as(OTHER_PI), { userHuid: STUDENT.huid, piHuid: OTHER_PI.huid, labId: lab.labId }), RuleViolation);
    await rejects(o2uc.requestO2(w.deps, STRANGER, { userHuid: STUDENT.huid, piHuid: QUAD_PI.huid, labId: lab.labId }), NotAllowedError);
    expect(w.o2.accounts.size).toBe(0);
  });
});

describe('rule "No HMS account"', () => {
  it('no Harvard ID at all: 422 with the HSR step, nothing written', async () => {
    const w = world();
    const lab = await labOf(w, QUAD_PI);
    const error = await rejects(o2uc.requestO2(w.deps, as(QUAD_PI), { userHuid: NO_ID, piHuid: QUAD_PI.huid, labId: lab.labId }), RuleViolation);
    expect(error.message).toContain('first register the user as a Harvard Sponsored Role (HSR)');
    expect(w.o2.accounts.size).toBe(0);
    expect(w.guests.guests.size).toBe(0);
  });

  it('a Harvard ID but no HMS account: the HMS guest account is filed with the PI as sponsor, and the O2 account waits for it, linked both ways', async () => {
    // Prepare
    const w = world();
    const lab = await labOf(w, QUAD_PI);
    // Act
    const o2 = await o2uc.requestO2(w.deps, as(QUAD_PI), { userHuid: FAS_STAFF.huid, piHuid: QUAD_PI.huid, labId: lab.labId });
    // Assess
    expect(o2.status).toBe('PENDING_HMS_ACCOUNT');
    const guest = (await w.guests.get(o2.guestId!))!;
    expect(guest).toMatchObject({ guestHuid: FAS_STAFF.huid, sponsorHuid: QUAD_PI.huid, submittedBy: QUAD_PI.huid, o2AccountId: o2.o2AccountId, status: 'PENDING_APPROVAL', population: 'harvard-employee', approval: { bySubmission: true } });
    expect(guest.services).toContain('o2');
    expect(w.workflow.executions.get(`${guest.guestId}-1`)?.status).toBe('RUNNING');
    expect(w.o2Workflow.executions.get(`o2-${o2.o2AccountId}-1`)?.status).toBe('RUNNING');
    expect(o2.hmsSponsorHuid).toBeUndefined();
  });

  it('the guest request it filed ends with the O2 request: cancelled before its sponsor decided, it is cancelled too; one the sponsor approved stays', async () => {
    // Prepare: the user asks (the guest request waits for the PI); and the PI asks for another (approved by that act)
    const w = world();
    const lab = await labOf(w, QUAD_PI);
    const asked = await o2uc.requestO2(w.deps, as(FAS_STAFF), { userHuid: FAS_STAFF.huid, piHuid: QUAD_PI.huid, labId: lab.labId });
    expect((await w.guests.get(asked.guestId!))!).toMatchObject({ status: 'PENDING_APPROVAL', filedForO2: true });
    // Act
    await o2uc.cancelO2(w.deps, as(FAS_STAFF), asked.o2AccountId);
    // Assess
    expect((await w.guests.get(asked.guestId!))!).toMatchObject({ status: 'CANCELLED' });
    expect(w.workflow.executions.get(`${asked.guestId}-1`)?.status).not.toBe('RUNNING');
    const filed = await o2uc.requestO2(w.deps, as(QUAD_PI), { userHuid: FAS_STAFF.huid, piHuid: QUAD_PI.huid, labId: lab.labId });
    await o2uc.cancelO2(w.deps, as(QUAD_PI), filed.o2AccountId);
    expect((await w.guests.get(filed.guestId!))!.status).toBe('PENDING_APPROVAL');
  });

  it('a PI of another Harvard school who is not HMS faculty: 422 naming hmsSponsorHuid; an HMS sponsor who has not named the PI a delegate cannot be named (403); once named, that sponsor sponsors the guest account', async () => {
    // Prepare
    const w = world();
    const lab = await labOf(w, FAS_PI, 'FAS');
    // Act
    const error = await rejects(o2uc.requestO2(w.deps, as(FAS_PI), { userHuid: FAS_STAFF.huid, piHuid: FAS_PI.huid, labId: lab.labId }), RuleViolation);
    const notDelegate = await rejects(o2uc.requestO2(w.deps, as(FAS_PI), { userHuid: FAS_STAFF.huid, piHuid: FAS_PI.huid, labId: lab.labId, hmsSponsorHuid: COLLABORATOR.huid }), NotAllowedError);
    w.directory.people.set(COLLABORATOR.huid, { ...COLLABORATOR, delegates: [FAS_PI.huid] });
    const o2 = await o2uc.requestO2(w.deps, as(FAS_PI), { userHuid: FAS_STAFF.huid, piHuid: FAS_PI.huid, labId: lab.labId, hmsSponsorHuid: COLLABORATOR.huid });
    // Assess
    expect(error.message).toContain('name an HMS sponsor in hmsSponsorHuid');
    expect(error.fields).toHaveProperty('hmsSponsorHuid');
    expect(notDelegate.message).toContain(`is not a delegate named by sponsor ${COLLABORATOR.huid}`);
    expect(o2).toMatchObject({ status: 'PENDING_HMS_ACCOUNT', hmsSponsorHuid: COLLABORATOR.huid, quad: { onQuad: false } });
    // The PI (not the HMS sponsor) filed it: it waits for the HMS sponsor's approval.
    expect(await w.guests.get(o2.guestId!)).toMatchObject({ sponsorHuid: COLLABORATOR.huid, submittedBy: FAS_PI.huid, status: 'PENDING_APPROVAL', o2AccountId: o2.o2AccountId });
    expect((await w.guests.get(o2.guestId!))!.approval).toBeUndefined();
  });

  it('the chained guest account activated: the O2 lifecycle waiting for the HMS account is woken', async () => {
    // Prepare: Grace (an HSR in the sample directory) gets an HMS guest account through the `o2` service of a guest request
    const w = world();
    await labOf(w, QUAD_PI);
    const guest = await uc.requestGuest(w.deps, as(QUAD_PI), { guestHuid: '20000001', population: 'visiting-faculty', endDate: '2027-06-30', services: ['email', 'o2'] });
    const o2Id = guest.o2AccountId!;
    expect(await w.o2.get(o2Id)).toMatchObject({ status: 'PENDING_HMS_ACCOUNT', guestId: guest.guestId, userHuid: '20000001', piHuid: QUAD_PI.huid, approval: { bySubmission: true } });
    await asWorkflow(w, o2Id, waiting('hms-account', 'tok-hms'));
    await provision(w.deps, guest.guestId);
    const provisioned = (await w.guests.get(guest.guestId))!;
    expect(provisioned.entitlements.find((e) => e.name === 'o2')).toMatchObject({ granted: false, reason: expect.stringContaining(`O2 account ${o2Id} rests on this HMS account`) });
    const mail = w.mailer.to('grace.guest@example.org').find((m) => m.subject === 'Activate your HMS account')!;
    const code = /Activation code: ([A-Z0-9-]+)/.exec(mail.text)![1]!;

    // Act
    await uc.activate(w.deps, { accountId: provisioned.accountId!, code, password: 'correct-tulip-7-lantern' }, '198.51.100.7');

    // Assess
    expect(w.o2Workflow.resumed).toEqual([{ taskToken: 'tok-hms', output: { outcome: 'ready' } }]);
    expect((await hmsAccountOf(w.deps, (await w.o2.get(o2Id))!, w.clock.now())).state).toBe('active');
  });

  it('a user holding an active HMS guest account: the O2 account rests on it (its account ID), and the guest links it', async () => {
    // Prepare: Grace's guest account asked for O2 before the PI had a lab record (no O2 account started), activated
    const w = world();
    const guest = await uc.requestGuest(w.deps, as(QUAD_PI), { guestHuid: '20000001', population: 'visiting-faculty', endDate: '2027-06-30', services: ['email', 'o2'] });
    expect(guest.o2AccountId).toBeUndefined();
    await provision(w.deps, guest.guestId);
    const provisioned = (await w.guests.get(guest.guestId))!;
    const code = /Activation code: ([A-Z0-9-]+)/.exec(w.mailer.to('grace.guest@example.org').find((m) => m.subject === 'Activate your HMS account')!.text)![1]!;
    await uc.activate(w.deps, { accountId: provisioned.accountId!, code, password: 'correct-tulip-7-lantern' }, '198.51.100.7');
    const lab = await labOf(w, QUAD_PI);

    // Act
    const o2 = await o2uc.requestO2(w.deps, as(QUAD_PI), { userHuid: '20000001', piHuid: QUAD_PI.huid, labId: lab.labId });

    // Assess
    expect(o2).toMatchObject({ status: 'PENDING_PI_APPROVAL', guestId: guest.guestId, accountId: provisioned.accountId, approval: { bySubmission: true } });
    const linked = (await w.guests.get(guest.guestId))!;
    expect(linked.o2AccountId).toBe(o2.o2AccountId);
    expect(linked.entitlements.find((e) => e.name === 'o2')!.reason).toContain(`O2 account ${o2.o2AccountId}`);
    expect(w.guests.guests.size).toBe(1);
  });

  it('the chained guest request denied: the O2 lifecycle waiting for it is woken (it finds no HMS account coming)', async () => {
    const w = world();
    const lab = await labOf(w, FAS_PI, 'FAS');
    w.directory.people.set(COLLABORATOR.huid, { ...COLLABORATOR, delegates: [FAS_PI.huid] });
    const o2 = await o2uc.requestO2(w.deps, as(FAS_PI), { userHuid: FAS_STAFF.huid, piHuid: FAS_PI.huid, labId: lab.labId, hmsSponsorHuid: COLLABORATOR.huid });
    await asWorkflow(w, o2.o2AccountId, waiting('hms-account', 'tok-hms'));
    await uc.decideRequest(w.deps, as(COLLABORATOR), o2.guestId!, { decision: 'deny' });
    expect(w.o2Workflow.resumed).toEqual([{ taskToken: 'tok-hms', output: { outcome: 'ready' } }]);
  });
});

describe('the RC Core completes (rule "Off-Quad")', () => {
  async function pendingRcCore(w: MemoryWorld) {
    const lab = await labOf(w, MGH_PI, 'MGH');
    const o2 = await o2uc.requestO2(w.deps, as(MGH_PI), { userHuid: STUDENT.huid, piHuid: MGH_PI.huid, labId: lab.labId });
    return asWorkflow(w, o2.o2AccountId, { status: 'PENDING_RC_CORE', rcCoreRequestedAt: NOW, ...waiting('rc-core', 'tok-rc') });
  }

  it('only RC Core staff (the PI may read: 403), only when it waits for them (409)', async () => {
    const w = world();
    const lab = await labOf(w, MGH_PI, 'MGH');
    const o2 = await o2uc.requestO2(w.deps, as(MGH_PI), { userHuid: STUDENT.huid, piHuid: MGH_PI.huid, labId: lab.labId });
    await rejects(o2uc.completeO2(w.deps, as(RC_STAFF), o2.o2AccountId, { unixUsername: 'sst001' }), ConflictError);
    await asWorkflow(w, o2.o2AccountId, { status: 'PENDING_RC_CORE' });
    await rejects(o2uc.completeO2(w.deps, as(MGH_PI), o2.o2AccountId, { unixUsername: 'sst001' }), NotAllowedError);
    await rejects(o2uc.completeO2(w.deps, STRANGER, o2.o2AccountId, { unixUsername: 'sst001' }), NotFoundError);
  });

  it('the Unix username must be the HMS account ID (422), nothing changed', async () => {
    const w = world();
    const o2 = await pendingRcCore(w);
    const error = await rejects(o2uc.completeO2(w.deps, as(RC_STAFF), o2.o2AccountId, { unixUsername: 'sally' }), RuleViolation);
    expect(error.fields).toEqual({ unixUsername: ['must be the HMS account ID sst001'] });
    expect((await w.o2.get(o2.o2AccountId))!.version).toBe(o2.version);
  });

  it('completed: the O2 login in the directory (o2 group, POSIX uid and home), ACTIVE, the user told how to log in with the PI in copy, the rc-core step woken', async () => {
    // Prepare
    const w = world();
    const o2 = await pendingRcCore(w);
    // Act
    const done = await o2uc.completeO2(w.deps, as(RC_STAFF), o2.o2AccountId, { unixUsername: 'sst001' }, o2.version);
    // Assess
    expect(done).toMatchObject({ status: 'ACTIVE', accountId: 'sst001', completion: { by: RC_STAFF.huid, unixUsername: 'sst001' }, posix: { homeDirectory: '/home/sst001' }, activatedAt: NOW });
    expect(done.taskToken).toBeUndefined();
    expect(w.accounts.user('sst001')).toMatchObject({ groups: ['o2'], posix: done.posix });
    const active = w.mailer.to(STUDENT.email).find((m) => m.subject === 'Your O2 account is active')!;
    expect(active.cc).toEqual([MGH_PI.email]);
    expect(active.text).toContain('ssh sst001@o2.hms.harvard.edu');
    expect(w.o2Workflow.resumed).toEqual([{ taskToken: 'tok-rc', output: { outcome: 'ready' } }]);
    expect(w.metrics.of(METRIC_NAMES.o2Activated)).toBe(1);
  });

  it("the RC Core's queue lists what waits for it; a PI may not list it (403)", async () => {
    const w = world();
    const o2 = await pendingRcCore(w);
    expect((await o2uc.listO2(w.deps, as(RC_STAFF), { as: 'rc-core' })).items.map((o) => o.o2AccountId)).toEqual([o2.o2AccountId]);
    await rejects(o2uc.listO2(w.deps, as(MGH_PI), { as: 'rc-core' }), NotAllowedError);
    expect((await o2uc.listO2(w.deps, as(MGH_PI), { as: 'pi' })).items).toHaveLength(1);
    expect((await o2uc.listO2(w.deps, as(STUDENT))).items).toHaveLength(1);
    expect((await o2uc.listO2(w.deps, as(STUDENT), { status: 'ACTIVE' })).items).toHaveLength(0);
  });
});

describe('rule "Renewal"', () => {
  async function expired(w: MemoryWorld, pi: Person, institution: Lab['institution']) {
    const lab = await labOf(w, pi, institution);
    const o2 = await o2uc.requestO2(w.deps, as(pi), { userHuid: STUDENT.huid, piHuid: pi.huid, labId: lab.labId });
    return asWorkflow(w, o2.o2AccountId, { status: 'EXPIRED', expiredAt: NOW });
  }

  it('an expired off-Quad account: the user asks, rccore@hms.harvard.edu is emailed with the PI in copy, RENEWAL_REQUESTED, a new execution', async () => {
    // Prepare
    const w = world();
    const o2 = await expired(w, MGH_PI, 'MGH');
    // Act
    const renewed = await o2uc.renewO2(w.deps, as(STUDENT), o2.o2AccountId, { note: 'new grant' }, o2.version);
    // Assess
    expect(renewed).toMatchObject({ status: 'RENEWAL_REQUESTED', renewal: { by: STUDENT.huid, at: NOW, note: 'new grant' }, rcCoreRequestedAt: NOW, execution: { generation: 2, name: `o2-${o2.o2AccountId}-2` } });
    const mail = w.mailer.to('rccore@hms.harvard.edu');
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toBe(`Renew the HMS ID and O2 account of ${STUDENT.name}`);
    expect(mail[0]!.cc).toContain(MGH_PI.email);
    expect(w.o2Workflow.executions.get(`o2-${o2.o2AccountId}-2`)).toMatchObject({ status: 'RUNNING', input: { v: 1, o2AccountId: o2.o2AccountId } });
    expect(w.o2Workflow.executions.get(`o2-${o2.o2AccountId}-1`)?.status).toBe('ABORTED');
    expect((await o2uc.listO2(w.deps, as(RC_STAFF), { as: 'rc-core' })).items.map((o) => o.status)).toEqual(['RENEWAL_REQUESTED']);
  });

  it('only an expired account (409), only off-Quad (422: on-Quad requests again directly), not by a stranger (404)', async () => {
    const w = world();
    const onQuad = await expired(w, QUAD_PI, 'HMS');
    await rejects(o2uc.renewO2(w.deps, as(STUDENT), onQuad.o2AccountId), RuleViolation);
    await rejects(o2uc.renewO2(w.deps, STRANGER, onQuad.o2AccountId), NotFoundError);
    await asWorkflow(w, onQuad.o2AccountId, { status: 'RENEWAL_REQUESTED' });
    await rejects(o2uc.renewO2(w.deps, as(STUDENT), onQuad.o2AccountId), ConflictError);
    expect(w.mailer.to('rccore@hms.harvard.edu')).toHaveLength(0);
  });
});

describe('cancel', () => {
  it('the user cancels a request: CANCELLED, the waiting step woken, the execution stopped, user and PI told; a second cancel is 409', async () => {
    const w = world();
    const lab = await labOf(w, QUAD_PI);
    const o2 = await o2uc.requestO2(w.deps, as(STUDENT), { userHuid: STUDENT.huid, piHuid: QUAD_PI.huid, labId: lab.labId });
    await asWorkflow(w, o2.o2AccountId, waiting('approval', 'tok-approval'));
    const cancelled = await o2uc.cancelO2(w.deps, as(STUDENT), o2.o2AccountId, { reason: 'moved labs' });
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancellation: { by: STUDENT.huid, reason: 'moved labs' } });
    expect(w.o2Workflow.resumed).toEqual([{ taskToken: 'tok-approval', output: { outcome: 'cancelled' } }]);
    expect(w.o2Workflow.executions.get(`o2-${o2.o2AccountId}-1`)?.status).toBe('ABORTED');
    expect(w.mailer.to(QUAD_PI.email).map((m) => m.subject)).toEqual([`The O2 account of ${STUDENT.name} was cancelled`]);
    await rejects(o2uc.cancelO2(w.deps, as(STUDENT), o2.o2AccountId), ConflictError);
    // Cancelled, the user is free for a new request.
    await expect(o2uc.requestO2(w.deps, as(QUAD_PI), { userHuid: STUDENT.huid, piHuid: QUAD_PI.huid, labId: lab.labId })).resolves.toMatchObject({ status: 'PENDING_PI_APPROVAL' });
  });

  it('an active account loses its O2 login in the directory', async () => {
    const w = world();
    const lab = await labOf(w, QUAD_PI);
    const o2 = await o2uc.requestO2(w.deps, as(QUAD_PI), { userHuid: STUDENT.huid, piHuid: QUAD_PI.huid, labId: lab.labId });
    await setUpO2(w.deps, o2, 'workflow', 'activate', { accountId: 'sst001' });
    expect(w.accounts.user('sst001')!.groups).toEqual(['o2']);
    await o2uc.cancelO2(w.deps, as(QUAD_PI), o2.o2AccountId);
    expect(w.accounts.user('sst001')).toMatchObject({ groups: [] });
    expect(w.accounts.user('sst001')!.posix).toBeUndefined();
  });
});

describe('rule "Leaving HMS": retain', () => {
  async function activeO2OfLeaving(w: MemoryWorld) {
    const lab = await labOf(w, QUAD_PI);
    const o2 = await o2uc.requestO2(w.deps, as(QUAD_PI), { userHuid: LEAVING.huid, piHuid: QUAD_PI.huid, labId: lab.labId });
    return setUpO2(w.deps, o2, 'workflow', 'activate', { accountId: 'lle004', endDate: LEAVING.endDate });
  }

  it('files the guest account with the PI as sponsor, from the day after the appointment ends, keeping the account ID; the guest lifecycle provisions it ACTIVE as the same account, O2 never inactive', async () => {
    // Prepare
    const w = world();
    const o2 = await activeO2OfLeaving(w);

    // Act
    const kept = await o2uc.retainO2(w.deps, as(QUAD_PI), o2.o2AccountId, {}, o2.version);
    const guestId = kept.retain!.guestId;
    const filed = (await w.guests.get(guestId))!;
    await provision(w.deps, guestId);

    // Assess: the request
    expect(kept).toMatchObject({ status: 'ACTIVE', guestId, retain: { by: QUAD_PI.huid, startDate: '2027-07-01', guestId } });
    expect(filed).toMatchObject({ guestHuid: LEAVING.huid, sponsorHuid: QUAD_PI.huid, startDate: '2027-07-01', endDate: '2028-07-01', retainedAccountId: 'lle004', o2AccountId: o2.o2AccountId, status: 'PENDING_APPROVAL', approval: { bySubmission: true } });
    // the guest account: ACTIVE with the same account ID, no activation code, the same directory user taken over
    const guest = (await w.guests.get(guestId))!;
    expect(guest).toMatchObject({ status: 'ACTIVE', accountId: 'lle004', activatedAt: NOW });
    expect(guest.activation).toBeUndefined();
    expect(w.accounts.user('lle004')).toMatchObject({ externalId: guestId, endDate: '2028-07-01', sponsorHuid: QUAD_PI.huid, active: true });
    expect(w.accounts.calls.filter((c) => c.startsWith('create'))).toEqual([]);
    expect(await w.guests.guestIdForAccount('lle004')).toBe(guestId);
    const mail = w.mailer.to('lee.leaving@example.org');
    expect(mail.map((m) => m.subject)).toEqual(['Your HMS account lle004 continues as a guest account']);
    expect(mail[0]!.cc).toEqual([QUAD_PI.email]);
    // a link the person can open (their O2 account), besides the sponsor's guest page
    expect(mail[0]!.text).toContain(`https://guests.example/o2-accounts/${o2.o2AccountId}`);
    expect(w.mailer.sent.some((m) => m.subject === 'Activate your HMS account')).toBe(false);
    // O2: still active, resting on the guest account past the appointment's end
    expect((await w.o2.get(o2.o2AccountId))!.status).toBe('ACTIVE');
    expect(await hmsAccountOf(w.deps, (await w.o2.get(o2.o2AccountId))!, new Date('2027-07-02T12:00:00.000Z'))).toMatchObject({ state: 'active', accountId: 'lle004', endDate: '2028-07-01' });
  });

  it('refused (422) when the person has no Harvard Sponsored Role for the new term: nothing is filed, so no request can wait for an HSR past the appointment\'s end', async () => {
    // Prepare: the leaving person's HSR is gone
    const w = world();
    const o2 = await activeO2OfLeaving(w);
    w.directory.hsrs.delete(LEAVING.huid);
    const guestsBefore = w.guests.guests.size;
    // Act
    const error = await rejects(o2uc.retainO2(w.deps, as(QUAD_PI), o2.o2AccountId), RuleViolation);
    // Assess
    expect(error.message).toContain('Harvard Sponsored Role');
    expect(w.guests.guests.size).toBe(guestsBefore);
    expect((await w.o2.get(o2.o2AccountId))!.retain).toBeUndefined();
  });

  it('run again (a retried Provision), changes and sends nothing more', async () => {
    const w = world();
    const o2 = await activeO2OfLeaving(w);
    const kept = await o2uc.retainO2(w.deps, as(QUAD_PI), o2.o2AccountId);
    await provision(w.deps, kept.retain!.guestId);
    const version = (await w.guests.get(kept.retain!.guestId))!.version;
    const calls = w.accounts.calls.length;
    await provision(w.deps, kept.retain!.guestId);
    expect((await w.guests.get(kept.retain!.guestId))!.version).toBe(version);
    expect(w.accounts.calls.length).toBe(calls);
    expect(w.mailer.to('lee.leaving@example.org')).toHaveLength(1);
  });

  it('filed by the user, it waits for the sponsor; only an active account, once (409); a stranger is told it does not exist', async () => {
    const w = world();
    const o2 = await activeO2OfLeaving(w);
    await rejects(o2uc.retainO2(w.deps, STRANGER, o2.o2AccountId), NotFoundError);
    await rejects(o2uc.retainO2(w.deps, as(RC_STAFF), o2.o2AccountId), NotAllowedError);
    const kept = await o2uc.retainO2(w.deps, as(LEAVING), o2.o2AccountId);
    const guest = (await w.guests.get(kept.retain!.guestId))!;
    expect(guest.approval).toBeUndefined();
    expect(guest.approvalRequestedAt).toBe(NOW);
    await rejects(o2uc.retainO2(w.deps, as(QUAD_PI), o2.o2AccountId), ConflictError);
  });

  it('refused once the appointment has ended (409), and for an account that is not active (409)', async () => {
    const w = world();
    const o2 = await activeO2OfLeaving(w);
    w.clock.set('2027-07-01T14:00:00.000Z');
    await rejects(o2uc.retainO2(w.deps, as(QUAD_PI), o2.o2AccountId), ConflictError);
    await asWorkflow(w, o2.o2AccountId, { status: 'EXPIRED' });
    const error = await rejects(o2uc.retainO2(w.deps, as(QUAD_PI), o2.o2AccountId), ConflictError);
    expect(error.message).toContain('Only an active O2 account can be kept when leaving HMS');
    expect(w.guests.guests.size).toBe(0);
  });
});

describe('one record per lab', () => {
  it('the same lab asked for by requests at the same moment: one is created (201), the others are told it exists (409)', async () => {
    const w = world();
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => o2uc.createLab(w.deps, as(QUAD_PI), { name: 'Race Lab', institution: 'HMS' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(5);
    for (const r of refused) expect(r.reason).toBeInstanceOf(ConflictError);
    expect((await w.o2.labsOfPi(QUAD_PI.huid, {})).items.filter((l) => l.name === 'Race Lab')).toHaveLength(1);
  });

  it('its ID is a version 8 UUID from the PI and the name, letter case aside', async () => {
    const id = await o2uc.labIdFor('30000001', 'Race Lab');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await o2uc.labIdFor('30000001', ' race lab ')).toBe(id);
    expect(await o2uc.labIdFor('30000002', 'Race Lab')).not.toBe(id);
  });
});

describe('nobody approves their own O2 account but the lab\'s PI', () => {
  const SELF_MANAGER = faculty('30000052', 'Mona Manager', { role: 'staff', groups: [`lab-manager:${QUAD_PI.huid}`], hmsAccountId: 'mma052' });

  it('a manager asking for their own account waits for the PI (not approved by that act), cannot decide it (403), cannot name themselves as sponsor (422)', async () => {
    // Prepare
    const w = world();
    w.directory.people.set(SELF_MANAGER.huid, SELF_MANAGER);
    const lab = await labOf(w, QUAD_PI);
    // Act + Assess
    const own = await rejects(o2uc.requestO2(w.deps, as(SELF_MANAGER), { userHuid: SELF_MANAGER.huid, piHuid: SELF_MANAGER.huid, labId: lab.labId }), RuleViolation);
    expect(own.message).toContain('cannot sponsor their own O2 account');
    const asked = await o2uc.requestO2(w.deps, as(SELF_MANAGER), { userHuid: SELF_MANAGER.huid, piHuid: QUAD_PI.huid, labId: lab.labId });
    expect(asked).toMatchObject({ status: 'PENDING_PI_APPROVAL', approvalRequestedAt: NOW });
    expect(asked.approval).toBeUndefined();
    await rejects(o2uc.decideO2(w.deps, as(SELF_MANAGER), asked.o2AccountId, { decision: 'approve' }), NotAllowedError);
    await expect(o2uc.decideO2(w.deps, as(QUAD_PI), asked.o2AccountId, { decision: 'approve' })).resolves.toMatchObject({ approval: { by: QUAD_PI.huid } });
  });
});

describe('the O2 login follows the record, whoever writes last', () => {
  it('a setup that loses its record write to a cancellation takes away the login it had written', async () => {
    // Prepare: approved by the PI; the lifecycle's Setup read it before the user cancelled
    const w = world();
    const lab = await labOf(w, QUAD_PI);
    const o2 = await o2uc.requestO2(w.deps, as(QUAD_PI), { userHuid: STUDENT.huid, piHuid: QUAD_PI.huid, labId: lab.labId });
    await o2uc.cancelO2(w.deps, as(STUDENT), o2.o2AccountId);
    // Act: the Setup goes on with what it read
    await expect(setUpO2(w.deps, o2, 'workflow', 'activate', { accountId: 'sst001' })).rejects.toThrow();
    // Assess
    expect((await w.o2.get(o2.o2AccountId))!.status).toBe('CANCELLED');
    expect(w.accounts.user('sst001')).toMatchObject({ groups: [] });
    expect(w.accounts.user('sst001')!.posix).toBeUndefined();
  });

  it('a cancelled account is due: the reconciler takes away a login left in the directory, then lets it go', async () => {
    // Prepare: cancelled, and then (a setup that wrote after every check) the login written again
    const w = world();
    const lab = await labOf(w, QUAD_PI);
    const o2 = await o2uc.requestO2(w.deps, as(QUAD_PI), { userHuid: STUDENT.huid, piHuid: QUAD_PI.huid, labId: lab.labId });
    const active = await setUpO2(w.deps, o2, 'workflow', 'activate', { accountId: 'sst001' });
    const cancelled = await o2uc.cancelO2(w.deps, as(STUDENT), o2.o2AccountId);
    expect(cancelled.dueAt).toBe(NOW);
    const user = w.accounts.user('sst001')!;
    await w.deps.accounts.addToGroup('o2', user.id);
    await w.deps.accounts.update(user.id, { posix: active.posix! });
    // Act
    await reconcile(w.deps);
    // Assess
    expect(w.accounts.user('sst001')).toMatchObject({ groups: [] });
    expect(w.accounts.user('sst001')!.posix).toBeUndefined();
    expect((await w.o2.get(o2.o2AccountId))!.dueAt).toBeUndefined();
  });

  it("a person's next O2 account gets the same uid number (their files stay theirs), after a cancellation", async () => {
    const w = world();
    const lab = await labOf(w, QUAD_PI);
    const first = await o2uc.requestO2(w.deps, as(QUAD_PI), { userHuid: STUDENT.huid, piHuid: QUAD_PI.huid, labId: lab.labId });
    const uid = (await setUpO2(w.deps, first, 'workflow', 'activate', { accountId: 'sst001' })).posix!.uidNumber;
    await o2uc.cancelO2(w.deps, as(QUAD_PI), first.o2AccountId);
    const second = await o2uc.requestO2(w.deps, as(QUAD_PI), { userHuid: STUDENT.huid, piHuid: QUAD_PI.huid, labId: lab.labId });
    const again = await setUpO2(w.deps, second, 'workflow', 'activate', { accountId: 'sst001' });
    expect(again.posix).toEqual({ uidNumber: uid, homeDirectory: '/home/sst001' });
    expect(w.accounts.user('sst001')!.posix).toEqual({ uidNumber: uid, homeDirectory: '/home/sst001' });
  });
});

describe('rule "Leaving HMS", undone: the retained guest account ends before the person has left', () => {
  async function retained(w: MemoryWorld) {
    const lab = await labOf(w, QUAD_PI);
    const requested = await o2uc.requestO2(w.deps, as(QUAD_PI), { userHuid: LEAVING.huid, piHuid: QUAD_PI.huid, labId: lab.labId });
    const o2 = await setUpO2(w.deps, requested, 'workflow', 'activate', { accountId: 'lle004', endDate: LEAVING.endDate });
    const kept = await o2uc.retainO2(w.deps, as(QUAD_PI), o2.o2AccountId);
    await provision(w.deps, kept.retain!.guestId);
    expect(w.accounts.user('lle004')).toMatchObject({ externalId: kept.retain!.guestId, active: true });
    return kept.retain!.guestId;
  }

  it('cancelled while the person still holds their own appointment: the account is handed back, never disabled (nor by the reconciler later)', async () => {
    // Prepare
    const w = world();
    const guestId = await retained(w);
    const groups = [...w.accounts.user('lle004')!.groups];
    // Act
    const cancelled = await uc.cancelGuest(w.deps, as(QUAD_PI), guestId);
    // Assess
    expect(cancelled).toMatchObject({ status: 'CANCELLED', handedBack: { at: NOW } });
    expect(w.accounts.user('lle004')).toMatchObject({ active: true, groups });
    expect(desiredAccount(cancelled)).toBeUndefined();
  });

  it('expired by HMS IT after the appointment ended: disabled as any guest account', async () => {
    // Prepare: the day after the appointment's end
    const w = world();
    const guestId = await retained(w);
    w.clock.set('2027-07-01T14:00:00.000Z');
    // Act
    const expired = await uc.forceExpire(w.deps, { huid: '39999999', roles: ['hms-it'] }, guestId);
    // Assess
    expect(expired.handedBack).toBeUndefined();
    expect(w.accounts.user('lle004')).toMatchObject({ active: false });
  });
});

describe('the guest lifecycle tells the O2 lifecycle, and never fails because of it', () => {
  /** Grace's HMS guest account (the `o2` service, sponsored by the on-Quad PI heading one lab), provisioned; its O2 account. */
  async function chained(w: MemoryWorld) {
    await labOf(w, QUAD_PI);
    const guest = await uc.requestGuest(w.deps, as(QUAD_PI), { guestHuid: '20000001', population: 'visiting-faculty', endDate: '2027-06-30', services: ['email', 'o2'] });
    await provision(w.deps, guest.guestId);
    return { guestId: guest.guestId, o2Id: guest.o2AccountId! };
  }

  it('a guest cancelled: the O2 lifecycle waiting for its HMS account is woken', async () => {
    const w = world();
    const { guestId, o2Id } = await chained(w);
    await asWorkflow(w, o2Id, waiting('hms-account', 'tok-hms'));
    await uc.cancelGuest(w.deps, as(QUAD_PI), guestId);
    expect(w.o2Workflow.resumed).toEqual([{ taskToken: 'tok-hms', output: { outcome: 'ready' } }]);
  });

  it('a guest expired by HMS IT: an active O2 account resting on it is due now (its lifecycle looks again)', async () => {
    const w = world();
    const { guestId, o2Id } = await chained(w);
    await asWorkflow(w, o2Id, { status: 'ACTIVE', dueAt: '2027-06-30T04:00:00.000Z' });
    w.clock.advance(60_000);
    await uc.forceExpire(w.deps, { huid: '39999999', roles: ['hms-it'] }, guestId);
    expect((await w.o2.get(o2Id))!.dueAt).toBe(w.clock.now().toISOString());
  });

  it('the HMS account cancelled before its end: the O2 account expires saying it ended today, not on the guest account\'s end date', async () => {
    // Prepare: active on Grace's guest account (ending 2027-06-30), which her sponsor cancels
    const w = world();
    const { guestId, o2Id } = await chained(w);
    await asWorkflow(w, o2Id, { status: 'ACTIVE', accountId: 'ggu001', endDate: '2027-06-30', posix: { uidNumber: 300_001, homeDirectory: '/home/ggu001' } });
    await uc.cancelGuest(w.deps, as(QUAD_PI), guestId);
    // Act: the lifecycle's ExpireO2 (its plan finds the HMS account gone)
    await expect(o2Lifecycle.expire(w.deps, o2Id)).resolves.toMatchObject({ expired: true });
    // Assess
    const expired = (await w.o2.get(o2Id))!;
    expect(expired).toMatchObject({ status: 'EXPIRED', endDate: '2027-01-04' });
    const mail = w.mailer.sent.filter((m) => /expired/i.test(m.subject) && m.text.includes('ggu001'));
    expect(mail).toHaveLength(1);
    expect(mail[0]!.text).toContain('expired at the end of Monday, January 4, 2027');
    expect(mail[0]!.text).not.toContain('June 30, 2027');
  });

  it('an O2 repository that fails does not fail the guest cancellation', async () => {
    const w = world();
    const { guestId } = await chained(w);
    w.o2.get = async () => {
      throw new Error('O2 table unavailable');
    };
    const errors: unknown[] = [];
    const log = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      await expect(uc.cancelGuest(w.deps, as(QUAD_PI), guestId)).resolves.toMatchObject({ status: 'CANCELLED' });
    } finally {
      console.error = log;
    }
    expect(JSON.stringify(errors)).toContain('O2 table unavailable');
  });
});
