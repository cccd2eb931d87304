/**
 * `npm run bench -- --only mail [--guests N] [--rate R]` (issue 21): an expiry burst against SES's send
 * rate. The local system runs with `--ses-rate R` (the mailbox refuses what passes R recipients a
 * second, as SES does; every function's send-rate limiter keeps to R). N guests of 25 sponsors, all
 * ending the same day, are requested and activated, then the clock goes through the 8 notice days.
 * Figures: the peak recipients in any one second (from the mailbox's own timestamps), each notice
 * day's wall time, every notice on its day and none twice, no lifecycle failed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Systems, type Mail } from '../test/support/cli.ts';
import { stopOnSignal } from './support.ts';

const { values } = parseArgs({
  options: { guests: { type: 'string', default: '400' }, rate: { type: 'string', default: '20' }, json: { type: 'string' } },
  strict: true,
});
const N = Number(values.guests);
const RATE = Number(values.rate);
if (!Number.isInteger(N) || N < 1) throw new Error(`--guests must be a positive integer, not ${values.guests}`);
if (!Number.isInteger(RATE) || RATE < 1) throw new Error(`--rate must be a positive integer, not ${values.rate}`);
const SPONSORS = 25;
const START = '2027-01-04';
const END = '2027-08-31';
const DAY = 86_400_000;
const plusDays = (date: string, n: number) => new Date(Date.parse(`${date}T12:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const sponsorHuid = (i: number) => String(12000000 + i);
const guestHuid = (i: number) => String(26000000 + i);

const systems = new Systems();
stopOnSignal(() => systems.killAll());
const dir = systems.dir();
writeFileSync(
  join(dir, 'seed.json'),
  JSON.stringify({
    people: Array.from({ length: SPONSORS }, (_, i) => ({ huid: sponsorHuid(i), name: `Sponsor ${i}`, email: `sponsor${i}@hms.harvard.edu`, role: 'faculty', school: 'HMS', site: 'Quad', active: true })),
    hsr: Array.from({ length: N }, (_, i) => ({ huid: guestHuid(i), firstName: 'Sue', lastName: `Summer${i}`, personalEmail: `sue.summer${i}@example.org`, status: 'active', endDate: '2030-12-31' })),
  }),
);
const sys = await systems.start({ clock: `${START}T14:00:00.000Z`, seed: join(dir, 'seed.json'), timeoutMs: 120_000, args: ['--quiet', '--ses-rate', String(RATE)] });

async function pool(n: number, c: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(c, n) }, async () => {
    for (let i = next++; i < n; i = next++) await work(i);
  }));
}
const retrying = async (send: () => Promise<{ status: number; body: Record<string, unknown> }>, ok: number) => {
  for (;;) {
    const res = await send();
    if (res.status === ok) return res;
    if (res.status !== 429) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

const t0 = performance.now();
await pool(N, 25, async (i) => {
  await retrying(() => sys.as(sponsorHuid(i % SPONSORS), 'POST', '/v1/guests', { guestHuid: guestHuid(i), population: 'ce-or-summer-student', startDate: START, endDate: END }), 202);
});
await sys.settle();
const activations = (await sys.mail()).filter((m) => m.subject === 'Activate your HMS account');
await pool(activations.length, 25, async (i) => {
  const text = activations[i]!.body.text ?? '';
  const body = { accountId: /HMS account ID: (\S+)/.exec(text)?.[1], code: /Activation code: ([A-Z0-9-]+)/.exec(text)?.[1], password: 'correct-tulip-7-lantern' };
  await retrying(() => sys.raw('POST', '/v1/activate', body, {}, `127.0.4.${1 + (i % 200)}`), 200);
});
const setupS = (performance.now() - t0) / 1000;

// The notice days: the clock to the evening before the first, then a day at a time.
await sys.clock({ to: `${plusDays(END, -8)}T23:00:00Z` });
const days: { date: string; seconds: number; notices: number }[] = [];
const notices = (mail: Mail[]) => mail.filter((m) => m.subject.includes(' expires on '));
let before = notices(await sys.mail()).length;
for (let day = 1; day <= 8; day++) {
  const t = performance.now();
  await sys.clock({ advance: 'P1D' });
  const now = notices(await sys.mail()).length;
  days.push({ date: plusDays(END, day - 8), seconds: Math.round((performance.now() - t) / 100) / 10, notices: now - before });
  before = now;
}
const { executions } = await sys.executions();
const mail = await sys.mail();
await systems.killAll();

// Recipients per real second, from the mailbox's own timestamps (seconds).
const perSecond = new Map<number, number>();
for (const m of mail as (Mail & { at?: number })[]) {
  const at = Number(m.at ?? 0);
  const recipients = m.destination.to.length + m.destination.cc.length || 1;
  perSecond.set(at, (perSecond.get(at) ?? 0) + recipients);
}
const peak = Math.max(...perSecond.values());
const everyDay = days.every((d) => d.notices === N);
const failed = executions.filter((e) => e.status === 'FAILED' || e.status === 'TIMED_OUT' || e.status === 'ABORTED').length;
const figures = { guests: N, rate: RATE, setupS: Math.round(setupS * 10) / 10, days, peakRecipientsPerSecond: peak, everyNoticeOnItsDayOnce: everyDay, failedExecutions: failed };
process.stdout.write(
  [
    `Mail (bench/mail.ts): ${N} guests ending ${END}, local SES at ${RATE} recipients a second`,
    `  peak recipients in one second: ${peak} (goal ≤ ${RATE}: ${peak <= RATE ? 'within the goal' : 'OVER THE GOAL'})`,
    `  notice days: ${days.map((d) => `${d.date} ${d.notices} in ${d.seconds} s`).join('; ')}`,
    `  every notice on its day, none twice: ${everyDay ? 'yes' : 'NO'}; failed executions: ${failed}; setup (requests, provisioning, activations) ${figures.setupS} s`,
  ].join('\n') + '\n',
);
const json = JSON.stringify(figures);
if (values.json) writeFileSync(values.json, json);
process.stdout.write(`${json}\n`);
if (!everyDay || failed || peak > RATE) process.exitCode = 1;
