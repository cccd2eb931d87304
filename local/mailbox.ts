/**
 * aws-ses-v2-local, started in-process on the mail port. Its store lives in memory; every message
 * is also appended to the data directory and loaded again on start, so the mailbox (GET /store)
 * survives a restart as the rest of the local system does.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

interface StoreModule {
  saveEmail: (email: unknown) => void;
  getStoreReadonly: () => { emails: unknown[] };
  clearStore: () => void;
}

export async function startMailbox(opts: { port: number; host?: string; dataDir?: string | undefined }): Promise<Server> {
  const store = require('aws-ses-v2-local/dist/store.js') as StoreModule;
  const { default: sesServer } = (await import('aws-ses-v2-local')) as unknown as { default: (c: { host: string; port: number }) => Promise<Server> };
  store.clearStore();
  const file = opts.dataDir ? join(opts.dataDir, 'mailbox.jsonl') : undefined;
  if (file && existsSync(file)) {
    const emails = store.getStoreReadonly().emails;
    for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) emails.push(JSON.parse(line));
  }
  const original = (store as { __original?: StoreModule['saveEmail'] }).__original ?? store.saveEmail;
  (store as { __original?: StoreModule['saveEmail'] }).__original = original;
  store.saveEmail = (email: unknown) => {
    if (file) appendFileSync(file, `${JSON.stringify(email)}\n`);
    original(email);
  };
  return sesServer({ host: opts.host ?? '127.0.0.1', port: opts.port });
}
