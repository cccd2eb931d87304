/**
 * `npm run bench`: the local system's figures, measured through the real CLI and HTTP only.
 *   npm run bench -- [--runs N] [--json FILE]
 * 1. startup: spawning `npm start` to the URLs printed (median, min, max of N runs);
 * 2. one one-year lifecycle (start date today, end date a year later) driven through the API and the
 *    clock: delegate's request → sponsor's approval → activation → every notice → expiry → closed;
 * 3. what that lifecycle cost: executions (continue-as-new), state transitions, Lambda invocations,
 *    emails — as counted by the local services;
 * 4. one one-year O2 lifecycle (issue 14) on a system of its own, measured and counted the same way:
 *    an on-Quad PI records their lab and requests an O2 account for a student who has an HMS account
 *    ending a year from today → ACTIVE at once → the notices (7 days and 1 day before) → EXPIRED
 *    with the HMS account (the execution ends there).
 * Prints a table, and the figures as JSON on the last line (and into --json FILE). Asserts nothing
 * about time; it stops with an error only if the lifecycle did not go as it must.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalCli, Systems, type Mail } from '../test/support/cli.ts';
import { stats, stopOnSignal } from './support.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, json: { type: 'string' } },
  strict: true,
});
const RUNS = Number(values.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);

const SPONSOR = { huid: '10000001', name: 'Ada Faculty', email: 'ada.faculty@hms.harvard.edu' };
const DELEGATE = { huid: '10000004', name: 'Lee LabAdmin', email: 'lee.labadmin@hms.harvard.edu' };
const GUEST = { huid: '20000001', email: 'grace.guest@example.org' };
// The built-in sample's O2 people (local/sample-data.ts): an on-Quad PI, a student with an HMS account
// of her own (given an end date a year from today here: the O2 account ends with it), RC Core staff.
const PI = { huid: '10000010', name: 'Quinn Quad', email: 'quinn.quad@hms.harvard.edu', hmsAccountId: 'qqu100' };
const O2_USER = { huid: '10000019', name: 'Stella Student', email: 'stella.student@hms.harvard.edu', hmsAccountId: 'sst100' };
const RC_CORE_STAFF = { huid: '10000017', name: 'Rita RcCore', email: 'rita.rccore@hms.harvard.edu', hmsAccountId: 'rrc100' };
const RC_CORE_CONTACT = 'rccore@hms.harvard.edu';
const TZ = 'America/New_York';
const DAY = 86_400_000;

const systems = new Systems();
const cleanUp = stopOnSignal(() => systems.killAll());

/** The calendar date of an instant in Boston, YYYY-MM-DD. */
const dateInBoston = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
/** A date plus n days (calendar arithmetic on YYYY-MM-DD). */
const plusDays = (date: string, n: number) => new Date(Date.parse(`${date}T12:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const plusYear = (date: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return m === 2 && d === 29 ? `${y + 1}-02-28` : `${y + 1}-${date.slice(5)}`;
};

function check(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Error(`lifecycle did not go as it must: ${what}`);
}

async function expectStatus(sys: LocalCli, guestId: string, status: string) {
  const g = await sys.guest(SPONSOR.huid, guestId);
  check(g.status === status, `guest ${guestId} is ${String(g.status)}, expected ${status}`);
}

// 1. Startup: `npm start` as a user types it (sample data, real-time clock), each on a fresh data directory.
const spawnToReady: number[] = [];
const selfReported: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const sys = await systems.start({ npm: true, args: ['--quiet'] });
  spawnToReady.push(sys.spawnToReadyMs);
  selfReported.push(sys.readyInMs);
  await systems.killAll();
}

// 2. One lifecycle of a year. Its own system: frozen clock at this instant, HSR valid past the end date.
const now = new Date();
const startDate = dateInBoston(now);
const endDate = plusYear(startDate);
const dir = systems.dir();
const seedFile = join(dir, 'seed.json');
writeFileSync(
  seedFile,
  JSON.stringify({
    people: [
      { ...SPONSOR, role: 'faculty', school: 'HMS', site: 'Quad', active: true, delegates: [DELEGATE.huid] },
      { ...DELEGATE, role: 'staff', school: 'HMS', site: 'Quad', active: true },
    ],
    hsr: [{ huid: GUEST.huid, firstName: 'Grace', lastName: 'Guest', personalEmail: GUEST.email, status: 'active', endDate: plusYear(endDate) }],
  }),
);
const sys = await systems.start({ npm: true, dataDir: join(dir, 'data'), clock: now.toISOString(), seed: seedFile, args: ['--quiet'] });

const phases: Record<string, number> = {};
let clockMoves = 0;
const move = async (m: { advance: string } | { to: string }) => {
  clockMoves++;
  return sys.clock(m);
};
const t0 = performance.now();
let lap = t0;
const phase = (name: string) => {
  const t = performance.now();
  phases[name] = Math.round(t - lap);
  lap = t;
};

const requested = await sys.as(DELEGATE.huid, 'POST', '/v1/guests', { guestHuid: GUEST.huid, population: 'agency-temp', startDate, endDate, sponsorHuid: SPONSOR.huid });
check(requested.status === 202, `request answered ${requested.status} ${JSON.stringify(requested.body)}`);
const guestId = String(requested.body.guestId);
await move({ advance: 'PT0S' });
await expectStatus(sys, guestId, 'PENDING_APPROVAL');
const approved = await sys.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}/decision`, { decision: 'approve' });
check(approved.status === 200, `approval answered ${approved.status}`);
await move({ advance: 'PT0S' });
await expectStatus(sys, guestId, 'PENDING_ACTIVATION');
const activation = (await sys.mailTo(GUEST.email)).find((m) => m.subject === 'Activate your HMS account');
check(activation !== undefined, 'no activation email');
const text = activation.body.text ?? '';
const activated = await sys.raw('POST', '/v1/activate', { accountId: /HMS account ID: (\S+)/.exec(text)?.[1], code: /Activation code: ([A-Z0-9-]+)/.exec(text)?.[1], password: 'correct-tulip-7-lantern' });
check(activated.status === 200, `activation answered ${activated.status}`);
await expectStatus(sys, guestId, 'ACTIVE');
phase('request → approval → activation');

// The year goes by: to the evening before T-7 in one move (every Wait on the way fires in order).
await move({ to: `${plusDays(endDate, -8)}T23:00:00Z` });
const expiryNotices = (mail: Mail[]) => mail.filter((m) => m.subject.includes(' expires on '));
check(expiryNotices(await sys.mail()).length === 0, 'a notice before T-7');
phase('activation → T-8 (one clock move)');

// A notice a day from T-7 through the end date.
for (let day = 1; day <= 8; day++) {
  await move({ advance: 'P1D' });
  check(expiryNotices(await sys.mail()).length === day, `${expiryNotices(await sys.mail()).length} notices after day ${day} of 8`);
}
phase('8 notice days (a clock move a day)');

// Expiry at the end of the end date, then the 30-day restore window closes and the lifecycle ends.
await move({ to: `${plusDays(endDate, 1)}T12:00:00Z` });
await expectStatus(sys, guestId, 'EXPIRED');
phase('expiry');
await move({ to: `${plusDays(endDate, 32)}T12:00:00Z` });
const executions = await sys.executionsOf(guestId);
check(executions.length > 0 && executions.every((e) => e.status === 'SUCCEEDED'), `executions ${JSON.stringify(executions.map((e) => [e.name, e.status]))}`);
phase('restore window closes');
const wallMs = Math.round(performance.now() - t0);

// 3. What it cost, as the local services counted it.
const service = (await sys.executions()).stats;
const reconcilerRuns = ((await sys.raw<{ fired: unknown[] }>('GET', '/_local/schedules')).body.fired ?? []).length;
const mail = await sys.mail();
const apiCalls = sys.apiCalls;
const transitions = executions.reduce((n, e) => n + e.transitions, 0);
const taskInvocations = executions.reduce((n, e) => n + e.invocations, 0);
const KINDS: [RegExp, string][] = [
  [/^Reminder: Approve/, 'approval reminder'],
  [/^Approve/, 'approval request'],
  [/^Copy: Activate/, 'activation copy to sponsor'],
  [/^Activate/, 'activation'],
  [/ expires on /, 'expiry notice'],
  [/ expired on /, 'expired'],
];
const emailKinds: Record<string, number> = {};
for (const m of mail) {
  const kind = KINDS.find(([re]) => re.test(m.subject))?.[1] ?? m.subject;
  emailKinds[kind] = (emailKinds[kind] ?? 0) + 1;
}
await systems.killAll();

// 4. One O2 lifecycle of a year, on a system of its own (its own clock and counts), frozen at the same instant.
const o2Dir = systems.dir();
const o2SeedFile = join(o2Dir, 'seed.json');
const o2EndDate = plusYear(startDate);
writeFileSync(
  o2SeedFile,
  JSON.stringify({
    people: [
      { ...PI, role: 'faculty', school: 'HMS', site: 'Quad', active: true, appointments: [{ department: 'Genetics', quad: true, kind: 'primary' }] },
      { ...RC_CORE_STAFF, role: 'staff', school: 'HMS', site: 'Quad', active: true, groups: ['rc-core'] },
      { ...O2_USER, role: 'student', school: 'HMS', site: 'Quad', active: true, endDate: o2EndDate },
    ],
    hsr: [],
  }),
);
const o2Sys = await systems.start({ npm: true, dataDir: join(o2Dir, 'data'), clock: now.toISOString(), seed: o2SeedFile, args: ['--quiet'] });

const o2Phases: Record<string, number> = {};
let o2ClockMoves = 0;
const o2Move = async (m: { advance: string } | { to: string }) => {
  o2ClockMoves++;
  return o2Sys.clock(m);
};
const o2T0 = performance.now();
let o2Lap = o2T0;
const o2Phase = (name: string) => {
  const t = performance.now();
  o2Phases[name] = Math.round(t - o2Lap);
  o2Lap = t;
};
interface O2View {
  o2AccountId: string;
  status: string;
  accountId: string | null;
  endDate: string | null;
  posix: { uidNumber: number; homeDirectory: string } | null;
}
async function expectO2(o2AccountId: string, status: string): Promise<O2View> {
  const res = await o2Sys.as<O2View>(O2_USER.huid, 'GET', `/v1/o2-accounts/${o2AccountId}`);
  check(res.status === 200, `GET O2 account ${o2AccountId} answered ${res.status} ${JSON.stringify(res.body)}`);
  check(res.body.status === status, `O2 account ${o2AccountId} is ${res.body.status}, expected ${status}`);
  return res.body;
}

// The PI records the lab (a fresh system has none): on-Quad by the primary Genetics appointment, no RC Core registration.
const lab = await o2Sys.as<{ labId: string; quad: { onQuad: boolean }; registration: { status: string } }>(PI.huid, 'POST', '/v1/labs', { name: 'Quinn Lab (Genetics)', institution: 'HMS' });
check(lab.status === 201, `lab answered ${lab.status} ${JSON.stringify(lab.body)}`);
check(lab.body.quad.onQuad && lab.body.registration.status === 'not-required', `lab ${JSON.stringify(lab.body)} is not on-Quad without registration`);
// The PI asks: approved by that act; on-Quad, set up at once.
const o2Requested = await o2Sys.as<O2View>(PI.huid, 'POST', '/v1/o2-accounts', { userHuid: O2_USER.huid, piHuid: PI.huid, labId: lab.body.labId, justification: 'Sequencing analysis' });
check(o2Requested.status === 202, `O2 request answered ${o2Requested.status} ${JSON.stringify(o2Requested.body)}`);
const o2AccountId = o2Requested.body.o2AccountId;
await o2Move({ advance: 'PT0S' });
const o2Active = await expectO2(o2AccountId, 'ACTIVE');
check(o2Active.accountId === O2_USER.hmsAccountId && o2Active.endDate === o2EndDate && o2Active.posix !== null, `active O2 account ${JSON.stringify(o2Active)}: expected login ${O2_USER.hmsAccountId}, end ${o2EndDate}, POSIX attributes`);
check((await o2Sys.mailTo(O2_USER.email)).some((m) => m.subject === 'Your O2 account is active'), 'no "Your O2 account is active" email');
/** Whether the user is in the account directory's `o2` group (its page, not the API: not counted as an API request). */
const inO2Group = async () => Boolean((await o2Sys.directory()).users.find((u) => u.userName === O2_USER.hmsAccountId)?.groups.includes('o2'));
check(await inO2Group(), `${O2_USER.hmsAccountId} not in the directory's o2 group while ACTIVE`);
o2Phase('lab → request → ACTIVE');

// The year goes by: to the evening before T-7 in one move.
const o2Notices = (mail: Mail[]) => mail.filter((m) => m.subject.startsWith('Your O2 account ') && m.subject.includes(' expires on '));
await o2Move({ to: `${plusDays(o2EndDate, -8)}T23:00:00Z` });
check(o2Notices(await o2Sys.mail()).length === 0, 'an O2 notice before T-7');
await expectO2(o2AccountId, 'ACTIVE');
o2Phase('ACTIVE → T-8 (one clock move)');

// A clock move a day from T-7 through the end date, as for the guest: notices on T-7 and T-1 (09:00 in Boston).
for (let day = 1; day <= 8; day++) {
  await o2Move({ advance: 'P1D' });
  const expected = day >= 7 ? 2 : 1;
  const got = o2Notices(await o2Sys.mail()).length;
  check(got === expected, `${got} O2 notices after day ${day} of 8, expected ${expected}`);
}
await expectO2(o2AccountId, 'ACTIVE');
o2Phase('8 notice days (a clock move a day)');

// Expires with the HMS account at the end of its end date: the O2 login removed, the user and the PI told, the execution ends.
await o2Move({ to: `${plusDays(o2EndDate, 1)}T12:00:00Z` });
await expectO2(o2AccountId, 'EXPIRED');
check(!(await inO2Group()), `${O2_USER.hmsAccountId} still in the directory's o2 group after expiry`);
check((await o2Sys.mailTo(O2_USER.email)).filter((m) => / expired on /.test(m.subject)).length === 1, 'not one "expired" email to the user');
const o2Executions = (await o2Sys.executions()).executions.filter((e) => e.name.startsWith(`o2-${o2AccountId}-`));
check(o2Executions.length > 0 && o2Executions.every((e) => e.status === 'SUCCEEDED'), `O2 executions ${JSON.stringify(o2Executions.map((e) => [e.name, e.status, e.currentState]))}`);
o2Phase('expiry (the execution ends)');
const o2WallMs = Math.round(performance.now() - o2T0);

// What it cost, as the local services counted it (the whole system: nothing else ran on it).
const o2Service = (await o2Sys.executions()).stats;
const o2ReconcilerRuns = ((await o2Sys.raw<{ fired: unknown[] }>('GET', '/_local/schedules')).body.fired ?? []).length;
const o2Mail = await o2Sys.mail();
check(!o2Mail.some((m) => m.destination.to.includes(RC_CORE_CONTACT) || m.destination.to.includes(RC_CORE_STAFF.email)), 'an on-Quad O2 account involved the RC Core');
const o2ApiCalls = o2Sys.apiCalls;
const o2Transitions = o2Executions.reduce((n, e) => n + e.transitions, 0);
const o2TaskInvocations = o2Executions.reduce((n, e) => n + e.invocations, 0);
const O2_KINDS: [RegExp, string][] = [
  [/^Your O2 account is active/, 'O2 active'],
  [/ expires on /, 'expiry notice'],
  [/ expired on /, 'expired'],
];
const o2EmailKinds: Record<string, number> = {};
for (const m of o2Mail) {
  const kind = O2_KINDS.find(([re]) => re.test(m.subject))?.[1] ?? m.subject;
  o2EmailKinds[kind] = (o2EmailKinds[kind] ?? 0) + 1;
}
await systems.killAll();

const figures = {
  node: process.version,
  cpus: availableParallelism(),
  cpuModel: cpus()[0]?.model ?? 'unknown',
  startup: { runs: RUNS, command: 'npm start -- --api-port 0 --mail-port 0 --data-dir <new> --quiet', spawnToReadyMs: stats(spawnToReady, { samples: true }), selfReportedReadyMs: stats(selfReported, { samples: true }) },
  lifecycle: {
    startDate,
    endDate,
    wallMs,
    phasesMs: phases,
    clockMoves,
    executions: executions.length,
    continuedAsNew: executions.length - 1,
    stateTransitions: transitions,
    lambdaInvocations: { stateMachineTasks: taskInvocations, api: apiCalls, reconciler: reconcilerRuns, total: taskInvocations + apiCalls + reconcilerRuns },
    serviceStats: service,
    emails: mail.length,
    emailsByKind: emailKinds,
  },
  o2Lifecycle: {
    startDate,
    endDate: o2EndDate,
    wallMs: o2WallMs,
    phasesMs: o2Phases,
    clockMoves: o2ClockMoves,
    executions: o2Executions.length,
    continuedAsNew: o2Executions.length - 1,
    stateTransitions: o2Transitions,
    lambdaInvocations: { stateMachineTasks: o2TaskInvocations, api: o2ApiCalls, reconciler: o2ReconcilerRuns, total: o2TaskInvocations + o2ApiCalls + o2ReconcilerRuns },
    serviceStats: o2Service,
    emails: o2Mail.length,
    emailsByKind: o2EmailKinds,
  },
};

const rows: [string, string][] = [
  [`startup: npm start → ready (${RUNS} runs)`, `median ${figures.startup.spawnToReadyMs.median} ms (min ${figures.startup.spawnToReadyMs.min}, max ${figures.startup.spawnToReadyMs.max})`],
  ['  of which the system\'s own "ready in"', `median ${figures.startup.selfReportedReadyMs.median} ms (min ${figures.startup.selfReportedReadyMs.min}, max ${figures.startup.selfReportedReadyMs.max})`],
  [`one-year lifecycle ${startDate} → ${endDate}`, `${wallMs} ms wall (goal < 10000 ms), ${clockMoves} clock moves`],
  ...Object.entries(phases).map(([k, v]): [string, string] => [`  ${k}`, `${v} ms`]),
  ['executions (continue-as-new)', `${executions.length} (${executions.length - 1})`],
  ['state transitions', String(transitions)],
  ['Lambda invocations', `${taskInvocations + apiCalls + reconcilerRuns} = ${taskInvocations} state machine tasks + ${apiCalls} API requests + ${reconcilerRuns} daily reconciler runs`],
  ['emails sent', `${mail.length}: ${Object.entries(emailKinds).map(([k, v]) => `${v} ${k}`).join(', ')}`],
  [`one-year O2 lifecycle ${startDate} → ${o2EndDate} (on-Quad)`, `${o2WallMs} ms wall, ${o2ClockMoves} clock moves`],
  ...Object.entries(o2Phases).map(([k, v]): [string, string] => [`  ${k}`, `${v} ms`]),
  ['O2 executions (continue-as-new)', `${o2Executions.length} (${o2Executions.length - 1})`],
  ['O2 state transitions', String(o2Transitions)],
  ['O2 Lambda invocations', `${o2TaskInvocations + o2ApiCalls + o2ReconcilerRuns} = ${o2TaskInvocations} state machine tasks + ${o2ApiCalls} API requests + ${o2ReconcilerRuns} daily reconciler runs`],
  ['O2 emails sent', `${o2Mail.length}: ${Object.entries(o2EmailKinds).map(([k, v]) => `${v} ${k}`).join(', ')}`],
];
const width = Math.max(...rows.map(([k]) => k.length));
process.stdout.write(`HMS guest accounts — local benchmark (node ${process.version}, ${figures.cpus} CPUs)\n`);
for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
if (values.json) writeFileSync(values.json, `${JSON.stringify(figures, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(figures)}\n`);
await cleanUp(0);
