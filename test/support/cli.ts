/**
 * End-to-end support: starts the real local system as a child process, exactly as a user would
 * (`npm start -- …`, or what its script runs: `node --import tsx local/main.ts …`), reads the URLs it prints, and talks to it over HTTP
 * only — the API, the /_local endpoints and the mailbox's GET /store. No import of the system's
 * modules: what is tested is the command and its HTTP surface. Used by test/e2e and bench/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DELEGATE, GUEST, SPONSOR, directoryOf, requestJson, scimCall, setActiveByHand, type Answer, type DirectoryView, type Mail } from './sample.ts';

export { DELEGATE, GUEST, SPONSOR, type Answer, type DirectoryView, type Mail };

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const BIN = join(ROOT, 'node_modules', '.bin');

export interface ExecutionView {
  name: string;
  status: string;
  currentState: string | null;
  transitions: number;
  invocations: number;
  error: string | null;
}

export interface StartOptions {
  /** Data directory; a new temporary one if not given. */
  dataDir?: string;
  /** --clock ISO */
  clock?: string;
  /** --seed FILE */
  seed?: string;
  /** More arguments after the ones above. */
  args?: string[];
  /** Start through `npm start -- …` instead of `node --import tsx local/main.ts …` (what the start script runs). */
  npm?: boolean;
  /** Give up waiting for "ready" after this long. */
  timeoutMs?: number;
  /** Another checkout of the project to run (bench/ measures a baseline side by side); this one by default. */
  root?: string;
}

/** Every child started and not yet known to have exited: killed by killAll() and, at the latest, when this process exits. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) killGroup(c, 'SIGKILL');
});

/** Signals the child's whole process group (npm starts a further process; the child is a group leader). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    // The leader is gone; members of its group may not be (npm's node child): signal the group anyway.
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // no such group: nothing left
      }
    }
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** The environment for a child: this one minus what a test runner or an in-process system may have set. */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(AWS_|VITEST|TEST$|NODE_ENV$|npm_)/.test(k)) continue;
    env[k] = v;
  }
  // Node 24 from node_modules/.bin (the `node` devDependency) first, as npm scripts have it.
  env.PATH = `${BIN}${delimiter}${process.env.PATH ?? ''}`;
  return env;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
}

/** Whether the checkout at `root` knows the flag (a baseline of an older commit, bench/, may not). */
function knowsFlag(root: string, flag: string): boolean {
  try {
    return readFileSync(join(root, 'local', 'cli-args.ts'), 'utf8').includes(`'${flag}'`);
  } catch {
    return false;
  }
}

function cliArgs(opts: StartOptions, dataDir: string): string[] {
  return [
    '--api-port', '0',
    '--mail-port', '0',
    ...(knowsFlag(opts.root ?? ROOT, 'scim-port') ? ['--scim-port', '0'] : []),
    '--data-dir', dataDir,
    ...(opts.clock ? ['--clock', opts.clock] : []),
    ...(opts.seed ? ['--seed', opts.seed] : []),
    ...(opts.args ?? []),
  ];
}

function spawnCli(args: string[], npm: boolean, root = ROOT): ChildProcess {
  const [cmd, argv] = npm ? ['npm', ['start', '--', ...args]] : [join(BIN, 'node'), [...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []), '--import', 'tsx', 'local/main.ts', ...args]];
  const child = spawn(cmd, argv as string[], { cwd: root, env: childEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => {
    // The group may outlive its leader for a moment (npm's node child): make sure it does not.
    killGroup(child, 'SIGKILL');
    children.delete(child);
  });
  return child;
}

/** Runs the CLI to its exit (for arguments it refuses), directly or through `npm start -- …`. */
export async function runCli(args: string[], timeoutMs = 60_000, opts: { npm?: boolean } = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawnCli(args, opts.npm ?? false);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), timeoutMs);
  const end = await exited(child);
  clearTimeout(timer);
  return { ...end, stdout, stderr };
}

/** A freshly made temporary data directory. */
export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'hms-guests-e2e-'));
}

/** One running local system, started as a child process. */
export class LocalCli {
  private out = '';
  private err = '';
  private readonly tokens = new Map<string, string>();
  apiUrl = '';
  mailUrl = '';
  openApiUrl = '';
  /** The account directory's page (empty for a checkout without one). */
  directoryUrl = '';
  /** Its SCIM 2.0 API. */
  scimApiUrl = '';
  /** What the system printed as its startup time. */
  readyInMs = 0;
  /** From spawning to the URLs printed, measured here. */
  spawnToReadyMs = 0;
  /** Requests made to the API proper (not /_local), i.e. invocations of the API's Lambda handler. */
  apiCalls = 0;
  /** Hold every API answer to this checkout's OpenAPI document (test/support/contract.ts); off for a baseline of another commit (bench/). */
  checkContract = true;

  private constructor(
    readonly child: ChildProcess,
    readonly dataDir: string,
  ) {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.err += d));
  }

  /** Starts the system and resolves when it has printed its URLs; rejects (and kills it) if it exits or takes too long first. */
  static async start(opts: StartOptions = {}): Promise<LocalCli> {
    const dataDir = opts.dataDir ?? tempDataDir();
    const t0 = performance.now();
    const cli = new LocalCli(spawnCli(cliArgs(opts, dataDir), opts.npm ?? false, opts.root), dataDir);
    try {
      await cli.ready(opts.timeoutMs ?? 45_000);
    } catch (err) {
      await cli.kill();
      throw err;
    }
    cli.spawnToReadyMs = performance.now() - t0;
    return cli;
  }

  private ready(timeoutMs: number): Promise<void> {
    return new Promise((resolveReady, reject) => {
      const check = () => {
        const ready = /ready in (\d+) ms/.exec(this.out);
        const api = /^\s*API:\s+(\S+)/m.exec(this.out);
        const mail = /^\s*Mailbox:\s+(\S+)/m.exec(this.out);
        const openApi = /^\s*OpenAPI:\s+(\S+)/m.exec(this.out);
        if (ready && api && mail && openApi) {
          this.readyInMs = Number(ready[1]);
          [this.apiUrl, this.mailUrl, this.openApiUrl] = [api[1]!, mail[1]!, openApi[1]!];
          const directory = /^\s*Directory:\s+(\S+)\s+\(.*SCIM 2\.0 at (\S+),/m.exec(this.out);
          if (directory) [this.directoryUrl, this.scimApiUrl] = [directory[1]!, directory[2]!];
          done();
          resolveReady();
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        done();
        reject(new Error(`local system exited (${code ?? signal}) before it was ready\n--- stdout\n${this.out}\n--- stderr\n${this.err}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`local system not ready after ${timeoutMs} ms\n--- stdout\n${this.out}\n--- stderr\n${this.err}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.child.stdout!.off('data', check);
        this.child.off('exit', onExit);
      };
      this.child.stdout!.on('data', check);
      this.child.once('exit', onExit);
      check();
    });
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  /** SIGKILL to the whole process group: no shutdown code runs. */
  async kill(): Promise<void> {
    killGroup(this.child, 'SIGKILL');
    await exited(this.child);
  }

  /** SIGTERM (the system's own shutdown), then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => killGroup(this.child, 'SIGKILL'), graceMs);
    const end = await exited(this.child);
    clearTimeout(timer);
    return end;
  }

  /** Removes the data directory (after kill or stop). */
  removeData(): void {
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  async raw<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, source?: string): Promise<Answer<T>> {
    if (!path.startsWith('/_local/')) this.apiCalls++;
    return requestJson<T>(this.apiUrl, method, path, body, headers, source, { contract: this.checkContract });
  }

  /** A token from the local identity provider (POST /_local/token). */
  async token(huid: string, roles: string[] = []): Promise<string> {
    // No `roles` key when there are none, so a baseline from before roles (bench/) takes the request too.
    const res = await this.raw<{ token: string }>('POST', '/_local/token', roles.length ? { huid, roles } : { huid });
    if (res.status !== 200) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token;
  }

  /**
   * A call as the person with this HUID. Tokens live an hour of real time, whatever the local
   * clock does: one per caller, kept (a test runs well within the hour).
   */
  async as<T = Record<string, unknown>>(huid: string, method: string, path: string, body?: unknown, roles: string[] = []): Promise<Answer<T>> {
    const key = `${huid}|${roles.join(',')}`;
    let token = this.tokens.get(key);
    if (!token) this.tokens.set(key, (token = await this.token(huid, roles)));
    return this.raw<T>(method, path, body, { authorization: `Bearer ${token}` });
  }

  /** POST /_local/clock: answers when the system is quiet at the new instant. */
  async clock(move: { advance: string } | { to: string }): Promise<{ now: string; transitions: number }> {
    const res = await this.raw<{ now: string; transitions: number }>('POST', '/_local/clock', move);
    if (res.status !== 200) throw new Error(`clock ${JSON.stringify(move)}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  advance(duration: string) {
    return this.clock({ advance: duration });
  }

  advanceTo(instant: string) {
    return this.clock({ to: instant });
  }

  /** Lets the workflows catch up with "now" (a clock move of zero). */
  settle() {
    return this.advance('PT0S');
  }

  async now(): Promise<{ now: string; frozen: boolean }> {
    return (await this.raw<{ now: string; frozen: boolean }>('GET', '/_local/clock')).body;
  }

  async mail(): Promise<Mail[]> {
    const res = await fetch(`${this.mailUrl}/store`);
    if (!res.ok) throw new Error(`mailbox: ${res.status}`);
    return ((await res.json()) as { emails: Mail[] }).emails;
  }

  async mailTo(address: string): Promise<Mail[]> {
    return (await this.mail()).filter((m) => m.destination.to.includes(address) || m.destination.cc.includes(address));
  }

  /** The account directory as its page lists it (GET / as JSON): users with their groups, groups, the changes it made. */
  directory(): Promise<DirectoryView> {
    return directoryOf(this.directoryUrl);
  }

  /** A call to the account directory's SCIM API, with the bearer token of the data directory. */
  scim(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    return scimCall(this.scimApiUrl, this.dataDir, method, path, body);
  }

  /** Enables or disables a directory user by hand (as HMS IT's console would), not through this system. */
  setActiveByHand(userName: string, active: boolean): Promise<void> {
    return setActiveByHand(this.scimApiUrl, this.dataDir, userName, active);
  }

  async executions(): Promise<{ stats: Record<string, number>; executions: ExecutionView[] }> {
    const res = await this.raw<{ stats: Record<string, number>; executions: ExecutionView[] }>('GET', '/_local/executions');
    if (res.status !== 200) throw new Error(`executions: ${res.status}`);
    return res.body;
  }

  /** The executions of one guest, newest generation first. */
  async executionsOf(guestId: string): Promise<ExecutionView[]> {
    return (await this.executions()).executions.filter((e) => e.name.startsWith(guestId)).sort((a, b) => b.name.localeCompare(a.name, 'en', { numeric: true }));
  }

  async guest(huid: string, guestId: string): Promise<Record<string, unknown>> {
    const res = await this.as(huid, 'GET', `/v1/guests/${guestId}`);
    if (res.status !== 200) throw new Error(`GET guest: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
}

/** Keeps track of the systems a test starts so that afterEach can kill them whatever happened. */
export class Systems {
  private readonly started: LocalCli[] = [];
  private readonly dirs = new Set<string>();

  async start(opts: StartOptions = {}): Promise<LocalCli> {
    const dataDir = opts.dataDir ?? tempDataDir();
    this.dirs.add(dataDir);
    const cli = await LocalCli.start({ ...opts, dataDir });
    this.started.push(cli);
    return cli;
  }

  /** A temporary directory removed with the systems. */
  dir(): string {
    const d = tempDataDir();
    this.dirs.add(d);
    return d;
  }

  /** SIGKILL to every system still running, then removes their data directories. */
  async killAll(): Promise<void> {
    await Promise.all(this.started.splice(0).map((c) => c.kill()));
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
    this.dirs.clear();
  }
}
