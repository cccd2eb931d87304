/**
 * `npm run --silent token -- --huid X [--role R]... [--scope S]... [--api URL]`: prints an access
 * token from the running local identity provider (POST /_local/token): the same provider, key and
 * claims as a sign-in through its pages, valid an hour of real time.
 */
import { parseArgs } from 'node:util';

const USAGE = 'usage: npm run --silent token -- --huid 10000001 [--role hms-it]... [--scope guests:read|guests:write]... [--api http://127.0.0.1:3000]\n';

function fail(message: string): never {
  process.stderr.write(message);
  process.exit(2);
}

let values: { huid?: string | undefined; role?: string[] | undefined; scope?: string[] | undefined; api: string };
try {
  ({ values } = parseArgs({
    options: { huid: { type: 'string' }, role: { type: 'string', multiple: true }, scope: { type: 'string', multiple: true }, api: { type: 'string', default: 'http://127.0.0.1:3000' } },
    strict: true,
  }) as { values: typeof values });
} catch (err) {
  fail(`${(err as Error).message}\n${USAGE}`);
}
if (!values.huid) fail(USAGE);

let res: Response;
try {
  res = await fetch(`${values.api}/_local/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // No scopes: both API scopes.
    body: JSON.stringify({ huid: values.huid, roles: values.role ?? [], ...(values.scope ? { scopes: values.scope } : {}) }),
  });
} catch {
  fail(`No local system answers at ${values.api}: start it with \`npm start\` (or pass --api).\n`);
}
const body = (await res.json()) as { token?: string; detail?: string };
if (!res.ok || !body.token) {
  process.stderr.write(`${body.detail ?? res.statusText}\n`);
  process.exit(1);
}
process.stdout.write(`${body.token}\n`);
