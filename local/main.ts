/**
 * `npm start`: the whole system on this machine, no AWS account needed.
 *   npm start -- [--api-port N] [--mail-port N] [--data-dir DIR] [--seed FILE] [--clock ISO] [--reset] [--verbose] [--quiet]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseDirectorySeed } from '../shared/adapters/directories.ts';
import { logger } from '../functions/runtime.ts';
import { startLocalSystem } from './system.ts';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    'api-port': { type: 'string', default: '3000' },
    'mail-port': { type: 'string', default: '8005' },
    'data-dir': { type: 'string', default: '.local' },
    seed: { type: 'string' },
    clock: { type: 'string' },
    reset: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
  strict: true,
});

const port = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`--${name} must be a port number, not ${v}`);
  return n;
};

// The handlers' structured logs (every task, every reconciler run) are for operators; locally only
// warnings and errors are shown unless asked for. POWERTOOLS_LOG_LEVEL still wins when set.
if (!process.env.POWERTOOLS_LOG_LEVEL) logger.setLogLevel(values.verbose ? 'INFO' : 'WARN');

let seed;
if (values.seed) {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(values.seed, 'utf8'));
  } catch (err) {
    fail(`Cannot read --seed ${values.seed}: ${(err as Error).message}`);
  }
  try {
    seed = parseDirectorySeed(raw, values.seed);
  } catch (err) {
    fail((err as Error).message);
  }
}
if (values.clock && Number.isNaN(Date.parse(values.clock))) fail(`--clock must be an ISO-8601 instant, not ${values.clock}`);

const system = await startLocalSystem({
  apiPort: port('api-port', values['api-port']!),
  mailPort: port('mail-port', values['mail-port']!),
  dataDir: values['data-dir']!,
  seed,
  clock: values.clock,
  reset: values.reset,
  log: values.quiet ? undefined : (line) => process.stdout.write(`${line}\n`),
});

process.stdout.write(
  [
    `HMS guest accounts — local system ready in ${Math.round(system.startupMs)} ms`,
    `  API:      ${system.apiUrl}`,
    `  OpenAPI:  ${system.openApiUrl}`,
    `  Mailbox:  ${system.mailUrl}  (messages as JSON: ${system.mailUrl}/store)`,
    `  Clock:    ${system.clock.now().toISOString()} (${system.clock.frozen ? 'frozen: POST /_local/clock to move it' : 'real time'})`,
    `  Token:    curl -s -X POST ${system.apiUrl}/_local/token -H 'content-type: application/json' -d '{"huid":"10000001"}'`,
    '',
  ].join('\n'),
);

const shutdown = async () => {
  await system.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
