/**
 * `npm start`: the whole system on this machine, no AWS account needed.
 *   npm start -- [--api-port N] [--mail-port N] [--scim-port N] [--data-dir DIR] [--seed FILE] [--clock ISO] [--reset] [--ses-rate N] [--verbose] [--quiet] [--help]
 * One process (the start script execs node with tsx's loader, no tsx or shell in between):
 * SIGTERM or SIGINT to it, or to npm (which forwards them), stops everything and frees the ports.
 * What the user can fix (a flag, a port in use, a damaged or busy data directory) is one line on
 * stderr and exit status 2, not a stack trace.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseDirectorySeed, type DirectorySeed } from '../shared/adapters/directories.ts';
import { parseCli, USAGE, UsageError, type CliOptions } from './cli-args.ts';
import { dynamoStoreProblem } from './data-dir.ts';
import { SCIM_TOKEN_FILE } from './secrets.ts';
import { StartupError } from './startup-error.ts';
import type { LocalSystem } from './system.ts';

function fail(message: string, usage = false): never {
  process.stderr.write(`error: ${message}\n${usage ? `\n${USAGE}` : ''}`);
  process.exit(2);
}

let cli: CliOptions;
try {
  cli = parseCli(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) fail(err.message, true);
  throw err;
}
if (cli.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

// The handlers' structured logs (every task, every reconciler run) are for operators; locally only
// warnings and errors are shown unless asked for. POWERTOOLS_LOG_LEVEL still wins when set. The
// handlers' logger reads it when it is made, and again at every warm invocation: so it is set
// before the system (and with it the handlers) is loaded.
if (!process.env.POWERTOOLS_LOG_LEVEL) process.env.POWERTOOLS_LOG_LEVEL = cli.verbose ? 'INFO' : 'WARN';
// The handlers' metrics (EMF lines) and traces are for CloudWatch and X-Ray: locally the same code
// runs with both off, by configuration, read when the handlers load (functions/runtime.ts).
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
const { startLocalSystem } = await import('./system.ts');

let seed: DirectorySeed | undefined;
if (cli.seed) {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(cli.seed, 'utf8'));
  } catch (err) {
    fail(`Cannot read --seed ${cli.seed}: ${(err as Error).message}`);
  }
  try {
    seed = parseDirectorySeed(raw, cli.seed);
  } catch (err) {
    fail((err as Error).message);
  }
}

// dynalite reads its store lazily: damage it finds after the start check (a block read for the
// first time) surfaces as an uncaught error of its LevelDB store. Reported as such, not as a stack.
const dynamoPath = join(resolve(cli.dataDir), 'dynamodb');
process.on('uncaughtExceptionMonitor', (err) => {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('LEVEL_')) {
    process.stderr.write(`error: ${dynamoStoreProblem(dynamoPath, err)}\n`);
    process.exit(2);
  }
});

// Signals are handled from here on, so that one arriving during the start (or just as "ready" is
// printed) stops the system as well: a start under way is finished first, then stopped.
// Ctrl-C under npm sends SIGINT twice (the terminal's to the group, npm's forwarded): one stop.
let system: LocalSystem | undefined;
let stopping = false;
const stop = (sys: LocalSystem) => {
  sys.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`error: stopping: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
};
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => {
    process.stderr.write('error: the local system did not stop within 15 s; exiting anyway\n');
    process.exit(1);
  }, 15_000).unref();
  if (system) stop(system);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

try {
  system = await startLocalSystem({
    apiPort: cli.apiPort,
    mailPort: cli.mailPort,
    scimPort: cli.scimPort,
    dataDir: cli.dataDir,
    seed,
    clock: cli.clock,
    sesRate: cli.sesRate,
    reset: cli.reset,
    log: cli.quiet ? undefined : (line) => process.stdout.write(`${line}\n`),
    warn: (line) => process.stderr.write(`warning: ${line}\n`),
  });
} catch (err) {
  if (err instanceof StartupError) fail(err.message);
  throw err;
}

/** 7d 2h 5m, or 40s under a minute. */
function span(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  const m = Math.round(ms / 60_000);
  const parts = [[Math.floor(m / 1440), 'd'], [Math.floor((m % 1440) / 60), 'h'], [m % 60, 'm']] as const;
  return parts.filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`).join(' ') || '0m';
}

const clockFile = join(system.dataDir, 'clock.json');
const clockMode =
  system.clockOrigin === 'flag'
    ? 'frozen at --clock: POST /_local/clock moves it'
    : system.clockOrigin === 'kept' && system.clock.frozen
      ? `frozen where the last run left it (kept in ${clockFile}): POST /_local/clock moves it; --clock ISO or --reset sets it anew`
      : system.clockOrigin === 'kept'
        ? `real time + ${span(system.clock.aheadMs)}, as far ahead as an earlier run moved it (kept in ${clockFile}); --reset for plain real time`
        : 'real time';

const banner = [
  `HMS guest accounts — local system ready in ${Math.round(system.startupMs)} ms`,
  `  Pages:    ${system.pagesUrl ?? '(not served: see the warning above)'}  (sponsors, HMS IT, and guests' activation at /activate; the emails link here)`,
  `  API:      ${system.apiUrl}`,
  `  OpenAPI:  ${system.openApiUrl}`,
  `  Mailbox:  ${system.mailUrl}  (messages as JSON: ${system.mailUrl}/store)`,
  `  Directory: ${system.scimUrl}  (the HMS account directory: SCIM 2.0 at ${system.scimApiUrl}, bearer token in ${join(system.dataDir, SCIM_TOKEN_FILE)})`,
  `  Clock:    ${system.clock.now().toISOString()} (${clockMode})`,
  `  Data:     ${system.dataDir}`,
  `  PID:      ${process.pid} (Ctrl-C or kill ${process.pid} stops it)`,
  `  Sign-in:  ${system.idp.issuer}  (OpenID provider: client ${system.idp.clientId}, code + PKCE, scopes ${system.idp.scopes.join(' ')})`,
  `  Token:    curl -s -X POST ${system.apiUrl}/_local/token -H 'content-type: application/json' -d '{"huid":"10000001"}'`,
  '',
];
// A signal during the start: stopped now, never reported ready.
if (stopping) stop(system);
else process.stdout.write(banner.join('\n'));
