/**
 * End to end: the README's "Walk-through with curl", run as written (bash and curl) against a
 * system started with the README's own `npm start -- …` line, so that the README stays true.
 * Only what a test must change is changed: free ports and a temporary data directory instead of
 * 3000, 8005 and .local, and the final `kill %1` (the test stops the system itself). Each command's
 * trailing comment is its expectation: a status named there must be the status answered, a
 * "quoted" text must appear in the output (`8 "…"`: eight times); no command may answer an error.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ROOT, Systems } from '../support/cli.ts';
import { noticeOf } from '../support/sample.ts';

const systems = new Systems();
afterEach(() => systems.killAll());

interface Step {
  command: string;
  comment: string;
}

/** The shell block under "### Walk-through with curl". */
function walkthrough(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^### Walk-through with curl\s*$/m)[1];
  if (!section) throw new Error('README.md has no "### Walk-through with curl" section');
  const block = /```(?:sh|bash)\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('The walk-through has no ```sh block');
  return block.split('\n');
}

/** Logical commands (continuation lines joined), each with its trailing comment. */
function steps(lines: string[]): Step[] {
  const out: Step[] = [];
  let pending = '';
  for (const line of lines) {
    if (!pending && /^\s*(#.*)?$/.test(line)) continue; // blank or comment-only line
    if (/\\$/.test(line)) {
      pending += `${line}\n`;
      continue;
    }
    const full = pending + line;
    pending = '';
    // A trailing comment: " # …" after the command, outside quotes (the walk-through's commands have no " # " of their own).
    const m = /^(.*?)\s+#\s(.*)$/s.exec(full);
    out.push(m ? { command: m[1]!, comment: m[2]!.trim() } : { command: full, comment: '' });
  }
  return out;
}

it('the README walk-through with curl runs as written: request, the directory page, activation with a password, notices, expiry, history', async () => {
  for (const tool of ['bash', 'curl']) expect(spawnSync('sh', ['-c', `command -v ${tool}`]).status, `${tool} is needed to run the README's walk-through`).toBe(0);
  const all = steps(walkthrough());

  // The first command starts the system: started here as written, on free ports and a temporary data directory.
  const start = all.shift()!;
  const startArgs = /^npm start -- (.*?)\s*&$/.exec(start.command)?.[1];
  expect(startArgs, `first command of the walk-through: ${start.command}`).toBeDefined();
  const sys = await systems.start({ npm: true, args: startArgs!.split(/\s+/) });

  // The last one stops it: done by the test.
  expect(all.at(-1)!.command).toMatch(/^kill %1$/);
  all.pop();

  const script = all
    .map(
      (s, i) =>
        `printf '\\n@@@STEP ${i}@@@\\n'\n${s.command.replaceAll('http://127.0.0.1:3000', sys.apiUrl).replaceAll('http://127.0.0.1:8005', sys.mailUrl).replaceAll('http://127.0.0.1:8006', sys.directoryUrl.replace(/\/$/, ''))}`,
    )
    .join('\n');
  expect(script, 'the walk-through uses the default ports, which the test replaces').not.toMatch(/:(3000|8005|8006)\b/);
  const run = spawnSync('bash', ['-c', `${script}\nprintf '\\n@@@VARS@@@\\n%s\\n' "$GUEST"`], { encoding: 'utf8', timeout: 60_000, cwd: ROOT });
  expect(run.error).toBeUndefined();
  expect(run.status, run.stderr).toBe(0);
  expect(run.stderr).toBe('');

  const [body, vars] = run.stdout.split('@@@VARS@@@\n');
  const outputs = body!.split(/\n?@@@STEP \d+@@@\n/).slice(1);
  expect(outputs).toHaveLength(all.length);
  for (const [i, step] of all.entries()) {
    const output = outputs[i]!;
    const label = `${step.command}  # ${step.comment}\n→ ${output}`;
    // No command answers an error (problem+json status, or API Gateway's own refusals).
    expect(output, label).not.toMatch(/"status":\s*[45]\d\d|"message":"(Unauthorized|Not Found|Internal Server Error|Too Many Requests)"/);
    const status = /\b(PENDING_[A-Z_]+|ACTIVE|EXPIRED|DENIED|CANCELLED)\b/.exec(step.comment)?.[1];
    if (status) expect(output, label).toContain(`"status":"${status}"`);
    for (const [, count, text] of step.comment.matchAll(/(?:(\d+)\s+)?"([^"]+)"/g)) {
      const seen = output.split(text!).length - 1;
      if (count) expect(seen, label).toBe(Number(count));
      else expect(seen, label).toBeGreaterThan(0);
    }
  }

  // What the walk-through did, checked over the API and the mailbox directly.
  const guestId = vars!.trim();
  expect(guestId).toMatch(/^[A-Za-z0-9_-]+$/);
  const guest = await sys.guest('10000001', guestId);
  expect(guest).toMatchObject({ status: 'EXPIRED', guestHuid: '20000001', endDate: '2027-03-01' });
  expect(guest.activatedAt).toBeTruthy();
  const mail = await sys.mail();
  const noticeDays = mail.filter((m) => m.subject.includes('expires on 2027-03-01')).map(noticeOf);
  expect(noticeDays).toEqual(['2027-02-22', '2027-02-23', '2027-02-24', '2027-02-25', '2027-02-26', '2027-02-27', '2027-02-28', '2027-03-01']);
  expect(mail.filter((m) => m.subject.includes('expired on 2027-03-01')).map((m) => m.destination.to[0]).sort()).toEqual(['ada.faculty@hms.harvard.edu', 'grace.guest@example.org']);
  const history = await sys.as<{ items: { action: string }[] }>('10000001', 'GET', `/v1/guests/${guestId}/history`);
  expect(history.body.items.map((e) => e.action)).toEqual(expect.arrayContaining(['requested', 'provisioned', 'activated', 'expiry-notice-sent', 'expired']));
  // The HMS account in the directory: activated with a password, then disabled and out of its groups.
  expect((await sys.directory()).users.filter((u) => u.externalId === guestId)).toEqual([expect.objectContaining({ userName: guest.accountId, active: false, groups: [], passwordSet: true })]);
});
