/**
 * The local system's start, piece by piece (the command end to end is test/e2e/cli.e2e.test.ts):
 * the mailbox's listen error surfaces, its emails' links open in a new tab, the data directory's
 * lock, mailbox.jsonl's half-written last line, damaged checkpoint files, and the command line.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../local/cli-args.ts';
import { LocalClock } from '../../local/clock.ts';
import { LOCK_FILE, openDataDir } from '../../local/data-dir.ts';
import { loadMailboxFile, NEW_TAB_BASE, startMailbox, withLinksInNewTab } from '../../local/mailbox.ts';
import { render } from '../../shared/core/app/email.ts';
import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { LocalStepFunctions } from '../../local/sfn/service.ts';
import { StartupError } from '../../local/startup-error.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'hms-local-start-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the mailbox (aws-ses-v2-local)', () => {
  it('a mail port another program holds: startMailbox rejects with EADDRINUSE instead of answering with a server that does not listen', async () => {
    const other = createServer();
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const port = (other.address() as { port: number }).port;
    try {
      await expect(startMailbox({ port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      other.close();
    }
  });

  it('keeps every To, Cc and Bcc address of an SES v1 SendEmail, in order, as SES does (aws-ses-v2-local alone keeps only the first of each)', async () => {
    // Prepare
    const dir = tempDir();
    const server: Server = await startMailbox({ port: 0, dataDir: dir });
    const port = (server.address() as { port: number }).port;
    const ses = new SESClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    try {
      // Act
      await ses.send(
        new SendEmailCommand({
          Source: 'from@example.org',
          Destination: { ToAddresses: ['a@example.org', 'b@example.org', 'c@example.org'], CcAddresses: ['pi@example.org', 'rc@example.org'], BccAddresses: ['x@example.org', 'y@example.org'] },
          ReplyToAddresses: ['r1@example.org', 'r2@example.org'],
          Message: { Subject: { Data: 'Three' }, Body: { Text: { Data: 'hi' } } },
        }),
      );
      const store = (await (await fetch(`http://127.0.0.1:${port}/store`)).json()) as { emails: { destination: unknown; replyTo: unknown }[] };
      // Assess: served and kept on disk alike
      const want = { destination: { to: ['a@example.org', 'b@example.org', 'c@example.org'], cc: ['pi@example.org', 'rc@example.org'], bcc: ['x@example.org', 'y@example.org'] }, replyTo: ['r1@example.org', 'r2@example.org'] };
      expect(store.emails).toHaveLength(1);
      expect(store.emails[0]).toMatchObject(want);
      expect(loadMailboxFile(join(dir, 'mailbox.jsonl'))[0]).toMatchObject(want);
    } finally {
      ses.destroy();
      server.close();
    }
  });

  it("a stored message's HTML opens its links in a new tab (the mailbox shows it in a frame the pages refuse), in memory and loaded again from mailbox.jsonl; its links read as before", async () => {
    // Prepare: an email as the templates render it, and one stored by an earlier version (no base)
    const dir = tempDir();
    const mail = render(['grace@example.org'], 'Approve', ['Dear Ada,', { link: 'http://127.0.0.1:3000/guests/g-1', text: 'Review the request' }]);
    const earlier = { messageId: 'earlier', subject: 'Earlier', body: { html: mail.html, text: mail.text } };
    appendFileSync(join(dir, 'mailbox.jsonl'), `${JSON.stringify(earlier)}\n`);
    const server: Server = await startMailbox({ port: 0, dataDir: dir });
    const port = (server.address() as { port: number }).port;
    const ses = new SESClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    try {
      // Act
      await ses.send(
        new SendEmailCommand({
          Source: 'from@example.org',
          Destination: { ToAddresses: mail.to },
          Message: { Subject: { Data: mail.subject }, Body: { Text: { Data: mail.text }, Html: { Data: mail.html } } },
        }),
      );
      const store = (await (await fetch(`http://127.0.0.1:${port}/store`)).json()) as { emails: { subject: string; body: { html?: string; text?: string } }[] };
      // Assess: both in memory (what the mailbox's page shows) and the new one on disk alike
      const onDisk = loadMailboxFile(join(dir, 'mailbox.jsonl')) as { body: { html: string } }[];
      const htmls = [...store.emails.map((e) => e.body.html!), onDisk[1]!.body.html];
      expect(store.emails.map((e) => e.subject)).toEqual(['Earlier', 'Approve']);
      for (const html of htmls) {
        expect(html).toBe(mail.html.replace('<body', `<head>${NEW_TAB_BASE}</head><body`));
        // Links as tests and people read them: the <a> tags untouched
        expect(/<a href="([^"]+)">Review the request<\/a>/.exec(html)?.[1]).toBe('http://127.0.0.1:3000/guests/g-1');
      }
      // The text body and the email itself as the templates render it: unchanged
      expect(store.emails[1]!.body.text).toBe(mail.text);
      expect(mail.html).not.toContain('<base');
    } finally {
      ses.destroy();
      server.close();
    }
  });

  it.each([
    ['a head', '<html><head><title>t</title></head><body><a href="x">x</a></body></html>', `<html><head>${NEW_TAB_BASE}<title>t</title></head><body><a href="x">x</a></body></html>`],
    ['a body but no head', '<!doctype html><html><body style="a"><p>x</p></body></html>', `<!doctype html><html><head>${NEW_TAB_BASE}</head><body style="a"><p>x</p></body></html>`],
    ['a fragment', '<p><a href="x">x</a></p>', `${NEW_TAB_BASE}<p><a href="x">x</a></p>`],
    ['a base target already', '<html><head><base target="_top"></head><body></body></html>', '<html><head><base target="_top"></head><body></body></html>'],
  ])('links in a new tab: %s', (_case, html, want) => {
    expect(withLinksInNewTab(html)).toBe(want);
    expect(withLinksInNewTab(withLinksInNewTab(html))).toBe(want);
  });

  it('a free port: listening', async () => {
    const server: Server = await startMailbox({ port: 0 });
    try {
      expect(server.listening).toBe(true);
    } finally {
      server.close();
    }
  });
});

describe("the mailbox's send rate (--ses-rate)", () => {
  it('refuses, as SES does (400 Throttling, "Maximum sending rate exceeded."), a send that would pass the rate in this second, counting recipients; what it took is kept', async () => {
    const server: Server = await startMailbox({ port: 0, rate: 3 });
    const port = (server.address() as { port: number }).port;
    const ses = new SESClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    const send = (to: string[]) => ses.send(new SendEmailCommand({ Source: 'from@example.org', Destination: { ToAddresses: to }, Message: { Subject: { Data: 'S' }, Body: { Text: { Data: 'hi' } } } }));
    try {
      // Within one second (retried if the second turned between the sends)
      for (let attempt = 0; ; attempt++) {
        const second = Math.floor(performance.timeOrigin / 1000 + performance.now() / 1000);
        await send(['a@example.org', 'b@example.org']);
        const err = await send(['c@example.org', 'd@example.org']).catch((e: unknown) => e);
        if (Math.floor(performance.timeOrigin / 1000 + performance.now() / 1000) !== second && attempt < 3) {
          await new Promise((r) => setTimeout(r, 1100));
          continue;
        }
        expect((err as { name?: string }).name).toBe('Throttling');
        expect((err as Error).message).toBe('Maximum sending rate exceeded.');
        break;
      }
    } finally {
      ses.destroy();
      server.close();
    }
  });
});

describe('mailbox.jsonl', () => {
  const line = (id: string) => `${JSON.stringify({ messageId: id, subject: 's' })}\n`;

  it('a half-written last line is skipped with a warning naming the file, and cut from it', () => {
    const file = join(tempDir(), 'mailbox.jsonl');
    writeFileSync(file, `${line('a')}${line('b')}{"messageId":"c","sub`);
    const warnings: string[] = [];
    expect(loadMailboxFile(file, (w) => warnings.push(w))).toEqual([{ messageId: 'a', subject: 's' }, { messageId: 'b', subject: 's' }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(file);
    expect(readFileSync(file, 'utf8')).toBe(`${line('a')}${line('b')}`);
  });

  it('a whole file: every message, no warning, unchanged', () => {
    const file = join(tempDir(), 'mailbox.jsonl');
    writeFileSync(file, `${line('a')}${line('b')}`);
    const warnings: string[] = [];
    expect(loadMailboxFile(file, (w) => warnings.push(w))).toHaveLength(2);
    expect(warnings).toEqual([]);
  });

  it('a damaged line that is not the last: a StartupError naming the file and the line', () => {
    const file = join(tempDir(), 'mailbox.jsonl');
    writeFileSync(file, `${line('a')}{"messageId":\n${line('b')}`);
    expect(() => loadMailboxFile(file)).toThrow(StartupError);
    expect(() => loadMailboxFile(file)).toThrow(`${file} is damaged at line 2`);
  });
});

describe('the data directory lock', () => {
  it('taken by a start, refused to a second while the first holds it, given up on release', () => {
    const dir = tempDir();
    const first = openDataDir(dir, {});
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    expect(() => openDataDir(dir, {})).toThrow(StartupError);
    first.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    openDataDir(dir, {}).release();
  });

  it('held by another running process: refused naming its PID; held by a process that is gone: taken over with a warning', async () => {
    const dir = tempDir();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, LOCK_FILE), `${other.pid}\n`);
      expect(() => openDataDir(dir, {})).toThrow(`(PID ${other.pid}, see ${join(dir, LOCK_FILE)})`);
    } finally {
      other.kill('SIGKILL');
      await new Promise((r) => other.once('exit', r));
    }
    const warnings: string[] = [];
    const taken = openDataDir(dir, { warn: (w) => warnings.push(w) });
    expect(warnings).toEqual([`took over the lock ${join(dir, LOCK_FILE)}: PID ${other.pid} is not running (a local system that was killed)`]);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    taken.release();
  });

  it('--reset empties the directory but keeps the lock it holds', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'clock.json'), '{}');
    mkdirSync(join(dir, 'executions'));
    const data = openDataDir(dir, { reset: true });
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
    data.release();
  });

  it('a path that is a file: a StartupError naming --data-dir', () => {
    const file = join(tempDir(), 'file');
    writeFileSync(file, 'x');
    expect(() => openDataDir(file, { reset: true })).toThrow(`--data-dir ${file} is a file, not a directory`);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });
});

describe('checkpoint files', () => {
  const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:Lifecycle';
  const record = (name: string) => ({
    executionArn: `${ARN.replace(':stateMachine:', ':execution:')}:${name}`,
    stateMachineArn: ARN,
    name,
    input: {},
    status: 'SUCCEEDED',
    startDate: '2027-01-04T14:00:00.000Z',
    stopDate: '2027-01-04T14:00:01.000Z',
    transitions: 3,
    invocations: 1,
    history: [],
  });

  it('one replaced by {} and one truncated are moved aside and reported; the others load, and the listing works', () => {
    const dataDir = tempDir();
    mkdirSync(join(dataDir, 'executions'));
    const good = JSON.stringify(record('good'));
    writeFileSync(join(dataDir, 'executions', 'good.json'), good);
    writeFileSync(join(dataDir, 'executions', 'empty.json'), '{}');
    writeFileSync(join(dataDir, 'executions', 'cut.json'), JSON.stringify(record('cut')).slice(0, 40));
    const sfn = new LocalStepFunctions({ stateMachineArn: ARN, definition: { StartAt: 'A', States: {} } as never, clock: new LocalClock(new Date('2027-01-04T14:00:00Z')), invoke: async () => ({}), dataDir });
    const damaged: string[] = [];
    expect(sfn.restore((file, _problem, movedTo) => damaged.push(`${file} -> ${movedTo}`))).toBe(0);
    const dir = join(dataDir, 'executions');
    expect(damaged.sort()).toEqual([`${join(dir, 'cut.json')} -> ${join(dir, 'cut.json.damaged')}`, `${join(dir, 'empty.json')} -> ${join(dir, 'empty.json.damaged')}`]);
    expect(sfn.listExecutions().map((e) => e.name)).toEqual(['good']);
    expect(readdirSync(dir).sort()).toEqual(['cut.json.damaged', 'empty.json.damaged', 'good.json']);
  });
});

describe('the command line', () => {
  it('the defaults, and --help whatever else is given', () => {
    expect(parseCli([])).toMatchObject({ help: false, apiPort: 3000, mailPort: 8005, dataDir: '.local', reset: false });
    expect(parseCli(['--api-port', 'x', '--help']).help).toBe(true);
    expect(parseCli(['-h']).help).toBe(true);
    expect(parseCli(['--ses-rate', '14']).sesRate).toBe(14);
    expect(parseCli([]).sesRate).toBeUndefined();
  });

  it('refusals are UsageErrors of one line naming the flag', () => {
    for (const [args, message] of [
      [['--mail-prot', '1'], 'unknown option --mail-prot (did you mean --mail-port?)'],
      [['--verbos'], 'unknown option --verbos (did you mean --verbose?)'],
      [['--frobnicate'], 'unknown option --frobnicate'],
      [['--api-port', '-1'], '--api-port needs a value (one that starts with "-" is written --api-port=VALUE)'],
      [['--api-port=-1'], '--api-port must be a port number from 0 to 65535, not "-1"'],
      [['--api-port', '1.5'], '--api-port must be a port number from 0 to 65535, not "1.5"'],
      [['--data-dir', ''], '--data-dir needs a directory'],
      [['--ses-rate', '0'], '--ses-rate must be a whole number of recipients a second (at least 1), not "0"'],
      [['--ses-rate', '2.5'], '--ses-rate must be a whole number of recipients a second (at least 1), not "2.5"'],
    ] as const) {
      let error: unknown;
      try {
        parseCli([...args]);
      } catch (err) {
        error = err;
      }
      expect(error, args.join(' ')).toBeInstanceOf(UsageError);
      expect((error as Error).message).toBe(message);
    }
  });
});
