/**
 * `npm run bench -- --scale [--guests N] [--concurrency C]` (issue 21): N guests through a simulated
 * year on the local system, over HTTP only, spread over 25 sponsors (each within the local
 * per-client limit):
 * 1. N requests (each sponsor's own: approved by asking), C at a time: wall time, p50/p99 of the
 *    answers (a 429 waited out and sent again counts in that request's time), 5xx;
 * 2. every activation email answered through the activation page's API, as the guests would;
 * 3. the year: the clock to the evening before the notices, a day at a time through the 8 notice
 *    days, then past the end date and the restore window;
 * 4. peak RSS of the local system's processes (sampled every 250 ms), transitions and invocations
 *    per guest-year, emails per guest, and the correctness line: every guest EXPIRED, every notice
 *    exactly once.
 * Prints a table with the goals beside the figures, and the figures as JSON on the last line.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Systems, type LocalCli } from '../test/support/cli.ts';
import { stats, stopOnSignal } from './support.ts';

const { values } = parseArgs({
  options: { guests: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '25' }, json: { type: 'string' } },
  strict: true,
});
const N = Number(values.guests);
const C = Number(values.concurrency);
if (!Number.isInteger(N) || N < 1) throw new Error(`--guests must be a positive integer, not ${values.guests}`);
if (!Number.isInteger(C) || C < 1) throw new Error(`--concurrency must be a positive integer, not ${values.concurrency}`);
const SPONSORS = 25;
const GOALS = { wallS: 60, p99Ms: 500, transitions: 45, invocations: 14, rssOverIdleMb: 150 };
const START = '2027-01-04';
const END = '2028-01-03';
const DAY = 86_400_000;
const plusDays = (date: string, n: number) => new Date(Date.parse(`${date}T12:00:00Z`) + n * DAY).toISOString().slice(0, 10);

const systems = new Systems();
stopOnSignal(() => systems.killAll());

const sponsorHuid = (i: number) => String(11000000 + i);
const guestHuid = (i: number) => String(25000000 + i);

function seed(dir: string): string {
  const people = Array.from({ length: SPONSORS }, (_, i) => ({ huid: sponsorHuid(i), name: `Sponsor ${i}`, email: `sponsor${i}@hms.harvard.edu`, role: 'faculty', school: 'HMS', site: 'Quad', active: true }));
  const hsr = Array.from({ length: N }, (_, i) => ({ huid: guestHuid(i), firstName: 'Sam', lastName: `Scale${i}`, personalEmail: `sam.scale${i}@example.org`, status: 'active', endDate: '2030-12-31' }));
  const file = join(dir, 'seed.json');
  writeFileSync(file, JSON.stringify({ people, hsr }));
  return file;
}

/** The resident memory of the system's process group (npm's node and its children), in MB. */
function rssMb(sys: LocalCli): number {
  const pgid = sys.child.pid;
  if (pgid === undefined) return 0;
  try {
    const out = execFileSync('ps', ['-o', 'rss=', '-g', String(pgid)], { encoding: 'utf8' });
    return Math.round(out.split('\n').filter(Boolean).reduce((n, l) => n + Number(l.trim()), 0) / 1024);
  } catch {
    return 0;
  }
}

/** Runs `work` on items 0..n-1, `c` at a time. */
async function pool(n: number, c: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(c, n) }, async () => {
    for (let i = next++; i < n; i = next++) await work(i);
  }));
}

const sys = await systems.start({ clock: `${START}T14:00:00.000Z`, seed: seed(systems.dir()), timeoutMs: 120_000, args: ['--quiet'] });
await new Promise((r) => setTimeout(r, 2000));
const idleMb = rssMb(sys);
let peakMb = idleMb;
const sampler = setInterval(() => (peakMb = Math.max(peakMb, rssMb(sys))), 250);

// 1. The requests.
const latencies: number[] = [];
let throttled = 0;
let serverErrors = 0;
const guestIds: string[] = new Array<string>(N);
const t0 = performance.now();
await pool(N, C, async (i) => {
  const as = sponsorHuid(i % SPONSORS);
  const started = performance.now();
  for (;;) {
    const res = await sys.as(as, 'POST', '/v1/guests', { guestHuid: guestHuid(i), population: 'ce-or-summer-student', startDate: START, endDate: END });
    if (res.status === 202) {
      guestIds[i] = String(res.body.guestId);
      break;
    }
    if (res.status === 429) {
      throttled++;
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    if (res.status >= 500) serverErrors++;
    throw new Error(`request ${i}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  latencies.push(performance.now() - started);
});
const requestWallS = (performance.now() - t0) / 1000;
await sys.settle();
const provisionedWallS = (performance.now() - t0) / 1000;

// 2. Activation, as each guest would from their email.
const t1 = performance.now();
const activations = (await sys.mail()).filter((m) => m.subject === 'Activate your HMS account');
await pool(activations.length, C, async (i) => {
  const text = activations[i]!.body.text ?? '';
  const body = { accountId: /HMS account ID: (\S+)/.exec(text)?.[1], code: /Activation code: ([A-Z0-9-]+)/.exec(text)?.[1], password: 'correct-tulip-7-lantern' };
  for (;;) {
    const res = await sys.raw('POST', '/v1/activate', body, {}, `127.0.3.${1 + (i % 200)}`);
    if (res.status === 200) return;
    if (res.status === 429) {
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    throw new Error(`activation ${i}: ${res.status} ${JSON.stringify(res.body)}`);
  }
});
const activationS = (performance.now() - t1) / 1000;

// 3. The year.
const t2 = performance.now();
await sys.clock({ to: `${plusDays(END, -8)}T23:00:00Z` });
for (let day = 1; day <= 8; day++) await sys.clock({ advance: 'P1D' });
await sys.clock({ to: `${plusDays(END, 1)}T12:00:00Z` });
await sys.clock({ to: `${plusDays(END, 32)}T12:00:00Z` });
const yearS = (performance.now() - t2) / 1000;
clearInterval(sampler);
peakMb = Math.max(peakMb, rssMb(sys));

// 4. What it cost, and whether it was right.
const { executions } = await sys.executions();
const mail = await sys.mail();
const notices = mail.filter((m) => m.subject.includes(' expires on '));
const noticesPerGuest = new Map<string, number>();
for (const m of notices) {
  // Each notice names its guest (Sam ScaleN) in the subject or the text.
  const huid = /Scale(\d+)/.exec(`${m.subject}\n${m.body.text ?? ''}`)?.[1] ?? m.subject;
  noticesPerGuest.set(huid, (noticesPerGuest.get(huid) ?? 0) + 1);
}
// Emails by kind (the subject without the guest's name and dates), for an unexpected count to be traced.
const kinds = new Map<string, number>();
for (const m of mail) {
  const kind = m.subject.replace(/Sam Scale\d+/g, 'NAME').replace(/\d{4}-\d{2}-\d{2}/g, 'DATE').replace(/\b[a-z]{1,3}\d{3,}\b/g, 'ID');
  kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
}
const expired = new Set<string>();
await pool(guestIds.length, 10, async (i) => {
  for (;;) {
    const g = await sys.as(sponsorHuid(i % SPONSORS), 'GET', `/v1/guests/${guestIds[i]}`);
    // The per-client limit applies to reads too: waited out.
    if (g.status === 429) {
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    if (g.body.status === 'EXPIRED') expired.add(guestIds[i]!);
    return;
  }
});
const transitions = executions.reduce((n, e) => n + e.transitions, 0);
const invocations = executions.reduce((n, e) => n + e.invocations, 0);
const failed = executions.filter((e) => e.status !== 'SUCCEEDED').length;
await systems.killAll();

const lat = stats(latencies);
const p99 = Math.round([...latencies].sort((a, b) => a - b)[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))]!);
const everyNoticeOnce = notices.length === 8 * N && [...noticesPerGuest.values()].every((n) => n === 8) && noticesPerGuest.size === N;
const figures = {
  guests: N,
  concurrency: C,
  sponsors: SPONSORS,
  requests: { wallS: Math.round(requestWallS * 10) / 10, p50Ms: lat.median, p99Ms: p99, throttled, serverErrors, perSecond: Math.round((N / requestWallS) * 10) / 10 },
  provisionedWallS: Math.round(provisionedWallS * 10) / 10,
  activationS: Math.round(activationS * 10) / 10,
  yearS: Math.round(yearS * 10) / 10,
  memory: { idleMb, peakMb, overIdleMb: peakMb - idleMb },
  emailsByKind: Object.fromEntries([...kinds.entries()].sort((a, b) => b[1] - a[1])),
  perGuestYear: { transitions: Math.round((transitions / N) * 10) / 10, invocations: Math.round((invocations / N) * 10) / 10, emails: Math.round((mail.length / N) * 10) / 10 },
  correctness: { expired: expired.size, notices: notices.length, everyNoticeOnce, executionsNotSucceeded: failed },
};
const ok = (b: boolean) => (b ? 'within the goal' : 'OVER THE GOAL');
process.stdout.write(
  [
    `Scale (bench/scale.ts): ${N} guests, ${C} concurrent, ${SPONSORS} sponsors`,
    `  requests: ${figures.requests.wallS} s (${figures.requests.perSecond}/s), p50 ${lat.median} ms, p99 ${p99} ms (goal ≤ ${GOALS.p99Ms} ms: ${ok(p99 <= GOALS.p99Ms)}); 429s waited out ${throttled}; 5xx ${serverErrors}`,
    `  requested and provisioned: ${figures.provisionedWallS} s (goal ≤ ${GOALS.wallS} s for 1,000: ${ok(N > 1000 || figures.provisionedWallS <= GOALS.wallS)}); activations ${figures.activationS} s; the year ${figures.yearS} s`,
    `  memory: idle ${idleMb} MB, peak ${peakMb} MB (+${peakMb - idleMb} MB; goal ≤ +${GOALS.rssOverIdleMb} MB for 1,000: ${ok(N > 1000 || peakMb - idleMb <= GOALS.rssOverIdleMb)})`,
    `  per guest-year: ${figures.perGuestYear.transitions} transitions (goal ≤ ${GOALS.transitions}: ${ok(figures.perGuestYear.transitions <= GOALS.transitions)}), ${figures.perGuestYear.invocations} task invocations (goal ≤ ${GOALS.invocations}: ${ok(figures.perGuestYear.invocations <= GOALS.invocations)}), ${figures.perGuestYear.emails} emails`,
    `  emails by kind: ${[...kinds.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} × ${k}`).join('; ')}`,
    `  correctness: ${expired.size}/${N} EXPIRED, ${notices.length} notices (${8 * N} expected), every notice exactly once: ${everyNoticeOnce ? 'yes' : 'NO'}; executions not SUCCEEDED: ${failed}`,
  ].join('\n') + '\n',
);
const json = JSON.stringify(figures);
if (values.json) writeFileSync(values.json, json);
process.stdout.write(`${json}\n`);
if (!everyNoticeOnce || expired.size !== N || failed) process.exitCode = 1;
