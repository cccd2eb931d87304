/**
 * End to end (issue 14): O2 accounts through the local system over HTTP — the API as the sample
 * people (tokens of the local identity provider), the clock moved by /_local/clock, the emails read
 * at the mailbox, the HMS account directory read at its page and SCIM API. One system for the file,
 * the clock only ever moved forward; each scenario has its own user (a person holds one live O2
 * account at a time). The people are the built-in sample's O2 people (README, "Built-in sample data").
 *
 *   - on-Quad: a PI asks for a student who has an HMS account → ACTIVE, the RC Core never involved;
 *   - a PI who is not the user's sponsor cannot approve (404, as a missing O2 account);
 *   - off-Quad: the lab not registered → the RC Core emailed once, the request waits; the RC Core
 *     registers the lab, then completes the account → ACTIVE;
 *   - no HMS account (a Harvard ID from an HSR) → the chained HMS guest request, approved and
 *     activated → the O2 account goes on to ACTIVE;
 *   - leaving HMS → the kept account becomes a guest account sponsored by the PI, same account ID,
 *     O2 active every day across the end of the appointment;
 *   - expired off-Quad account → renewal emails rccore@hms.harvard.edu with the PI in cc → the RC
 *     Core completes it → ACTIVE.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDirectory } from '../../shared/adapters/directories.ts';
import { addDays, dateIn, zonedInstant } from '../../shared/core/domain/dates.ts';
import { SAMPLE_DIRECTORY } from '../../local/sample-data.ts';
import { LOCAL_REGION } from '../../local/template.ts';
import { TestSystem, type Mail } from '../support/local-system.ts';
import { PASSWORD } from '../support/sample.ts';

// Monday 4 January 2027, 09:00 in Boston (EST).
const START = '2027-01-04T14:00:00.000Z';
const RC_CORE_CONTACT = 'rccore@hms.harvard.edu';

const person = (huid: string) => {
  const p = SAMPLE_DIRECTORY.people.find((x) => x.huid === huid);
  if (!p) throw new Error(`no sample person ${huid}`);
  return p;
};
// PIs
const QUINN = person('10000010'); // on-Quad: primary appointment in Genetics
const SOL = person('10000011'); // on-Quad by a secondary appointment
const CLEO = person('10000012'); // off-Quad at HMS: a clinical department
const MIA = person('10000013'); // off-Quad: MGH
const FELIX = person('10000014'); // off-Quad: FAS, not an HMS sponsor
// Managers of Quinn's lab, and RC Core staff
const LENA = person('10000015');
const CORY = person('10000016');
const RITA = person('10000017');
const RAVI = person('10000018');
// Users
const STELLA = person('10000019'); // student with an HMS account
const LEO = person('10000020'); // staff, appointment ends 2027-01-29
const RAFA = person('10000021'); // staff at MGH with an HMS account
const TESS = person('10000022'); // staff at MGH, appointment ends 2027-02-26
const NIA = { huid: '20000040', name: 'Nia Noaccount', email: 'nia.noaccount@example.org' }; // an HSR, no HMS account
const OMAR = { huid: '20000041', name: 'Omar Offsite', email: 'omar.offsite@example.org' }; // an HSR, no HMS account
const PIA = { huid: '20000042', name: 'Pia Postdoc', email: 'pia.postdoc@example.org' }; // an HSR, no HMS account

interface LabBody {
  labId: string;
  piHuid: string;
  institution: string;
  quad: { onQuad: boolean; reason: string };
  registration: { status: string; by?: string };
  version: number;
}
interface O2Body {
  o2AccountId: string;
  status: string;
  userHuid: string;
  piHuid: string;
  hmsSponsorHuid: string | null;
  guestId: string | null;
  accountId: string | null;
  approval: { decision: string; by: string } | null;
  completion: { by: string; unixUsername: string } | null;
  posix: { uidNumber: number; homeDirectory: string } | null;
  rcCoreRequestedAt: string | null;
  endDate: string | null;
  retain: { by: string; guestId: string; startDate: string } | null;
  renewal: { by: string } | null;
  version: number;
}
interface DirectoryUserView {
  userName: string;
  externalId: string | null;
  active: boolean;
  groups: string[];
  endDate: string | null;
  sponsorHuid: string | null;
  uidNumber?: number | null;
  homeDirectory?: string | null;
}

let t: TestSystem;
beforeAll(async () => {
  t = await TestSystem.start({ clock: START });
}, 180_000);
afterAll(async () => {
  await t?.stop();
});

/** Lets the workflows catch up with "now". */
const settle = () => t.advance('PT0S');

async function createLab(pi: { huid: string }, body: Record<string, unknown>): Promise<LabBody> {
  const res = await t.as<LabBody>(pi.huid, 'POST', '/v1/labs', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function requestO2(as: { huid: string }, body: Record<string, unknown>): Promise<O2Body> {
  const res = await t.as<O2Body>(as.huid, 'POST', '/v1/o2-accounts', body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await settle();
  return res.body;
}

async function o2Of(as: { huid: string }, id: string): Promise<O2Body> {
  const res = await t.as<O2Body>(as.huid, 'GET', `/v1/o2-accounts/${id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function directoryUser(userName: string): Promise<DirectoryUserView | undefined> {
  return ((await t.directory()).users as DirectoryUserView[]).find((u) => u.userName === userName);
}

/** The O2 login in the account directory: the `o2` group and the POSIX attributes (from the page, and as SCIM answers them). */
async function o2Login(userName: string): Promise<{ member: boolean; posix: { uidNumber: number; homeDirectory: string } | undefined; user: DirectoryUserView | undefined }> {
  const user = await directoryUser(userName);
  const found = await t.scim('GET', `/Users?${new URLSearchParams({ filter: `userName eq "${userName}"` })}`);
  const resource = (found.body.Resources as Record<string, unknown>[] | undefined)?.[0];
  const extension = Object.entries(resource ?? {}).find(([k]) => /posix/i.test(k))?.[1] as { uidNumber?: number; homeDirectory?: string } | undefined;
  const posix = extension?.uidNumber !== undefined && extension.homeDirectory ? { uidNumber: extension.uidNumber, homeDirectory: extension.homeDirectory } : undefined;
  return { member: Boolean(user?.groups.includes('o2')), posix, user };
}

async function expectO2Login(userName: string, o2: O2Body): Promise<void> {
  const login = await o2Login(userName);
  expect(login.member, `${userName} in the group o2`).toBe(true);
  expect(login.posix).toEqual({ uidNumber: o2.posix!.uidNumber, homeDirectory: `/home/${userName}` });
  expect(login.user).toMatchObject({ uidNumber: o2.posix!.uidNumber, homeDirectory: `/home/${userName}` });
}

const subjects = (mail: Mail[]) => mail.map((m) => m.subject);
const about = (mail: Mail[], words: string) => mail.filter((m) => `${m.subject}\n${m.body.text ?? ''}`.includes(words));

/** Account ID and activation code from the guest's activation email. */
function activationOf(mail: Mail): { accountId: string; code: string } {
  const text = mail.body.text ?? '';
  return { accountId: /HMS account ID: (\S+)/.exec(text)![1]!, code: /Activation code: ([A-Z0-9-]+)/.exec(text)![1]! };
}

describe('O2 accounts through the local system', () => {
  let quadLab: LabBody;
  let mghLab: LabBody;
  let fasLab: LabBody;
  let clinicalLab: LabBody;
  let rafaO2: O2Body;
  let leoO2: O2Body;

  it('labs: on-Quad by a primary or a secondary Quad appointment; off-Quad for a clinical department, an affiliate hospital, another Harvard school (registration pending, the RC Core queue); a person with no appointment heads no lab', async () => {
    quadLab = await createLab(QUINN, { name: 'Quinn Lab (Genetics)', institution: 'HMS' });
    expect(quadLab).toMatchObject({ piHuid: QUINN.huid, quad: { onQuad: true }, registration: { status: 'not-required' } });
    expect(quadLab.quad.reason).toContain('Genetics');

    const secondary = await createLab(SOL, { name: 'Sol Lab', institution: 'HMS' });
    expect(secondary).toMatchObject({ quad: { onQuad: true }, registration: { status: 'not-required' } });
    expect(secondary.quad.reason).toContain('secondary');
    expect(secondary.quad.reason).toContain('Systems Biology');

    const clinical = (clinicalLab = await createLab(CLEO, { name: 'Cleo Lab (Dermatology)', institution: 'HMS' }));
    expect(clinical).toMatchObject({ quad: { onQuad: false }, registration: { status: 'pending' } });
    mghLab = await createLab(MIA, { name: 'Mia Lab (MGH)', institution: 'MGH' });
    expect(mghLab).toMatchObject({ quad: { onQuad: false }, registration: { status: 'pending' } });
    expect(mghLab.quad.reason).toContain('MGH');
    const fas = (fasLab = await createLab(FELIX, { name: 'Felix Lab (MCB)', institution: 'FAS' }));
    expect(fas).toMatchObject({ quad: { onQuad: false }, registration: { status: 'pending' } });

    // The RC Core's queue: the off-Quad labs, not the on-Quad ones; only RC Core staff (and HMS IT) see it.
    const queue = await t.as<{ items: LabBody[] }>(RITA.huid, 'GET', '/v1/labs?registration=pending');
    expect(queue.status, JSON.stringify(queue.body)).toBe(200);
    expect(queue.body.items.map((l) => l.labId).sort()).toEqual([clinical.labId, mghLab.labId, fas.labId].sort());
    expect((await t.as(QUINN.huid, 'GET', '/v1/labs?registration=pending')).status).toBe(403);

    // A student has no faculty appointment: not a PI.
    expect((await t.as(STELLA.huid, 'POST', '/v1/labs', { name: 'Stella Lab', institution: 'HMS' })).status).toBe(422);
  });

  it('on-Quad: the PI asks for a student who has an HMS account → ACTIVE without the RC Core: the o2 group and POSIX attributes in the directory, an email with the HMS account ID as the login', async () => {
    const rcCoreBefore = (await t.mailTo(RC_CORE_CONTACT)).length;
    const requested = await requestO2(QUINN, { userHuid: STELLA.huid, piHuid: QUINN.huid, labId: quadLab.labId, justification: 'Sequencing analysis' });

    const o2 = await o2Of(STELLA, requested.o2AccountId);
    expect(o2).toMatchObject({ status: 'ACTIVE', userHuid: STELLA.huid, piHuid: QUINN.huid, accountId: STELLA.hmsAccountId, approval: { decision: 'approve', by: QUINN.huid }, completion: null, rcCoreRequestedAt: null });
    expect(o2.posix).toMatchObject({ homeDirectory: `/home/${STELLA.hmsAccountId}` });
    await expectO2Login(STELLA.hmsAccountId!, o2);

    const toStella = await t.mailTo(STELLA.email);
    expect(subjects(toStella)).toEqual(['Your O2 account is active']);
    expect(toStella[0]!.body.text).toContain(STELLA.hmsAccountId!);
    expect((await t.mailTo(RC_CORE_CONTACT)).length).toBe(rcCoreBefore);
    const history = await t.as<{ items: { action: string; after?: { status?: string } }[] }>(QUINN.huid, 'GET', `/v1/o2-accounts/${o2.o2AccountId}/history`);
    expect(history.status).toBe(200);
    expect(history.body.items.map((e) => e.after?.status).filter(Boolean)).not.toContain('PENDING_RC_CORE');
    // The user's own list holds it.
    const mine = await t.as<{ items: O2Body[] }>(STELLA.huid, 'GET', '/v1/o2-accounts');
    expect(mine.body.items.map((x) => x.o2AccountId)).toEqual([o2.o2AccountId]);
  });

  it('a PI who is not the user’s sponsor cannot approve: 404, as a missing O2 account; the sponsor approves → ACTIVE', async () => {
    const requested = await requestO2(LEO, { userHuid: LEO.huid, piHuid: QUINN.huid, labId: quadLab.labId });
    expect((await o2Of(LEO, requested.o2AccountId)).status).toBe('PENDING_PI_APPROVAL');
    expect(subjects(about(await t.mailTo(QUINN.email), 'Leo Leaving'))).toEqual(['Approve the O2 account of Leo Leaving']);

    const missing = await t.as(CLEO.huid, 'POST', `/v1/o2-accounts/${randomUUID()}/decision`, { decision: 'approve' });
    const refused = await t.as(CLEO.huid, 'POST', `/v1/o2-accounts/${requested.o2AccountId}/decision`, { decision: 'approve' });
    expect(missing.status).toBe(404);
    expect(refused.status).toBe(404);
    expect({ type: refused.body.type, title: refused.body.title }).toEqual({ type: missing.body.type, title: missing.body.title });
    expect((await t.as(CLEO.huid, 'GET', `/v1/o2-accounts/${requested.o2AccountId}`)).status).toBe(404);
    await settle();
    expect((await o2Of(LEO, requested.o2AccountId)).status).toBe('PENDING_PI_APPROVAL');

    const approved = await t.as<O2Body>(QUINN.huid, 'POST', `/v1/o2-accounts/${requested.o2AccountId}/decision`, { decision: 'approve' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    await settle();
    leoO2 = await o2Of(LEO, requested.o2AccountId);
    expect(leoO2).toMatchObject({ status: 'ACTIVE', accountId: LEO.hmsAccountId, approval: { decision: 'approve', by: QUINN.huid }, endDate: LEO.endDate });
    await expectO2Login(LEO.hmsAccountId!, leoO2);
  });

  it('off-Quad: the lab not registered → the RC Core emailed once, the request waits; the RC Core registers the lab, then completes the account (Unix username = HMS account ID) → ACTIVE', async () => {
    const requested = await requestO2(MIA, { userHuid: RAFA.huid, piHuid: MIA.huid, labId: mghLab.labId });
    expect((await o2Of(RAFA, requested.o2AccountId)).status).toBe('PENDING_LAB_REGISTRATION');
    const registrationMails = async () => about(await t.mailTo(RC_CORE_CONTACT), 'Register the lab "Mia Lab (MGH)"');
    expect(await registrationMails()).toHaveLength(1);
    expect(about(await t.mailTo(MIA.email), 'register your lab')).toHaveLength(1);

    // It waits (a day later: no second email, still waiting).
    await t.advance('P1D');
    expect((await o2Of(RAFA, requested.o2AccountId)).status).toBe('PENDING_LAB_REGISTRATION');
    expect(await registrationMails()).toHaveLength(1);
    expect((await o2Login(RAFA.hmsAccountId!)).member).toBe(false);

    // Only the RC Core registers a lab.
    const registration = { chargeback: { charged: true, account: '370-31230-8250-000001-000000-0000-00000' }, billingContact: { name: MIA.name, email: MIA.email } };
    expect((await t.as(MIA.huid, 'POST', `/v1/labs/${mghLab.labId}/registration`, registration)).status).toBe(403);
    const registered = await t.as<LabBody>(RITA.huid, 'POST', `/v1/labs/${mghLab.labId}/registration`, registration);
    expect(registered.status, JSON.stringify(registered.body)).toBe(200);
    expect(registered.body.registration).toMatchObject({ status: 'registered', by: RITA.huid });
    await settle();

    let o2 = await o2Of(RAFA, requested.o2AccountId);
    expect(o2.status).toBe('PENDING_RC_CORE');
    expect(o2.rcCoreRequestedAt).not.toBeNull();
    expect(about(await t.mailTo(RC_CORE_CONTACT), 'O2 account of Rafa Research')).toHaveLength(1);
    expect(await registrationMails()).toHaveLength(1);
    const queue = await t.as<{ items: O2Body[] }>(RAVI.huid, 'GET', '/v1/o2-accounts?as=rc-core');
    expect(queue.status, JSON.stringify(queue.body)).toBe(200);
    expect(queue.body.items.map((x) => x.o2AccountId)).toContain(o2.o2AccountId);

    // The Unix username must be the HMS account ID; only the RC Core completes.
    expect((await t.as(RAVI.huid, 'POST', `/v1/o2-accounts/${o2.o2AccountId}/completion`, { unixUsername: 'xyz999' })).status).toBe(422);
    expect((await t.as(MIA.huid, 'POST', `/v1/o2-accounts/${o2.o2AccountId}/completion`, { unixUsername: RAFA.hmsAccountId })).status).toBe(403);
    const completed = await t.as<O2Body>(RAVI.huid, 'POST', `/v1/o2-accounts/${o2.o2AccountId}/completion`, { unixUsername: RAFA.hmsAccountId });
    expect(completed.status, JSON.stringify(completed.body)).toBe(200);
    await settle();

    o2 = rafaO2 = await o2Of(RAFA, requested.o2AccountId);
    expect(o2).toMatchObject({ status: 'ACTIVE', accountId: RAFA.hmsAccountId, completion: { by: RAVI.huid, unixUsername: RAFA.hmsAccountId } });
    await expectO2Login(RAFA.hmsAccountId!, o2);
    const toRafa = await t.mailTo(RAFA.email);
    expect(subjects(toRafa)).toEqual(['Your O2 account is active']);
    expect(toRafa[0]!.body.text).toContain(RAFA.hmsAccountId!);
  });

  it('no HMS account (a Harvard ID from an HSR): the chained HMS guest request, approved by the PI and activated → the O2 account goes on → ACTIVE with the guest account’s ID as the login', async () => {
    // A manager of Quinn's lab asks: the O2 account is approved by that act, the guest account waits for its sponsor (the PI).
    const requested = await requestO2(LENA, { userHuid: NIA.huid, piHuid: QUINN.huid, labId: quadLab.labId });
    expect(requested.status).toBe('PENDING_HMS_ACCOUNT');
    expect(requested.guestId).toEqual(expect.any(String));
    const guestId = requested.guestId!;
    let guest = await t.guest(QUINN.huid, guestId);
    expect(guest).toMatchObject({ status: 'PENDING_APPROVAL', guestHuid: NIA.huid, sponsorHuid: QUINN.huid, submittedBy: LENA.huid, o2AccountId: requested.o2AccountId });
    expect((await o2Of(NIA, requested.o2AccountId)).status).toBe('PENDING_HMS_ACCOUNT');

    const decided = await t.as(QUINN.huid, 'POST', `/v1/guests/${guestId}/decision`, { decision: 'approve' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    await settle();
    const activation = (await t.mailTo(NIA.email)).filter((m) => m.subject === 'Activate your HMS account');
    expect(activation).toHaveLength(1);
    const { accountId, code } = activationOf(activation[0]!);
    expect((await o2Of(NIA, requested.o2AccountId)).status).toBe('PENDING_HMS_ACCOUNT');

    const activated = await t.raw('POST', '/v1/activate', { accountId, code, password: PASSWORD });
    expect(activated.status, JSON.stringify(activated.body)).toBe(200);
    await settle();
    guest = await t.guest(QUINN.huid, guestId);
    expect(guest).toMatchObject({ status: 'ACTIVE', accountId });

    const o2 = await o2Of(NIA, requested.o2AccountId);
    expect(o2).toMatchObject({ status: 'ACTIVE', accountId, guestId, completion: null });
    await expectO2Login(accountId, o2);
    const active = (await t.mailTo(NIA.email)).filter((m) => m.subject === 'Your O2 account is active');
    expect(active).toHaveLength(1);
    expect(active[0]!.body.text).toContain(accountId);
  });

  it('no Harvard ID: 422 with the HSR step; a PI of another Harvard school (not an HMS sponsor) must name an HMS sponsor for a user without an HMS account (422 saying so); only that sponsor (or a delegate of theirs) may name them, and then sponsors the chained guest account', async () => {
    const noHuid = await t.as(FELIX.huid, 'POST', '/v1/o2-accounts', { userHuid: '29999999', piHuid: FELIX.huid, labId: fasLab.labId });
    expect(noHuid.status, JSON.stringify(noHuid.body)).toBe(422);
    expect(String(noHuid.body.detail)).toContain('Harvard Sponsored Role');

    const unnamed = await t.as(FELIX.huid, 'POST', '/v1/o2-accounts', { userHuid: OMAR.huid, piHuid: FELIX.huid, labId: fasLab.labId });
    expect(unnamed.status, JSON.stringify(unnamed.body)).toBe(422);
    expect(String(unnamed.body.detail)).toMatch(/HMS sponsor/);

    // Felix is not a delegate of Quinn's: he may not file an HMS guest account in her name, and no mail goes out.
    const mailBefore = (await t.mail()).length;
    const notHis = await t.as(FELIX.huid, 'POST', '/v1/o2-accounts', { userHuid: OMAR.huid, piHuid: FELIX.huid, labId: fasLab.labId, hmsSponsorHuid: QUINN.huid });
    expect(notHis.status, JSON.stringify(notHis.body)).toBe(403);
    expect(String(notHis.body.detail)).toContain(`${FELIX.huid} is not a delegate named by sponsor ${QUINN.huid}`);
    await settle();
    expect((await t.mail()).length).toBe(mailBefore);

    // RC Core staff (HMS staff, so an HMS sponsor) name themselves: they sponsor the chained guest account, approved by that act.
    const named = await requestO2(RITA, { userHuid: OMAR.huid, piHuid: FELIX.huid, labId: fasLab.labId, hmsSponsorHuid: RITA.huid });
    expect(named).toMatchObject({ status: 'PENDING_HMS_ACCOUNT', hmsSponsorHuid: RITA.huid, approval: null });
    expect(await t.guest(RITA.huid, named.guestId!)).toMatchObject({ guestHuid: OMAR.huid, sponsorHuid: RITA.huid, submittedBy: RITA.huid, status: 'PENDING_ACTIVATION' });
  });

  it('no HMS account, asked by the user: the guest account approved by the PI and activated, then the O2 account waits for the PI’s approval → ACTIVE', async () => {
    const requested = await requestO2(PIA, { userHuid: PIA.huid, piHuid: QUINN.huid, labId: quadLab.labId, justification: 'Imaging pipeline' });
    expect(requested).toMatchObject({ status: 'PENDING_HMS_ACCOUNT', approval: null });
    const guestId = requested.guestId!;
    expect(await t.guest(QUINN.huid, guestId)).toMatchObject({ status: 'PENDING_APPROVAL', guestHuid: PIA.huid, sponsorHuid: QUINN.huid, submittedBy: PIA.huid });
    expect((await t.as(QUINN.huid, 'POST', `/v1/guests/${guestId}/decision`, { decision: 'approve' })).status).toBe(200);
    await settle();
    const { accountId, code } = activationOf((await t.mailTo(PIA.email)).find((m) => m.subject === 'Activate your HMS account')!);
    expect((await t.raw('POST', '/v1/activate', { accountId, code, password: PASSWORD })).status).toBe(200);
    await settle();

    expect(await o2Of(PIA, requested.o2AccountId)).toMatchObject({ status: 'PENDING_PI_APPROVAL', accountId });
    expect(subjects(about(await t.mailTo(QUINN.email), 'Approve the O2 account of Pia Postdoc'))).toEqual(['Approve the O2 account of Pia Postdoc']);
    expect((await o2Login(accountId)).member).toBe(false);
    // The user cannot approve their own request (they may read it: 403).
    expect((await t.as(PIA.huid, 'POST', `/v1/o2-accounts/${requested.o2AccountId}/decision`, { decision: 'approve' })).status).toBe(403);
    const approved = await t.as(QUINN.huid, 'POST', `/v1/o2-accounts/${requested.o2AccountId}/decision`, { decision: 'approve' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    await settle();
    const o2 = await o2Of(PIA, requested.o2AccountId);
    expect(o2).toMatchObject({ status: 'ACTIVE', accountId, approval: { decision: 'approve', by: QUINN.huid } });
    await expectO2Login(accountId, o2);
  });

  it('leaving HMS: the PI keeps the account → a guest account sponsored by the PI, same account ID, from the day after the appointment ends; O2 never inactive across the end', async () => {
    const res = await t.as<O2Body>(QUINN.huid, 'POST', `/v1/o2-accounts/${leoO2.o2AccountId}/retain`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.retain).toMatchObject({ by: QUINN.huid, startDate: '2027-01-30' });
    const guestId = res.body.retain!.guestId;
    await settle();
    let guest = await t.guest(QUINN.huid, guestId);
    expect(guest).toMatchObject({ guestHuid: LEO.huid, sponsorHuid: QUINN.huid, startDate: '2027-01-30' });

    // Every few hours across the end of the appointment (the end of 2027-01-29 in Boston is 05:00Z on the 30th).
    const instants = ['2027-01-28T14:00:00.000Z', '2027-01-29T14:00:00.000Z', '2027-01-30T04:59:00.000Z', '2027-01-30T05:01:00.000Z', '2027-01-30T11:30:00.000Z', '2027-01-30T14:00:00.000Z', '2027-01-31T14:00:00.000Z', '2027-02-01T14:00:00.000Z'];
    for (const at of instants) {
      await t.advanceTo(at);
      const o2 = await o2Of(LEO, leoO2.o2AccountId);
      expect(o2.status, `O2 at ${at}`).toBe('ACTIVE');
      const login = await o2Login(LEO.hmsAccountId!);
      expect(login.member, `in o2 at ${at}`).toBe(true);
      expect(login.posix, `POSIX at ${at}`).toEqual({ uidNumber: leoO2.posix!.uidNumber, homeDirectory: `/home/${LEO.hmsAccountId}` });
      expect(login.user?.active, `enabled at ${at}`).toBe(true);
    }

    guest = await t.guest(QUINN.huid, guestId);
    expect(guest).toMatchObject({ status: 'ACTIVE', accountId: LEO.hmsAccountId, sponsorHuid: QUINN.huid, services: expect.arrayContaining(['file-shares', 'o2']) });
    const user = await directoryUser(LEO.hmsAccountId!);
    expect(user).toMatchObject({ externalId: guestId, sponsorHuid: QUINN.huid, endDate: guest.endDate, active: true });
    // HMS storage kept: the kept account is in the file-shares group from the day after the appointment ends.
    expect(user!.groups).toEqual(expect.arrayContaining(['hms-guest-file-shares', 'o2']));
    // One directory user throughout: the account changed role, not name.
    expect(((await t.directory()).users as DirectoryUserView[]).filter((u) => u.userName === LEO.hmsAccountId || u.externalId === guestId)).toHaveLength(1);
    // Told at the personal email of his Harvard Sponsored Role (the guest account's email); nothing to activate.
    const toLeo = subjects(await t.mailTo('leo.leaving@example.org'));
    expect(toLeo).toContain(`Your HMS account ${LEO.hmsAccountId} continues as a guest account`);
    expect(toLeo).not.toContain('Activate your HMS account');
    expect((await o2Of(LEO, leoO2.o2AccountId)).endDate).toBe(guest.endDate);
  });

  it('renewal: an expired O2 account of an off-Quad lab → the renewal emails rccore@hms.harvard.edu with the PI in cc → the RC Core completes it → ACTIVE', async () => {
    const requested = await requestO2(MIA, { userHuid: TESS.huid, piHuid: MIA.huid, labId: mghLab.labId });
    expect((await o2Of(TESS, requested.o2AccountId)).status).toBe('PENDING_RC_CORE');
    const completed = await t.as<O2Body>(RITA.huid, 'POST', `/v1/o2-accounts/${requested.o2AccountId}/completion`, { unixUsername: TESS.hmsAccountId });
    expect(completed.status, JSON.stringify(completed.body)).toBe(200);
    await settle();
    const active = await o2Of(TESS, requested.o2AccountId);
    expect(active).toMatchObject({ status: 'ACTIVE', endDate: TESS.endDate });

    // Expires with the HMS account (the end of 2027-02-26): the O2 login taken away, the user and the PI told.
    await t.advanceTo('2027-02-27T15:00:00.000Z');
    expect((await o2Of(TESS, requested.o2AccountId)).status).toBe('EXPIRED');
    const gone = await o2Login(TESS.hmsAccountId!);
    expect(gone.member).toBe(false);
    expect(gone.posix).toBeUndefined();
    const expired = (await t.mailTo(TESS.email)).filter((m) => m.subject.includes('expired'));
    expect(expired).toHaveLength(1);
    expect(expired[0]!.destination.cc).toContain(MIA.email);
    expect(expired[0]!.body.text).toContain(RC_CORE_CONTACT);

    // Renewal asked by the user: to the RC Core, the PI in cc.
    const rcCoreBefore = (await t.mailTo(RC_CORE_CONTACT)).length;
    const renewed = await t.as<O2Body>(TESS.huid, 'POST', `/v1/o2-accounts/${requested.o2AccountId}/renewal`, { note: 'Still analysing the cohort data.' });
    expect(renewed.status, JSON.stringify(renewed.body)).toBe(200);
    expect(renewed.body).toMatchObject({ status: 'RENEWAL_REQUESTED', renewal: { by: TESS.huid } });
    await settle();
    const renewal = (await t.mailTo(RC_CORE_CONTACT)).slice(rcCoreBefore).filter((m) => m.subject.includes('Renew') && m.subject.includes(TESS.name));
    expect(renewal).toHaveLength(1);
    expect(renewal[0]!.destination.to).toEqual([RC_CORE_CONTACT]);
    expect(renewal[0]!.destination.cc).toContain(MIA.email);
    const queue = await t.as<{ items: O2Body[] }>(RITA.huid, 'GET', '/v1/o2-accounts?as=rc-core');
    expect(queue.body.items.map((x) => x.o2AccountId)).toContain(requested.o2AccountId);

    // The HMS ID is renewed (HR extends the appointment in the people directory), then the RC Core completes.
    const client = new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await new DynamoDirectory(client, t.sys.deployment.environment.DIRECTORY_TABLE!).load({ people: [{ ...TESS, endDate: '2028-02-29' }], hsr: [] });
    client.destroy();
    const done = await t.as<O2Body>(RAVI.huid, 'POST', `/v1/o2-accounts/${requested.o2AccountId}/completion`, { unixUsername: TESS.hmsAccountId });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    await settle();
    const again = await o2Of(TESS, requested.o2AccountId);
    expect(again).toMatchObject({ status: 'ACTIVE', endDate: '2028-02-29', completion: { by: RAVI.huid } });
    // The renewal keeps the uid number: the user's files stay theirs.
    expect(again.posix?.uidNumber).toBe(active.posix?.uidNumber);
    await expectO2Login(TESS.hmsAccountId!, again);
  });

  it('an off-Quad lab that is never registered: the RC Core and the PI reminded weekly, the request lapses after 30 days with an email saying why', async () => {
    const labMails = async () => about(await t.mailTo(RC_CORE_CONTACT), 'Register the lab "Cleo Lab (Dermatology)"');
    const requested = await requestO2(CLEO, { userHuid: CORY.huid, piHuid: CLEO.huid, labId: clinicalLab.labId });
    expect((await o2Of(CORY, requested.o2AccountId)).status).toBe('PENDING_LAB_REGISTRATION');
    expect(subjects(await labMails())).toEqual(['Register the lab "Cleo Lab (Dermatology)" for O2']);

    await t.advance('P7DT1H');
    expect((await o2Of(CORY, requested.o2AccountId)).status).toBe('PENDING_LAB_REGISTRATION');
    expect(subjects(await labMails())).toEqual(['Register the lab "Cleo Lab (Dermatology)" for O2', 'Reminder 1: Register the lab "Cleo Lab (Dermatology)" for O2']);

    await t.advance('P23D');
    const lapsed = await o2Of(CORY, requested.o2AccountId);
    expect(lapsed).toMatchObject({ status: 'LAPSED', posix: null });
    expect((lapsed as unknown as { lapse: { reason: string } }).lapse.reason).toBe('lab-not-registered');
    expect((await labMails()).map((m) => m.subject.replace(/^Reminder (\d): .*/, 'reminder $1'))).toEqual(['Register the lab "Cleo Lab (Dermatology)" for O2', 'reminder 1', 'reminder 2', 'reminder 3', 'reminder 4']);
    // To the user and the PI (who asked): one email, every address kept (local/mailbox.ts).
    const why = about(await t.mailTo(CORY.email), 'lapsed');
    expect(why).toHaveLength(1);
    expect([...why[0]!.destination.to, ...why[0]!.destination.cc]).toEqual(expect.arrayContaining([CORY.email, CLEO.email]));
    expect(why[0]!.body.text).toContain('not registered with the HMS Research Computing Core within 30 days');
    expect((await o2Login(CORY.hmsAccountId!)).member).toBe(false);
  });

  it('cancelled: the O2 login is taken away from the directory (the o2 group and the POSIX attributes)', async () => {
    expect((await o2Login(RAFA.hmsAccountId!)).member).toBe(true);
    const cancelled = await t.as<O2Body>(MIA.huid, 'POST', `/v1/o2-accounts/${rafaO2.o2AccountId}/cancel`, { reason: 'Left the lab' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    await settle();
    expect(await o2Of(RAFA, rafaO2.o2AccountId)).toMatchObject({ status: 'CANCELLED', posix: null });
    const login = await o2Login(RAFA.hmsAccountId!);
    expect(login.member).toBe(false);
    expect(login.posix).toBeUndefined();
    // The person's own HMS account stays as it was: only the O2 login went.
    expect(login.user).toMatchObject({ active: true, externalId: null });
  });

  it('the RC Core sets an end date earlier than the HMS account’s at completion: the O2 account keeps it, gets its notices before it, and expires the day after it (the login taken away) while the HMS account goes on', async () => {
    // Rafa again (his first O2 account was cancelled above); his own HMS account has no end date.
    const requested = await requestO2(MIA, { userHuid: RAFA.huid, piHuid: MIA.huid, labId: mghLab.labId });
    expect((await o2Of(RAFA, requested.o2AccountId)).status).toBe('PENDING_RC_CORE');
    const today = dateIn(new Date(await t.now()));
    const last = addDays(today, 20);
    const completed = await t.as<O2Body>(RITA.huid, 'POST', `/v1/o2-accounts/${requested.o2AccountId}/completion`, { unixUsername: RAFA.hmsAccountId, endDate: last });
    expect(completed.status, JSON.stringify(completed.body)).toBe(200);
    expect(completed.body).toMatchObject({ status: 'ACTIVE', endDate: last, completion: { by: RITA.huid, endDate: last } });
    await settle();
    // Not undone by the lifecycle: no end date changed after the completion.
    const history = (await t.as<{ items: { action: string; after: Record<string, unknown> }[] }>(MIA.huid, 'GET', `/v1/o2-accounts/${requested.o2AccountId}/history`)).body.items;
    expect(history.filter((e) => e.action === 'end-date-changed')).toEqual([]);
    expect((await o2Of(RAFA, requested.o2AccountId)).endDate).toBe(last);

    // The last day, in the afternoon in Boston: still active, the notices 7 days and 1 day before.
    await t.advanceTo(zonedInstant(last, 15).toISOString());
    expect((await o2Of(RAFA, requested.o2AccountId)).status).toBe('ACTIVE');
    expect((await o2Login(RAFA.hmsAccountId!)).member).toBe(true);
    expect(subjects(await t.mailTo(RAFA.email)).filter((s) => s.includes(`expires on ${last}`))).toHaveLength(2);

    // The day after: expired, the login taken away; the HMS account itself goes on.
    await t.advanceTo(zonedInstant(addDays(last, 1), 9).toISOString());
    expect(await o2Of(RAFA, requested.o2AccountId)).toMatchObject({ status: 'EXPIRED', endDate: last });
    const login = await o2Login(RAFA.hmsAccountId!);
    expect(login.member).toBe(false);
    expect(login.posix).toBeUndefined();
    expect(login.user?.active).toBe(true);
  });
});
