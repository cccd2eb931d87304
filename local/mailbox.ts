/**
 * aws-ses-v2-local, started in-process on the mail port. Its store lives in memory; every message
 * is also appended to the data directory and loaded again on start, so the mailbox (GET /store)
 * survives a restart as the rest of the local system does. Messages are kept as sent, except that
 * their HTML opens links in a new tab (below): a local convenience, the sent email is unchanged.
 */
import { appendFileSync, existsSync, readFileSync, truncateSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { RESET_FIX } from './data-dir.ts';
import { StartupError, tryListen } from './startup-error.ts';

const require = createRequire(import.meta.url);

interface StoreModule {
  saveEmail: (email: unknown) => void;
  getStoreReadonly: () => { emails: unknown[] };
  clearStore: () => void;
}

/**
 * The messages of mailbox.jsonl, one JSON object a line. A half-written last line (no newline at
 * its end: the process was killed while appending it, before SES answered, so the message will be
 * sent again) is skipped with a warning and cut from the file, so that the next append starts on a
 * line of its own. Any other line that is not JSON means the file is damaged: a StartupError.
 */
export function loadMailboxFile(file: string, warn: (line: string) => void = () => undefined): unknown[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const last = lines.pop()!; // '' when the file ends with a newline, as every complete write does
  const emails: unknown[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line) continue;
    try {
      emails.push(JSON.parse(line));
    } catch (err) {
      throw new StartupError(`${file} is damaged at line ${i + 1} (${(err as Error).message}): ${RESET_FIX}, or delete that line`);
    }
  }
  if (last) {
    const complete = Buffer.byteLength(text, 'utf8') - Buffer.byteLength(last, 'utf8');
    truncateSync(file, complete);
    warn(`${file}: skipped its half-written last line (${Buffer.byteLength(last, 'utf8')} bytes, cut off when the system was stopped while writing it; that message is sent again when its task is retried)`);
  }
  return emails;
}

interface SavedEmail {
  replyTo?: string[];
  destination?: { to?: string[]; cc?: string[]; bcc?: string[] };
  body?: { html?: string; text?: string };
}

/** Makes every link of a document open in a new tab (its browsing context's default target). */
export const NEW_TAB_BASE = '<base target="_blank">';

/**
 * `html` with every link opening in a new tab. The mailbox's page shows an email's HTML inside an
 * iframe, and the pages the links lead to refuse to be framed (frame-ancestors 'none'): followed in
 * the frame, a link shows a blank frame. A `<base target="_blank">` sends them to a tab of their own;
 * the `<a>` tags are left as they are, so tests reading the links (`<a href="…">text</a>`) still
 * match. The base goes into the document's head; the mailbox's page sets the HTML as its frame's body
 * (innerHTML), where the parser keeps the base element, which applies wherever it stands. Idempotent:
 * HTML that already names a base target is left alone (messages loaded again from mailbox.jsonl).
 */
export function withLinksInNewTab(html: string): string {
  if (/<base\b[^>]*\btarget\s*=/i.test(html)) return html;
  const head = /<head\b[^>]*>/i.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + NEW_TAB_BASE + html.slice(head.index + head[0].length);
  const body = /<body\b/i.exec(html);
  if (body) return `${html.slice(0, body.index)}<head>${NEW_TAB_BASE}</head>${html.slice(body.index)}`;
  return NEW_TAB_BASE + html;
}

/** A message as the local mailbox keeps it: its HTML body, if any, opening links in a new tab. */
function forMailbox(email: unknown): unknown {
  const html = (email as SavedEmail | null)?.body?.html;
  if (typeof html !== 'string') return email;
  const e = email as SavedEmail;
  return { ...e, body: { ...e.body, html: withLinksInNewTab(html) } };
}

/** Every `<prefix>N` value of an SES v1 form, by N. */
function members(form: Record<string, unknown>, prefix: string): string[] {
  return Object.entries(form)
    .filter(([k, v]) => k.startsWith(prefix) && /^\d+$/.test(k.slice(prefix.length)) && typeof v === 'string')
    .sort(([a], [b]) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)))
    .map(([, v]) => v as string);
}

function withEveryAddress(email: SavedEmail, form: Record<string, unknown>): SavedEmail {
  return {
    ...email,
    replyTo: members(form, 'ReplyToAddresses.member.'),
    destination: {
      to: members(form, 'Destination.ToAddresses.member.'),
      cc: members(form, 'Destination.CcAddresses.member.'),
      bcc: members(form, 'Destination.BccAddresses.member.'),
    },
  };
}

export async function startMailbox(opts: { port: number; host?: string; dataDir?: string | undefined; warn?: (line: string) => void; rate?: number | undefined }): Promise<Server> {
  const store = require('aws-ses-v2-local/dist/store.js') as StoreModule;
  const { default: sesServer } = (await import('aws-ses-v2-local')) as unknown as { default: (c: { host: string; port: number }) => Promise<Server> };
  store.clearStore();
  const file = opts.dataDir ? join(opts.dataDir, 'mailbox.jsonl') : undefined;
  // Messages stored before links opened in a new tab get their base on the way in too.
  if (file) store.getStoreReadonly().emails.push(...loadMailboxFile(file, opts.warn).map(forMailbox));
  const original = (store as { __original?: StoreModule['saveEmail'] }).__original ?? store.saveEmail;
  (store as { __original?: StoreModule['saveEmail'] }).__original = original;
  // aws-ses-v2-local's SES v1 SendEmail validates its form with a schema naming only `member.1` of
  // To, Cc, Bcc and Reply-To, and drops every other address; SES keeps them all (up to 50). The
  // handler runs synchronously up to saving the email, so the form it was given is kept here and the
  // addresses are read from it again, in order.
  const v1 = require('aws-ses-v2-local/dist/v1/sendEmail.js') as { default: (req: { body: Record<string, unknown> }, ...rest: unknown[]) => unknown; __original?: unknown };
  const handler = (v1.__original ?? v1.default) as typeof v1.default;
  v1.__original = handler;
  let form: Record<string, unknown> | undefined;
  // SES's maximum send rate (`--ses-rate`, issue 21): recipients per real second; a send that would
  // pass it is refused as SES refuses it (400 Throttling, "Maximum sending rate exceeded.").
  const sentIn = new Map<number, number>();
  v1.default = (req, ...rest) => {
    if (opts.rate !== undefined) {
      const second = Math.floor(Date.now() / 1000);
      const recipients = Object.keys(req.body).filter((k) => /^Destination\.(To|Cc|Bcc)Addresses\.member\.\d+$/.test(k)).length || 1;
      const sent = sentIn.get(second) ?? 0;
      if (sent + recipients > opts.rate) {
        const res = rest[0] as { status(n: number): { type(t: string): { send(b: string): void } } };
        res.status(400).type('text/xml').send('<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Maximum sending rate exceeded.</Message></Error><RequestId>local</RequestId></ErrorResponse>');
        return undefined;
      }
      sentIn.set(second, sent + recipients);
      sentIn.delete(second - 5);
    }
    form = req.body;
    try {
      return handler(req, ...rest);
    } finally {
      form = undefined;
    }
  };
  store.saveEmail = (email: unknown) => {
    const saved = forMailbox(form ? withEveryAddress(email as SavedEmail, form) : email);
    if (file) appendFileSync(file, `${JSON.stringify(saved)}\n`);
    original(saved);
  };
  const host = opts.host ?? '127.0.0.1';
  const server = await sesServer({ host, port: opts.port });
  // aws-ses-v2-local resolves even when listening failed (Express 5's app.listen calls back with the
  // error, which it ignores): a server that is not listening would leave the mail port to whatever
  // program holds it. Listening on it here gives the reason (EADDRINUSE, EACCES, …).
  if (!server.listening) {
    server.close();
    await tryListen(opts.port, host);
    throw Object.assign(new Error(`the mail server did not listen on ${host}:${opts.port}`), { code: 'ENOTLISTENING' });
  }
  return server;
}
