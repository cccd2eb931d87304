/**
 * `npm run bench:activation` (part of `npm run bench`): does the answer time of POST /v1/activate
 * tell a stranger whether an account ID exists? Through the real CLI and HTTP only.
 *   npm run bench:activation -- [--samples N] [--baseline GIT-REF] [--json FILE]
 * For each system (this checkout, and with --baseline a checkout of that commit, side by side in
 * one run), N attempts with an account ID that does not exist and N with a wrong code on real
 * pending accounts, interleaved, each from its own loopback address (so no per-address limit is
 * reached), paced under every route throttle, and spread over accounts so that no account reaches
 * a limit of either version. Prints
 * the median, min and max answer time of each kind, their difference, and the statuses seen.
 * Asserts nothing about time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, Systems } from '../test/support/cli.ts';
import { stats, stopOnSignal } from './support.ts';

const { values } = parseArgs({
  options: { samples: { type: 'string', default: '50' }, baseline: { type: 'string' }, json: { type: 'string' } },
  strict: true,
});
const SAMPLES = Number(values.samples);
if (!Number.isInteger(SAMPLES) || SAMPLES < 1) throw new Error(`--samples must be a positive integer, not ${values.samples}`);

const SPONSOR = '10000001';
/** Wrong codes per account: under the old lockout (5) and far under every new limit. */
const PER_ACCOUNT = 4;
const ACCOUNTS = Math.ceil(SAMPLES / PER_ACCOUNT);
const WRONG = 'AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-A';
/** The password an activation carries (a guest chooses one since the account directory, issue 13). */
const PASSWORD = 'correct-tulip-7-lantern';

/** Whether the checkout at `root` takes a password on activation (a baseline from before refuses the field as unknown). */
function takesPassword(root: string): boolean {
  try {
    return [join(root, 'shared', 'http', 'schemas.ts'), join(root, 'shared', 'guest', 'http', 'schemas.ts')].some((f) => existsSync(f) && /password:/.test(readFileSync(f, 'utf8')));
  } catch {
    return false;
  }
}
const PACE_MS = 150;

const systems = new Systems();
const worktrees: string[] = [];
const cleanUp = stopOnSignal(async () => {
  await systems.killAll();
  for (const w of worktrees) execFileSync('git', ['worktree', 'remove', '--force', w], { cwd: ROOT, stdio: 'ignore' });
});

/** The sample directory's sponsor, and guests with an active HSR, one per account measured. */
function seedFile(dir: string): string {
  const file = join(dir, 'seed.json');
  const people = [{ huid: SPONSOR, name: 'Ada Faculty', email: 'ada.faculty@hms.harvard.edu', role: 'faculty', school: 'HMS', site: 'Quad', active: true }];
  const hsr = Array.from({ length: ACCOUNTS }, (_, i) => ({ huid: String(23000000 + i), firstName: 'Bea', lastName: `Bench${i}`, personalEmail: `bea.bench${i}@example.org`, status: 'active', endDate: '2030-12-31' }));
  writeFileSync(file, JSON.stringify({ people, hsr }));
  return file;
}

async function measure(label: string, root: string) {
  const dir = systems.dir();
  const sys = await systems.start({ root, dataDir: join(dir, 'data'), clock: '2027-01-04T14:00:00.000Z', seed: seedFile(dir), args: ['--quiet'] });
  // Answer times are measured around each call: no contract check in them (and a baseline answers by its own document).
  sys.checkContract = false;
  const accounts: string[] = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const res = await sys.as(SPONSOR, 'POST', '/v1/guests', { guestHuid: String(23000000 + i), population: 'visiting-faculty', endDate: '2027-06-30' });
    if (res.status !== 202) throw new Error(`${label}: request ${res.status} ${JSON.stringify(res.body)}`);
    await sys.raw('POST', '/_local/clock', { advance: 'PT0S' });
    accounts.push(String((await sys.guest(SPONSOR, String(res.body.guestId))).accountId));
  }
  // The body each version expects: with the password where activation takes one (the same work: the code fails first).
  const extra = takesPassword(root) ? { password: PASSWORD } : {};
  let source = 0;
  const from = () => `127.40.${Math.floor(source / 250)}.${(source++ % 250) + 1}`;
  const attempt = async (accountId: string) => {
    // Paced under every route throttle either version applies (the baseline's was 10/s for all callers).
    await new Promise((r) => setTimeout(r, PACE_MS));
    const t0 = performance.now();
    const res = await sys.raw('POST', '/v1/activate', { accountId, code: WRONG, ...extra }, {}, from());
    return { ms: performance.now() - t0, status: res.status };
  };
  // Warm up both paths (first requests load code and open connections).
  for (let i = 0; i < 3; i++) await attempt(`qqq${900 + i}`);
  const unknown: { ms: number; status: number }[] = [];
  const wrong: { ms: number; status: number }[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    unknown.push(await attempt(`qqq${String(100 + i).padStart(3, '0')}`));
    wrong.push(await attempt(accounts[Math.floor(i / PER_ACCOUNT)]!));
  }
  await sys.stop();
  const count = (xs: { status: number }[]) => Object.fromEntries([...new Set(xs.map((x) => x.status))].map((s) => [s, xs.filter((x) => x.status === s).length]));
  const u = stats(unknown.map((x) => x.ms), { digits: 1 });
  const w = stats(wrong.map((x) => x.ms), { digits: 1 });
  return { label, unknownId: { ...u, statuses: count(unknown) }, wrongCode: { ...w, statuses: count(wrong) }, medianDifferenceMs: Math.round((w.median - u.median) * 10) / 10 };
}

/** A checkout of `ref` beside this one, sharing its node_modules. */
function checkout(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hms-bench-baseline-'));
  rmSync(dir, { recursive: true, force: true });
  execFileSync('git', ['worktree', 'add', '--detach', dir, ref], { cwd: ROOT, stdio: 'ignore' });
  worktrees.push(dir);
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

try {
  const results = [];
  if (values.baseline) results.push(await measure(`baseline ${values.baseline}`, checkout(values.baseline)));
  results.push(await measure('this checkout', ROOT));
  process.stdout.write(`POST /v1/activate answer time, ${SAMPLES} attempts of each kind (ms: median [min, max]; statuses)\n`);
  for (const r of results) {
    const line = (name: string, k: typeof r.unknownId) => `${name} ${String(k.median).padStart(6)} [${k.min}, ${k.max}]  ${JSON.stringify(k.statuses)}`;
    process.stdout.write(`${r.label}\n  ${line('unknown account ID ', r.unknownId)}\n  ${line('wrong code, pending', r.wrongCode)}\n  difference of medians: ${r.medianDifferenceMs} ms\n`);
  }
  const figures = { samples: SAMPLES, results };
  if (values.json) writeFileSync(values.json, JSON.stringify(figures, null, 2));
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  await cleanUp(0);
} catch (err) {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  await cleanUp(1);
}
