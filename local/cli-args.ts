/**
 * The command line of `npm start` (local/main.ts): its flags, `--help`, and the refusal of an
 * unknown flag or a bad value as one line naming it (then the usage; exit status 2), never a
 * stack trace.
 */
import { parseArgs } from 'node:util';

export const USAGE = `Usage: npm start -- [options]

Runs the whole system on this machine (API, Step Functions, DynamoDB, the SES mailbox, the
account directory (SCIM 2.0), the reconciler's schedule) on one local clock, with its data in a
data directory.

Options:
  --api-port N     port of the local API (default 3000; 0 picks a free port)
  --mail-port N    port of the mailbox, aws-ses-v2-local (default 8005; 0 picks a free port)
  --scim-port N    port of the account directory, an embedded SCIM 2.0 server with a read-only
                   page at / (default 8006; 0 picks a free port)
  --data-dir DIR   where tables, executions, mail, the directory and the clock are kept (default .local)
  --seed FILE      the people and HSR directory to load, a JSON file (default: built-in sample)
  --clock ISO      freeze the clock at this instant (POST /_local/clock moves it). Without
                   --clock, the clock kept in the data directory goes on where the last run
                   left it (frozen, or ahead of real time); a new data directory's follows real time
  --reset          empty the data directory first
  --ses-rate N     SES's maximum send rate, recipients a second: the mailbox refuses what passes
                   it (Throttling), as SES does, and the functions' send-rate limiter keeps to it
                   (default: no limit in the mailbox, the limiter at 1000 a second)
  --verbose        show the handlers' logs (INFO and above)
  --quiet          print no line per API request
  -h, --help       print this help and exit

Stop it with Ctrl-C, or SIGTERM to the PID it prints (or to npm's).
`;

export interface CliOptions {
  help: boolean;
  apiPort: number;
  mailPort: number;
  scimPort: number;
  dataDir: string;
  seed: string | undefined;
  clock: string | undefined;
  reset: boolean;
  sesRate: number | undefined;
  quiet: boolean;
  verbose: boolean;
}

/** A command line that cannot be run: `message` is one line naming the flag. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const OPTIONS = {
  'api-port': { type: 'string', default: '3000' },
  'mail-port': { type: 'string', default: '8005' },
  'scim-port': { type: 'string', default: '8006' },
  'data-dir': { type: 'string', default: '.local' },
  seed: { type: 'string' },
  clock: { type: 'string' },
  reset: { type: 'boolean', default: false },
  'ses-rate': { type: 'string' },
  quiet: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Edits (insert, delete, replace, swap two neighbours) from one word to another. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The known flag closest to a mistyped one, if any is close. */
function suggestion(flag: string): string | undefined {
  const name = flag.replace(/^-+/, '').split('=')[0]!;
  const best = Object.keys(OPTIONS)
    .map((o) => [o, distance(name, o)] as const)
    .sort((a, b) => a[1] - b[1])[0];
  return best && best[1] <= (best[0].length <= 4 ? 1 : 2) ? `--${best[0]}` : undefined;
}

/** parseArgs' error as one line. */
function usageProblem(err: NodeJS.ErrnoException): string {
  const message = err.message;
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const flag = /'([^']+)'/.exec(message)?.[1] ?? message;
      const near = suggestion(flag);
      return `unknown option ${flag}${near ? ` (did you mean ${near}?)` : ''}`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? message} (every option is a --flag; values follow their flag)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
      if (/does not take an argument/.test(message)) return `${flag} takes no value`;
      if (/ambiguous/.test(message)) return `${flag} needs a value (one that starts with "-" is written ${flag}=VALUE)`;
      if (/argument missing/.test(message)) return `${flag} needs a value`;
      return message.split('\n')[0]!;
    }
    default:
      return message.split('\n')[0]!;
  }
}

function port(flag: string, value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new UsageError(`${flag} must be a port number from 0 to 65535, not ${JSON.stringify(value)}`);
  return Number(value);
}

function sesRate(value: string): number {
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1) throw new UsageError(`--ses-rate must be a whole number of recipients a second (at least 1), not ${JSON.stringify(value)}`);
  return Number(value);
}

/** Parses `npm start`'s arguments; throws a UsageError for anything it cannot run. */
export function parseCli(argv: string[]): CliOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError(usageProblem(err as NodeJS.ErrnoException));
  }
  const str = (k: keyof typeof OPTIONS) => values[k] as string | undefined;
  const bool = (k: keyof typeof OPTIONS) => values[k] === true;
  // --help answers whatever else is on the line.
  if (bool('help')) return { help: true, apiPort: 3000, mailPort: 8005, scimPort: 8006, dataDir: '.local', seed: undefined, clock: undefined, reset: false, sesRate: undefined, quiet: false, verbose: false };
  const opts: CliOptions = {
    help: bool('help'),
    apiPort: port('--api-port', str('api-port')!),
    mailPort: port('--mail-port', str('mail-port')!),
    scimPort: port('--scim-port', str('scim-port')!),
    dataDir: str('data-dir')!,
    seed: str('seed'),
    clock: str('clock'),
    reset: bool('reset'),
    sesRate: str('ses-rate') === undefined ? undefined : sesRate(str('ses-rate')!),
    quiet: bool('quiet'),
    verbose: bool('verbose'),
  };
  const ports = [['--api-port', opts.apiPort], ['--mail-port', opts.mailPort], ['--scim-port', opts.scimPort]] as const;
  for (const [i, [flag, n]] of ports.entries()) {
    const same = ports.slice(i + 1).find(([, m]) => n !== 0 && m === n);
    if (same) throw new UsageError(`${flag} and ${same[0]} are both ${n}: they need a port each`);
  }
  if (!opts.dataDir) throw new UsageError('--data-dir needs a directory');
  if (opts.seed === '') throw new UsageError('--seed needs a file');
  if (opts.clock !== undefined && (!/^\d{4}-\d{2}-\d{2}(T|$)/.test(opts.clock) || Number.isNaN(Date.parse(opts.clock)))) {
    throw new UsageError(`--clock must be an ISO-8601 instant such as 2027-01-04T14:00:00Z, not ${JSON.stringify(opts.clock)}`);
  }
  return opts;
}
