/** `npm run --silent token -- --huid X [--group G]... [--api URL]`: prints a token from the running local identity provider. */
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { huid: { type: 'string' }, group: { type: 'string', multiple: true }, api: { type: 'string', default: 'http://127.0.0.1:3000' } },
  strict: true,
});
if (!values.huid) {
  process.stderr.write('usage: npm run --silent token -- --huid 10000001 [--group hms-it]\n');
  process.exit(2);
}
const res = await fetch(`${values.api}/_local/token`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ huid: values.huid, groups: values.group ?? [] }),
});
const body = (await res.json()) as { token?: string; detail?: string };
if (!res.ok || !body.token) {
  process.stderr.write(`${body.detail ?? res.statusText}\n`);
  process.exit(1);
}
process.stdout.write(`${body.token}\n`);
