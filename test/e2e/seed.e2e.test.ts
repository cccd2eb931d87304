/**
 * End to end: `--seed FILE`. An invalid file stops the command with a non-zero exit and the path of
 * each bad field (the O2 fields of issue 14 too); a valid one is the directory the system uses
 * (instead of the built-in sample), whether its people are written the old way (no appointments,
 * groups, HMS account) or carry the O2 fields. The people of the valid file also play the
 * delegate-request-approved scenario.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, Systems, type LocalCli, type Mail } from '../support/cli.ts';

const systems = new Systems();
afterAll(() => systems.killAll());

const person = (huid: string, extra: Record<string, unknown> = {}) => ({
  huid,
  name: 'Val Seeded',
  email: 'val.seeded@hms.harvard.edu',
  role: 'faculty',
  school: 'HMS',
  site: 'Quad',
  active: true,
  ...extra,
});
const hsr = (huid: string, extra: Record<string, unknown> = {}) => ({
  huid,
  firstName: 'Sid',
  lastName: 'Seeded',
  personalEmail: 'sid.seeded@example.org',
  status: 'active',
  endDate: '2030-06-30',
  ...extra,
});

it('an invalid --seed file: exit non-zero, the file and the path of each bad field printed, nothing started', async () => {
  const dir = systems.dir();
  const file = join(dir, 'bad-seed.json');
  writeFileSync(
    file,
    JSON.stringify({
      people: [person('12AB'), person('30000002'), person('30000003', { email: 'not an email', nmae: 'typo' })],
      hsr: [hsr('40000001'), hsr('40000002', { endDate: '2030-02-30' }), hsr('40000003', { status: 'retired' })],
    }),
  );
  const out = await runCli(['--api-port', '0', '--mail-port', '0', '--scim-port', '0', '--data-dir', join(dir, 'data'), '--seed', file]);
  expect(out.code).not.toBe(0);
  expect(out.code).not.toBeNull();
  expect(out.stderr).toContain(file);
  const fields = out.stderr
    .split('\n')
    .map((l) => /^\s+(\S+): /.exec(l)?.[1])
    .filter(Boolean);
  expect(fields.sort()).toEqual(['hsr[1].endDate', 'hsr[2].status', 'people[0].huid', 'people[2].email', 'people[2].nmae'].sort());
  expect(out.stdout).not.toContain('ready');
});

it('a --seed file with bad O2 fields (appointments, groups, HMS account ID, end date): exit non-zero, each bad field named', async () => {
  const dir = systems.dir();
  const file = join(dir, 'bad-o2-seed.json');
  writeFileSync(
    file,
    JSON.stringify({
      people: [
        person('30000001', { appointments: [{ department: 'Genetics', quad: true, kind: 'primary' }], groups: ['rc-core'], hmsAccountId: 'vse100', endDate: '2027-06-30' }),
        person('30000002', { appointments: [{ department: 'Genetics', quad: 'yes', kind: 'main' }, { departmnet: 'Cell Biology', quad: true, kind: 'secondary' }] }),
        person('30000003', { groups: ['RC Core', 'lab-manager:123'], hmsAccountId: 'VS-1', endDate: '2027-02-30' }),
        person('30000005', {
          appointments: [
            { department: 'Genetics', quad: true, kind: 'primary' },
            { department: 'Medicine', quad: false, kind: 'primary' },
          ],
        }),
      ],
    }),
  );
  const out = await runCli(['--api-port', '0', '--mail-port', '0', '--scim-port', '0', '--data-dir', join(dir, 'data'), '--seed', file]);
  expect(out.code).not.toBe(0);
  expect(out.code).not.toBeNull();
  expect(out.stderr).toContain(file);
  const fields = out.stderr
    .split('\n')
    .map((l) => /^\s+(\S+): /.exec(l)?.[1])
    .filter(Boolean);
  expect(fields.sort()).toEqual(
    [
      'people[1].appointments[0].quad',
      'people[1].appointments[0].kind',
      'people[1].appointments[1].departmnet',
      'people[1].appointments[1].department',
      'people[2].groups[0]',
      'people[2].groups[1]',
      'people[2].hmsAccountId',
      'people[2].endDate',
      'people[3].appointments[1].kind',
    ].sort(),
  );
  expect(out.stdout).not.toContain('ready');
});

it('a --seed file that is not JSON: exit non-zero naming the file', async () => {
  const dir = systems.dir();
  const file = join(dir, 'not-json.json');
  writeFileSync(file, '{"people": [');
  const out = await runCli(['--api-port', '0', '--mail-port', '0', '--scim-port', '0', '--data-dir', join(dir, 'data'), '--seed', file]);
  expect(out.code).not.toBe(0);
  expect(out.code).not.toBeNull();
  expect(out.stderr).toContain(file);
  expect(out.stdout).not.toContain('ready');
});

describe('with a valid --seed file', () => {
  // Only in the file: a sponsor who named a delegate, and two guests with an HSR (written the old way,
  // without the O2 fields); a PI with appointments and an HMS account, and RC Core staff (the new way).
  const SEEDED_SPONSOR = { huid: '30000001', email: 'val.seeded@hms.harvard.edu' };
  const SEEDED_DELEGATE = { huid: '30000004', email: 'del.seeded@hms.harvard.edu' };
  const SEEDED_PI = { huid: '30000010', hmsAccountId: 'pse100' };
  const SEEDED_RC_CORE = { huid: '30000011', hmsAccountId: 'rse100' };
  let sys: LocalCli;

  beforeAll(async () => {
    const dir = systems.dir();
    const file = join(dir, 'seed.json');
    writeFileSync(
      file,
      JSON.stringify({
        people: [
          person(SEEDED_SPONSOR.huid, { delegates: [SEEDED_DELEGATE.huid] }),
          person(SEEDED_DELEGATE.huid, { name: 'Del Seeded', email: SEEDED_DELEGATE.email, role: 'staff' }),
          person(SEEDED_PI.huid, {
            name: 'Pat Seeded',
            email: 'pat.seeded@hms.harvard.edu',
            appointments: [
              { department: 'Dermatology', quad: false, kind: 'primary' },
              { department: 'Cell Biology', quad: true, kind: 'secondary' },
            ],
            hmsAccountId: SEEDED_PI.hmsAccountId,
            endDate: '2029-06-30',
          }),
          person(SEEDED_RC_CORE.huid, { name: 'Rho Seeded', email: 'rho.seeded@hms.harvard.edu', role: 'staff', groups: ['rc-core'], hmsAccountId: SEEDED_RC_CORE.hmsAccountId }),
        ],
        hsr: [hsr('40000001'), hsr('40000002', { firstName: 'Tia', personalEmail: 'tia.seeded@example.org' })],
      }),
    );
    sys = await systems.start({ dataDir: join(dir, 'data'), clock: '2027-01-04T14:00:00Z', seed: file });
  });

  const subjectsTo = async (address: string, about: string) =>
    (await sys.mailTo(address)).filter((m: Mail) => `${m.subject}\n${m.body.text ?? ''}`.includes(about)).map((m) => m.subject);

  it('a person only in that file sponsors a guest only in that file; the built-in sample is not loaded', async () => {
    const res = await sys.as(SEEDED_SPONSOR.huid, 'POST', '/v1/guests', { guestHuid: '40000001', population: 'visiting-faculty', endDate: '2027-06-30' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await sys.settle();
    const guest = await sys.guest(SEEDED_SPONSOR.huid, String(res.body.guestId));
    expect(guest).toMatchObject({ status: 'PENDING_ACTIVATION', guestName: 'Sid Seeded', sponsorHuid: SEEDED_SPONSOR.huid });
    expect((await sys.mailTo('sid.seeded@example.org')).map((m) => m.subject)).toEqual(['Activate your HMS account']);
    expect(await subjectsTo(SEEDED_SPONSOR.email, 'Sid Seeded')).toEqual([expect.stringContaining('Activate your HMS account')]);

    // The built-in sample directory was not loaded: its sponsor is unknown here.
    const sample = await sys.as('10000001', 'POST', '/v1/guests', { guestHuid: '40000001', population: 'visiting-faculty', endDate: '2027-06-30' });
    expect(sample.status).toBe(403);
    expect(JSON.stringify(sample.body)).toContain('not in the Harvard people directory');
  });

  it('a delegate’s request waits for the sponsor, who approves it; then it is provisioned', async () => {
    const res = await sys.as(SEEDED_DELEGATE.huid, 'POST', '/v1/guests', { guestHuid: '40000002', population: 'agency-temp', endDate: '2027-06-30', sponsorHuid: SEEDED_SPONSOR.huid });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const guestId = String(res.body.guestId);
    await sys.settle();

    let guest = await sys.guest(SEEDED_SPONSOR.huid, guestId);
    expect(guest).toMatchObject({ status: 'PENDING_APPROVAL', submittedBy: SEEDED_DELEGATE.huid, sponsorHuid: SEEDED_SPONSOR.huid });
    expect(guest.accountId ?? null).toBeNull();
    expect(await subjectsTo(SEEDED_SPONSOR.email, 'Tia Seeded')).toEqual([expect.stringMatching(/^Approve HMS guest account/)]);
    expect(await sys.mailTo('tia.seeded@example.org')).toHaveLength(0);
    expect((await sys.executionsOf(guestId))[0]).toMatchObject({ status: 'RUNNING', currentState: 'RequestApproval' });

    // The delegate cannot decide; the sponsor can.
    const byDelegate = await sys.as(SEEDED_DELEGATE.huid, 'POST', `/v1/guests/${guestId}/decision`, { decision: 'approve' });
    expect(byDelegate.status).toBe(403);
    await sys.settle();
    expect((await sys.guest(SEEDED_SPONSOR.huid, guestId)).status).toBe('PENDING_APPROVAL');
    const approved = await sys.as(SEEDED_SPONSOR.huid, 'POST', `/v1/guests/${guestId}/decision`, { decision: 'approve' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    await sys.settle();

    guest = await sys.guest(SEEDED_SPONSOR.huid, guestId);
    expect(guest.status).toBe('PENDING_ACTIVATION');
    expect(guest.accountId).toMatch(/^[a-z]{1,3}\d{3}$/);
    expect(guest.approval).toMatchObject({ decision: 'approve', by: SEEDED_SPONSOR.huid });
    const activation = await sys.mailTo('tia.seeded@example.org');
    expect(activation.map((m) => m.subject)).toEqual(['Activate your HMS account']);
    expect(activation[0]!.body.text).toContain(`HMS account ID: ${String(guest.accountId)}`);
    expect((await sys.executionsOf(guestId))[0]).toMatchObject({ status: 'RUNNING', currentState: 'WaitUntilDue' });

    // A second decision is a conflict; the history tells who did what.
    const again = await sys.as(SEEDED_SPONSOR.huid, 'POST', `/v1/guests/${guestId}/decision`, { decision: 'deny' });
    expect(again.status).toBe(409);
    const items = (await sys.as<{ items: { action: string; actor: string }[] }>(SEEDED_DELEGATE.huid, 'GET', `/v1/guests/${guestId}/history`)).body.items;
    expect(items[0]).toMatchObject({ action: 'requested', actor: SEEDED_DELEGATE.huid });
    expect(items.find((e) => e.action === 'approved')).toMatchObject({ actor: SEEDED_SPONSOR.huid });
    expect(items.map((e) => e.action)).toEqual(expect.arrayContaining(['provisioned', 'activation-sent']));
  });

  it('the O2 fields of the file are the directory: the PI’s secondary Quad appointment makes the lab on-Quad, `rc-core` makes RC Core staff, each HMS account ID is a directory user', async () => {
    const lab = await sys.as<{ labId: string; piHuid: string; quad: { onQuad: boolean; reason: string }; registration: { status: string } }>(SEEDED_PI.huid, 'POST', '/v1/labs', { name: 'Seeded Lab', institution: 'HMS' });
    expect(lab.status, JSON.stringify(lab.body)).toBe(201);
    expect(lab.body).toMatchObject({ piHuid: SEEDED_PI.huid, quad: { onQuad: true }, registration: { status: 'not-required' } });
    expect(lab.body.quad.reason).toContain('Cell Biology');
    // A person written the old way has no appointment: not a PI.
    const old = await sys.as(SEEDED_SPONSOR.huid, 'POST', '/v1/labs', { name: 'Old Lab', institution: 'HMS' });
    expect(old.status, JSON.stringify(old.body)).toBe(422);
    // RC Core staff read the PI's lab; the old-way sponsor may not (404, as a missing one).
    expect((await sys.as(SEEDED_RC_CORE.huid, 'GET', `/v1/labs/${lab.body.labId}`)).status).toBe(200);
    expect((await sys.as(SEEDED_SPONSOR.huid, 'GET', `/v1/labs/${lab.body.labId}`)).status).toBe(404);

    const users = (await sys.directory()).users;
    expect(users.filter((u) => !u.externalId).map((u) => u.userName).sort()).toEqual([SEEDED_PI.hmsAccountId, SEEDED_RC_CORE.hmsAccountId].sort());
    expect(users.find((u) => u.userName === SEEDED_PI.hmsAccountId)).toMatchObject({ name: 'Pat Seeded', active: true, groups: [], sponsorHuid: null });
  });
});
