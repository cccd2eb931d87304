/**
 * End to end: the `npm start` command itself, as a new user meets it — its help and its refusals
 * (an unknown flag, a bad value, a port another program holds, a damaged or busy data directory:
 * one line naming what to change, exit status 2, never a stack trace), how it stops (a signal to
 * the PID npm or it has stops every process and frees the ports), and where its clock comes from.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, GUEST, ROOT, runCli, SPONSOR, Systems, type LocalCli } from '../support/cli.ts';

const START = '2027-01-04T14:00:00.000Z';
const FLAGS = ['--api-port', '--mail-port', '--scim-port', '--data-dir', '--seed', '--clock', '--reset', '--verbose', '--quiet', '--help'];

const systems = new Systems();
afterEach(() => systems.killAll());

/** What a refusal must look like: exit 2, one `error:` line first, no stack trace, nothing started. */
function expectRefusal(out: { code: number | null; stdout: string; stderr: string }) {
  expect(out.code, out.stderr).toBe(2);
  expect(out.stderr).toMatch(/^error: \S/);
  expect(out.stderr).not.toMatch(/^\s+at /m);
  expect(out.stderr).not.toMatch(/ERR_|Error:/);
  expect(out.stdout).not.toContain('ready');
}

const firstLine = (text: string) => text.split('\n')[0]!;

/** A port held by another program (a plain TCP listener here), released after the test. */
async function holdPort(host = '127.0.0.1'): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, host, r));
  const a = server.address();
  return { port: typeof a === 'object' && a ? a.port : 0, server };
}

/** Whether a port can be listened on (nobody holds it). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

const portOf = (url: string) => Number(new URL(url).port);

describe('flags', () => {
  it('--help prints the usage with every flag and exits 0, through npm start as well', async () => {
    for (const npm of [false, true]) {
      const out = await runCli(['--help'], 60_000, { npm });
      expect(out.code, out.stderr).toBe(0);
      expect(out.stderr).toBe('');
      expect(out.stdout).toContain('Usage: npm start -- [options]');
      for (const flag of FLAGS) expect(out.stdout, flag).toContain(flag);
    }
  });

  it('a mistyped flag: one line naming it (and the flag meant), then the usage; exit 2, no stack trace', async () => {
    const out = await runCli(['--api-prot', '3000']);
    expectRefusal(out);
    expect(firstLine(out.stderr)).toBe('error: unknown option --api-prot (did you mean --api-port?)');
    expect(out.stderr).toContain('Usage: npm start -- [options]');

    const viaNpm = await runCli(['--colck', START], 60_000, { npm: true });
    expectRefusal(viaNpm);
    expect(firstLine(viaNpm.stderr)).toBe('error: unknown option --colck (did you mean --clock?)');
  });

  it('bad values: a port that is not a number, an instant that is not ISO-8601, a flag without its value, an argument without a flag', async () => {
    const cases: [string[], RegExp][] = [
      [['--api-port', 'abc'], /^error: --api-port must be a port number/],
      [['--mail-port', '70000'], /^error: --mail-port must be a port number/],
      [['--clock', 'tomorrow'], /^error: --clock must be an ISO-8601 instant/],
      [['--clock'], /^error: --clock needs a value$/],
      [['--reset=yes'], /^error: --reset takes no value$/],
      [['8080'], /^error: unexpected argument 8080/],
      [['--api-port', '4100', '--mail-port', '4100'], /^error: --api-port and --mail-port are both 4100/],
      [['--scim-port', 'abc'], /^error: --scim-port must be a port number/],
      [['--mail-port', '4200', '--scim-port', '4200'], /^error: --mail-port and --scim-port are both 4200/],
    ];
    for (const [args, first] of cases) {
      const out = await runCli(args);
      expectRefusal(out);
      expect(firstLine(out.stderr), args.join(' ')).toMatch(first);
      expect(out.stderr, args.join(' ')).toContain('Usage: npm start -- [options]');
    }
  });

  it('every flag of --help is in the README', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').split(/^## Local mode\s*$/m)[1]!.split(/^## /m)[0]!;
    for (const flag of FLAGS) expect(readme, flag).toContain(`\`${flag}`);
  });
});

describe('ports', () => {
  it('the API port held by another program: one line naming --api-port, exit 2, nothing started', async () => {
    const held = await holdPort();
    try {
      const dataDir = join(systems.dir(), 'data');
      const out = await runCli(['--api-port', String(held.port), '--mail-port', '0', '--scim-port', '0', '--data-dir', dataDir]);
      expectRefusal(out);
      expect(out.stderr).toBe(`error: port ${held.port} is already in use by another program: stop it, or pass another --api-port (--api-port 0 picks a free port)\n`);
    } finally {
      held.server.close();
    }
  });

  it('the mail port held by another program (on 127.0.0.1 or on every address): one line naming --mail-port, exit 2, never "ready"', async () => {
    for (const host of ['127.0.0.1', '0.0.0.0']) {
      const held = await holdPort(host);
      try {
        const dataDir = join(systems.dir(), 'data');
        const out = await runCli(['--api-port', '0', '--mail-port', String(held.port), '--scim-port', '0', '--data-dir', dataDir]);
        expectRefusal(out);
        expect(out.stderr, host).toBe(`error: port ${held.port} is already in use by another program: stop it, or pass another --mail-port (--mail-port 0 picks a free port)\n`);
      } finally {
        held.server.close();
      }
    }
  });
});

describe('the account directory port', () => {
  it('held by another program: one line naming --scim-port, exit 2, never "ready"', async () => {
    const held = await holdPort();
    try {
      const dataDir = join(systems.dir(), 'data');
      const out = await runCli(['--api-port', '0', '--mail-port', '0', '--scim-port', String(held.port), '--data-dir', dataDir]);
      expectRefusal(out);
      expect(out.stderr).toBe(`error: port ${held.port} is already in use by another program: stop it, or pass another --scim-port (--scim-port 0 picks a free port)\n`);
    } finally {
      held.server.close();
    }
  });

  it('prints the directory page and its SCIM API at start; the page lists users and groups, the API wants the bearer token of the data directory', async () => {
    const sys = await systems.start({ clock: START });
    expect(sys.stdout).toMatch(/^ {2}Directory: http:\/\/127\.0\.0\.1:\d+\/ {2}\(the HMS account directory: SCIM 2\.0 at http:\/\/127\.0\.0\.1:\d+\/scim\/v2, bearer token in .*scim-token\)$/m);
    const page = await fetch(sys.directoryUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h2>Groups</h2>');
    expect((await sys.directory()).groups.map((g) => g.displayName)).toEqual(expect.arrayContaining(['hms-guest-email', 'hms-digital-library']));
    expect((await fetch(`${sys.scimApiUrl}/Users`)).status).toBe(401);
    expect((await sys.scim('GET', '/ServiceProviderConfig')).body).toMatchObject({ changePassword: { supported: true }, filter: { supported: true } });
  });
});

describe('a damaged or busy data directory', () => {
  // One data directory with a guest provisioned (a checkpoint, two emails, a table); each test damages a copy.
  const kept = new Systems();
  let base: string;
  let guestId: string;
  beforeAll(async () => {
    base = kept.dir();
    const sys = await kept.start({ dataDir: base, clock: START });
    const res = await sys.as(SPONSOR.huid, 'POST', '/v1/guests', { guestHuid: GUEST.huid, population: 'visiting-faculty', endDate: '2027-03-01' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    guestId = String(res.body.guestId);
    await sys.settle();
    expect(await sys.mail()).toHaveLength(2);
    expect(await sys.stop()).toEqual({ code: 0, signal: null });
  });
  afterAll(() => kept.killAll());

  const copy = () => {
    const dir = join(systems.dir(), 'data');
    cpSync(base, dir, { recursive: true });
    return dir;
  };
  const start = (dataDir: string) => runCli(['--api-port', '0', '--mail-port', '0', '--scim-port', '0', '--data-dir', dataDir]);
  const checkpoint = (dataDir: string) => join(dataDir, 'executions', readdirSync(join(dataDir, 'executions')).find((f) => f.startsWith(guestId) && f.endsWith('.json'))!);

  it('a truncated clock.json: names the file and the fixes (--clock, --reset); exit 2', async () => {
    const dataDir = copy();
    const file = join(dataDir, 'clock.json');
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 10));
    const out = await start(dataDir);
    expectRefusal(out);
    expect(out.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(out.stderr).toContain(`${file} is damaged`);
    expect(out.stderr).toContain('--clock ISO');
    expect(out.stderr).toContain('--reset');
  });

  it('a damaged DynamoDB store (a truncated manifest): names the store and --reset; exit 2', async () => {
    const dataDir = copy();
    const manifest = readdirSync(join(dataDir, 'dynamodb')).find((f) => f.startsWith('MANIFEST-'))!;
    writeFileSync(join(dataDir, 'dynamodb', manifest), readFileSync(join(dataDir, 'dynamodb', manifest)).subarray(0, 20));
    const out = await start(dataDir);
    expectRefusal(out);
    expect(out.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(out.stderr).toContain(`the DynamoDB store ${join(dataDir, 'dynamodb')} is damaged`);
    expect(out.stderr).toContain('--reset');
  });

  it('a damaged identity key: names the file; exit 2', async () => {
    const dataDir = copy();
    writeFileSync(join(dataDir, 'idp-key.json'), '{"kty":"EC",');
    const out = await start(dataDir);
    expectRefusal(out);
    expect(out.stderr).toContain(`${join(dataDir, 'idp-key.json')} is damaged`);
  });

  it('the account directory is kept in the data directory; damaged (a truncated scim.json), it is named with --reset; exit 2', async () => {
    const kept = copy();
    const sys = await systems.start({ dataDir: kept });
    expect((await sys.directory()).users.filter((u) => u.externalId)).toEqual([expect.objectContaining({ externalId: guestId, active: false })]);
    await sys.stop();

    const dataDir = copy();
    const file = join(dataDir, 'scim.json');
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 30));
    const out = await start(dataDir);
    expectRefusal(out);
    expect(out.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(out.stderr).toContain(`${file} is damaged`);
    expect(out.stderr).toContain('--reset');
  });

  it('a --data-dir that is a file: names the flag; exit 2; the file is left alone', async () => {
    const file = join(systems.dir(), 'not-a-dir');
    writeFileSync(file, 'mine');
    for (const extra of [[], ['--reset']]) {
      const out = await runCli(['--api-port', '0', '--mail-port', '0', '--scim-port', '0', '--data-dir', file, ...extra]);
      expectRefusal(out);
      expect(out.stderr).toBe(`error: --data-dir ${file} is a file, not a directory: pass the path of a directory (it is made if missing)\n`);
      expect(readFileSync(file, 'utf8')).toBe('mine');
    }
  });

  it('a second local system on the same data directory (even with --reset): refused, naming the PID of the first; the first is untouched', async () => {
    const dataDir = copy();
    const first = await systems.start({ dataDir });
    const pid = /PID:\s+(\d+)/.exec(first.stdout)![1]!;
    for (const extra of [[], ['--reset']]) {
      const out = await runCli(['--api-port', '0', '--mail-port', '0', '--scim-port', '0', '--data-dir', dataDir, ...extra]);
      expectRefusal(out);
      expect(out.stderr).toBe(`error: the data directory ${dataDir} is in use by another local system (PID ${pid}, see ${join(dataDir, 'pid.lock')}): stop it (kill ${pid}), or pass another --data-dir\n`);
    }
    expect(await first.mail()).toHaveLength(2);
    expect(await first.guest(SPONSOR.huid, guestId)).toMatchObject({ status: 'PENDING_ACTIVATION' });
  });

  it('a lock left by a local system that was killed is taken over, with a warning', async () => {
    const dataDir = copy();
    const gone = spawnSync(process.execPath, ['-e', '']);
    expect(gone.status).toBe(0);
    writeFileSync(join(dataDir, 'pid.lock'), `${gone.pid}\n`);
    const sys = await systems.start({ dataDir });
    expect(sys.stderr).toContain(`warning: took over the lock ${join(dataDir, 'pid.lock')}: PID ${gone.pid} is not running`);
    expect(await sys.mail()).toHaveLength(2);
    expect(readFileSync(join(dataDir, 'pid.lock'), 'utf8').trim()).toBe(/PID:\s+(\d+)/.exec(sys.stdout)![1]);
  });

  it('a half-written last line of mailbox.jsonl is skipped with a warning and cut; the next message and the next start are fine', async () => {
    const dataDir = copy();
    const file = join(dataDir, 'mailbox.jsonl');
    const whole = readFileSync(file, 'utf8');
    writeFileSync(file, `${whole}{"messageId":"cut-off","subj`);
    let sys = await systems.start({ dataDir });
    expect(sys.stderr).toContain(`warning: ${file}: skipped its half-written last line`);
    expect((await sys.mail()).map((m) => m.subject)).toEqual(['Activate your HMS account', expect.stringContaining('Activate your HMS account')]);
    expect(readFileSync(file, 'utf8')).toBe(whole);
    // A message sent now is a line of its own: the next start reads every message, and warns of nothing.
    const resend = await sys.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}/activation/resend`);
    expect(resend.status, JSON.stringify(resend.body)).toBe(200);
    await sys.settle();
    const mail = (await sys.mail()).length;
    expect(mail).toBeGreaterThan(2);
    await sys.stop();
    sys = await systems.start({ dataDir });
    expect(sys.stderr).not.toContain('warning');
    expect(await sys.mail()).toHaveLength(mail);
  });

  it('a damaged line inside mailbox.jsonl (not the last): names the file and the line; exit 2', async () => {
    const dataDir = copy();
    const file = join(dataDir, 'mailbox.jsonl');
    const [a, b] = readFileSync(file, 'utf8').split('\n');
    writeFileSync(file, `${a!.slice(0, 30)}\n${b}\n`);
    const out = await start(dataDir);
    expectRefusal(out);
    expect(out.stderr).toContain(`${file} is damaged at line 1`);
  });

  for (const [what, damage] of [
    ['truncated', (text: string) => text.slice(0, Math.floor(text.length / 2))],
    ['replaced by {}', () => '{}'],
  ] as const) {
    it(`a checkpoint file ${what}: set aside with a warning naming it; the system starts and GET /_local/executions answers 200`, async () => {
      const dataDir = copy();
      const file = checkpoint(dataDir);
      writeFileSync(file, damage(readFileSync(file, 'utf8')));
      const sys = await systems.start({ dataDir });
      expect(sys.stderr).toContain(`warning: ${file} is damaged`);
      expect(sys.stderr).toContain(`moved to ${file}.damaged`);
      expect(existsSync(`${file}.damaged`)).toBe(true);
      expect(existsSync(file)).toBe(false);
      const res = await sys.raw<{ executions: unknown[] }>('GET', '/_local/executions');
      expect(res.status).toBe(200);
      expect(res.body.executions).toEqual([]);
      // The rest of the data is there.
      expect(await sys.guest(SPONSOR.huid, guestId)).toMatchObject({ status: 'PENDING_ACTIVATION' });
    });
  }
});

describe('stopping', () => {
  /** Whether every process of a group has exited. */
  function groupGone(pgid: number): boolean {
    try {
      process.kill(-pgid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
  async function until(done: () => boolean, ms: number): Promise<boolean> {
    for (const end = Date.now() + ms; !done() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 100));
    return done();
  }

  /**
   * `npm start -- …` as a user runs it in a terminal, in a process group of its own. Unlike the
   * systems of support.ts, nothing kills what it leaves behind when npm exits: that is what is
   * checked. The whole group is killed at the end of the test.
   */
  async function npmStart(args: string[]) {
    const child = spawn('npm', ['start', '--', ...args], { cwd: ROOT, env: childEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const ready = await until(() => /^\s*Token:/m.test(out) || child.exitCode !== null, 45_000);
    expect(ready && child.exitCode === null, out).toBe(true);
    return {
      child,
      exited,
      output: () => out,
      apiPort: Number(/^\s*API:\s+http:\/\/127\.0\.0\.1:(\d+)/m.exec(out)![1]),
      mailPort: Number(/^\s*Mailbox:\s+http:\/\/127\.0\.0\.1:(\d+)/m.exec(out)![1]),
      scimPort: Number(/^\s*Directory:\s+http:\/\/127\.0\.0\.1:(\d+)/m.exec(out)![1]),
      nodePid: Number(/^\s*PID:\s+(\d+)/m.exec(out)?.[1]),
      kill: () => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // gone
        }
      },
    };
  }

  for (const [signal, whom] of [
    ['SIGTERM', 'npm'],
    ['SIGINT', 'npm'],
    ['SIGTERM', 'node'],
  ] as const) {
    it(`${signal} to the PID of ${whom === 'npm' ? 'npm start' : 'the node process it prints'} (not its group) stops every process and frees the ports; a new start on the same ports and data directory works`, async () => {
      const dataDir = systems.dir();
      const run = await npmStart(['--api-port', '0', '--mail-port', '0', '--scim-port', '0', '--data-dir', dataDir]);
      try {
        const pid = whom === 'npm' ? run.child.pid! : run.nodePid;
        expect(pid, run.output()).toBeGreaterThan(0);
        process.kill(pid, signal);
        // npm exits, and nothing of its group (the system's processes) is left behind.
        expect(await until(() => run.child.exitCode !== null || run.child.signalCode !== null, 20_000), run.output()).toBe(true);
        expect(await until(() => groupGone(run.child.pid!), 15_000), run.output()).toBe(true);
        expect(await portFree(run.apiPort)).toBe(true);
        expect(await portFree(run.mailPort)).toBe(true);
        expect(await portFree(run.scimPort)).toBe(true);
        expect(existsSync(join(dataDir, 'pid.lock')), run.output()).toBe(false);
        expect(run.output()).not.toContain('warning');
      } finally {
        run.kill();
        await run.exited;
      }
      const again = await systems.start({ npm: true, dataDir, args: ['--api-port', String(run.apiPort), '--mail-port', String(run.mailPort)] });
      expect(portOf(again.apiUrl)).toBe(run.apiPort);
      expect(portOf(again.mailUrl)).toBe(run.mailPort);
      expect((await again.raw('GET', '/_local/clock')).status).toBe(200);
      expect(again.stderr).toBe('');
    });
  }

  it('npm start runs one node process (no tsx or shell in between): node 24 from the node devDependency', async () => {
    const sys = await systems.start({ npm: true });
    const pid = Number(/PID:\s+(\d+)/.exec(sys.stdout)![1]);
    const ps = spawnSync('ps', ['-o', 'pid=,ppid=', '-g', String(sys.child.pid)], { encoding: 'utf8' });
    const procs = ps.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
    // npm and the system: two processes, the system's parent is npm.
    expect(procs.map(([p]) => p).sort()).toEqual([sys.child.pid, pid].sort());
    expect(procs.find(([p]) => p === pid)![1]).toBe(sys.child.pid);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, 4)).toEqual(['node', '--import', 'tsx', 'local/main.ts']);
    const exe = spawnSync('readlink', ['-f', `/proc/${pid}/exe`], { encoding: 'utf8' }).stdout.trim();
    expect(exe).toBe(realpathSync(join(ROOT, 'node_modules', 'node', 'bin', 'node')));
    expect(spawnSync(exe, ['--version'], { encoding: 'utf8' }).stdout.trim()).toMatch(/^v24\./);
  });
});

describe('the clock', () => {
  const clockLine = (sys: LocalCli) => /^\s*Clock:\s+(.*)$/m.exec(sys.stdout)![1]!;

  it('a frozen clock stays frozen where it was left, on a start without --clock, and says so', async () => {
    const dataDir = systems.dir();
    let sys = await systems.start({ dataDir, clock: START });
    expect(clockLine(sys)).toBe(`${START} (frozen at --clock: POST /_local/clock moves it)`);
    await sys.advance('P1D');
    await sys.stop();

    sys = await systems.start({ dataDir });
    expect(await sys.now()).toEqual({ now: '2027-01-05T14:00:00.000Z', frozen: true });
    expect(clockLine(sys)).toBe(
      `2027-01-05T14:00:00.000Z (frozen where the last run left it (kept in ${join(dataDir, 'clock.json')}): POST /_local/clock moves it; --clock ISO or --reset sets it anew)`,
    );
    await sys.stop();

    // --reset: real time again.
    sys = await systems.start({ dataDir, args: ['--reset'] });
    expect((await sys.now()).frozen).toBe(false);
    expect(clockLine(sys)).toMatch(/ \(real time\)$/);
  });

  it('a real-time clock moved ahead stays as far ahead on the next start, and says so', async () => {
    const dataDir = systems.dir();
    let sys = await systems.start({ dataDir });
    expect(clockLine(sys)).toMatch(/^\S+ \(real time\)$/);
    expect((await sys.now()).frozen).toBe(false);
    await sys.advance('P7D');
    await sys.stop();

    sys = await systems.start({ dataDir });
    const { now, frozen } = await sys.now();
    expect(frozen).toBe(false);
    expect(Date.parse(now) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect(Date.parse(now) - Date.now()).toBeLessThan(7.1 * 86_400_000);
    expect(clockLine(sys)).toContain('(real time + 7d, as far ahead as an earlier run moved it');
  });
});
