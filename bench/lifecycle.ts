/**
 * `npm run bench`: the local system's figures, measured through the real CLI and HTTP only.
 *   npm run bench -- [--runs N] [--json FILE]
 * 1. startup: spawning `npm start` to the URLs printed (median, min, max of N runs);
 * 2. one one-year lifecycle (start date today, end date a year later) driven through the API and the
 *    clock: delegate's request → sponsor's approval → activation → every notice → expiry → closed;
 * 3. what that lifecycle cost: executions (continue-as-new), state transitions, Lambda invocations,
 *    emails — as counted by the local services.
 * Prints a table, and the figures as JSON on the last line (and into --json FILE). Asserts nothing
 * about time; it stops with an error only if the lifecycle did not go as it must.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalCli, Systems, type Mail } from '../test/support/cli.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, json: { type: 'string' } },
  strict: true,
});
const RUNS = Number(values.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);

const SPONSOR = { huid: '10000001', name: 'Ada Faculty', email: 'ada.faculty@hms.harvard.edu' };
const DELEGATE = { huid: '10000004', name: 'Lee LabAdmin', email: 'lee.labadmin@hms.harvard.edu' };
const GUEST = { huid: '20000001', email: 'grace.guest@example.org' };
const TZ = 'America/New_York';
const DAY = 86_400_000;

const systems = new Systems();
const cleanUp = async (code: number) => {
  await systems.killAll();
  process.exit(code);
};
process.once('SIGINT', () => void cleanUp(130));
process.once('SIGTERM', () => void cleanUp(143));

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median: Math.round(median), min: Math.round(sorted[0]!), max: Math.round(sorted.at(-1)!), samples: samples.map(Math.round) };
}

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

const figures = {
  node: process.version,
  cpus: availableParallelism(),
  cpuModel: cpus()[0]?.model ?? 'unknown',
  startup: { runs: RUNS, command: 'npm start -- --api-port 0 --mail-port 0 --data-dir <new> --quiet', spawnToReadyMs: stats(spawnToReady), selfReportedReadyMs: stats(selfReported) },
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
];
const width = Math.max(...rows.map(([k]) => k.length));
process.stdout.write(`HMS guest accounts — local benchmark (node ${process.version}, ${figures.cpus} CPUs)\n`);
for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
if (values.json) writeFileSync(values.json, `${JSON.stringify(figures, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(figures)}\n`);
await cleanUp(0);
