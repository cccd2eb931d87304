/**
 * Faults: SES throttling, DynamoDB throughput errors, tasks that fail after their write landed,
 * failure bursts that outlast Step Functions' retries, and the process killed at random moments.
 * Every lifecycle still completes through the SDK's retries, Step Functions' retries, resume after
 * a restart and the daily reconciler: no guest lost, no notice skipped, none sent twice — except in
 * the windows docs/design.md names ("Exactly once, and where it is at least once"), which the tests
 * below pin down.
 *
 * Faults come from local/faults.ts: proxies in front of dynalite and the SES emulator answering with
 * the real services' errors; the handlers do not know. Random faults and kill moments come from one
 * seed, printed at the start: FAULTS_SEED=<seed> runs the same faults again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FaultInjector, seededRandom, type FaultRule } from '../../local/faults.ts';
import { startLocalSystem } from '../../local/system.ts';
import { TestSystem, SPONSOR, GUEST, type Answer, type Mail } from '../support/local-system.ts';
import { LocalCli, tempDataDir } from '../support/cli.ts';
import { noticeOf, PASSWORD } from '../support/sample.ts';
import { readableDate } from '../../shared/core/domain/dates.ts';

const SEED = Number(process.env.FAULTS_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`faults: seed ${SEED} (FAULTS_SEED=${SEED} repeats these faults)`);

// Monday 1 February 2027, 09:00 in Boston. Notices at 09:00 from T-7 through the end date; expiry at
// the end of the end date (midnight); the restore window closes 30 days later; the reconciler runs daily at 06:00.
const START = '2027-02-01T14:00:00.000Z';
const END_DATE = '2027-02-15';
const NOTICE_DAYS = ['2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12', '2027-02-13', '2027-02-14', '2027-02-15'];
const BEFORE_NOTICES = '2027-02-07T20:00:00.000Z';
/** 09:00 in Boston (EST) on `day`, and a second later. */
const nineAm = (day: string, plusSeconds = 0) => new Date(Date.parse(`${day}T14:00:00.000Z`) + plusSeconds * 1000).toISOString();
/** 06:00 in Boston (EST) on `day`, and a second later: the reconciler has run. */
const reconcilerRan = (day: string) => `${day}T11:00:01.000Z`;
const PAST_EXPIRY = '2027-02-16T05:00:01.000Z';
const PAST_RESTORE_WINDOW = '2027-03-19T12:00:00.000Z';

const who = (address: string) => (address === SPONSOR.email ? 'sponsor' : address === GUEST.email ? 'guest' : address);

/** Every email sent, by kind and recipient: `{ 'notice 2027-02-08 → sponsor': 1, … }`. */
function tally(mails: Mail[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of mails) {
    const kind =
      m.subject === 'Activate your HMS account'
        ? 'activation'
        : m.subject.startsWith('Copy: Activate')
          ? 'activation copy'
          : m.subject.includes(' expires on ')
            ? `notice ${noticeOf(m)}`
            : m.subject.includes(' expired on ')
              ? 'expired'
              : m.subject;
    const key = `${kind} → ${m.destination.to.map(who).join(',')}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** What a whole lifecycle sends: each email once. */
function onceEach(days: string[] = NOTICE_DAYS): Record<string, number> {
  return {
    'activation → guest': 1,
    'activation copy → sponsor': 1,
    ...Object.fromEntries(days.map((d) => [`notice ${d} → sponsor`, 1])),
    'expired → sponsor': 1,
    'expired → guest': 1,
  };
}

const isProblem = (a: { status: number; headers: Headers }) => a.headers.get('content-type') === 'application/problem+json';

// --- the process killed at random moments (started first: it runs beside the in-process tests) ---

interface KillRun {
  kills: { step: string; afterMs?: number; afterNotices?: number; midStep: boolean }[];
  guests: { guestId: string; status: string; entitlements: { granted: boolean }[] }[];
  executions: { name: string; status: string }[];
  mails: Mail[];
}

/**
 * One lifecycle, driven over HTTP, with the process SIGKILLed at seeded random moments of its busiest
 * steps and started again on the same data directory (no --clock: the saved clock comes back). A
 * killed step is done again, as an operator would: every step is safe to repeat.
 */
async function killRun(seed: number): Promise<KillRun> {
  const random = seededRandom(seed);
  const dataDir = tempDataDir();
  let sys = await LocalCli.start({ dataDir, clock: START });
  const kills: KillRun['kills'] = [];
  const myGuests = async () =>
    ((await sys.as<{ items: { guestId: string; guestHuid: string; status: string; entitlements: { granted: boolean }[] }[] }>(SPONSOR.huid, 'GET', '/v1/guests')).body.items ?? []).filter(
      (g) => g.guestHuid === GUEST.huid,
    );
  const noticesSent = async () => (await sys.mail()).filter((m) => noticeOf(m)).length;
  /** Kill points within the notice days: after the k-th notice landed, while the clock move that sends them is still under way. */
  const first = 1 + Math.floor(random() * 3);
  const noticeKills = [first, first + 1 + Math.floor(random() * 3)];
  const steps: { name: string; kills: number; maxDelayMs: number; run: () => Promise<unknown> }[] = [
    {
      name: 'request and provisioning',
      kills: 1,
      maxDelayMs: 400,
      run: async () => {
        if (!(await myGuests()).length) {
          const res = await sys.as(SPONSOR.huid, 'POST', '/v1/guests', { guestHuid: GUEST.huid, population: 'visiting-faculty', endDate: END_DATE, services: ['email', 'o2'] });
          if (res.status !== 202) throw new Error(`POST /v1/guests: ${res.status} ${JSON.stringify(res.body)}`);
        }
        await sys.settle();
      },
    },
    { name: 'to the notice days', kills: 0, maxDelayMs: 0, run: () => sys.advanceTo(BEFORE_NOTICES) },
    { name: 'notice days, expiry', kills: 2, maxDelayMs: 0, run: () => sys.advanceTo(reconcilerRan('2027-02-16')) },
    { name: 'restore window', kills: 0, maxDelayMs: 0, run: () => sys.advanceTo(PAST_RESTORE_WINDOW) },
  ];
  try {
    for (const step of steps) {
      for (let k = 0; k < step.kills; k++) {
        const afterMs = Math.floor(random() * step.maxDelayMs);
        let done = false;
        const work = step.run().then(
          () => (done = true),
          () => undefined, // the connection dies with the process
        );
        if (step.name === 'notice days, expiry') {
          // When the k-th notice is in the mailbox (the clock move goes on to the next days)
          const afterNotices = noticeKills[k]!;
          while (!done && (await noticesSent()) < afterNotices) await new Promise((r) => setTimeout(r, 5));
          kills.push({ step: step.name, afterNotices, midStep: !done });
        } else {
          await new Promise((r) => setTimeout(r, afterMs));
          kills.push({ step: step.name, afterMs, midStep: !done });
        }
        await sys.kill();
        await work;
        // Started again on the same data, without --clock: the saved clock comes back
        sys = await LocalCli.start({ dataDir });
      }
      await step.run();
    }
    const guests = await myGuests();
    const executions = (await sys.executions()).executions.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    return { kills, guests, executions, mails: await sys.mail() };
  } finally {
    await sys.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

let killed: Promise<KillRun | { error: unknown }>;
beforeAll(() => {
  killed = killRun(SEED).catch((error: unknown) => ({ error }));
});
// However the tests were filtered, the child processes are gone before the file ends.
afterAll(async () => {
  await killed;
});

// --- in-process systems with a fault injector -----------------------------------------------------

let t: TestSystem | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

async function startWithFaults(rules: FaultRule[] = []): Promise<{ t: TestSystem; faults: FaultInjector }> {
  const faults = new FaultInjector(SEED, rules);
  const dataDir = mkdtempSync(join(tmpdir(), 'hms-faults-'));
  t = new TestSystem(await startLocalSystem({ apiPort: 0, mailPort: 0, scimPort: 0, dataDir, clock: START, faults }), dataDir);
  return { t, faults };
}

async function executionsOf(sys: TestSystem, guestId: string) {
  return (await sys.executions()).filter((e) => e.name.startsWith(guestId)).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

/** The sponsor's own request (approved by that act): provisioned and emailed right away. */
async function request(sys: TestSystem): Promise<string> {
  const res = await sys.as(SPONSOR.huid, 'POST', '/v1/guests', { guestHuid: GUEST.huid, population: 'visiting-faculty', endDate: END_DATE, services: ['email', 'o2'] });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await sys.advance('PT0S');
  return String(res.body.guestId);
}

async function activationCode(sys: TestSystem): Promise<{ accountId: string; code: string }> {
  const text = (await sys.mailTo(GUEST.email)).filter((m) => m.subject === 'Activate your HMS account').at(-1)!.body.text!;
  return { accountId: /HMS account ID: (\S+)/.exec(text)![1]!, code: /Activation code: ([A-Z0-9-]+)/.exec(text)![1]! };
}

const subjectAndTo = (subject: string, to: string) => (body: string) => body.includes(subject) && body.includes(`Destination.ToAddresses.member.1=${to}`);

describe('SES throttling', () => {
  it('30% of sends throttled through a whole lifecycle: every email once, the guest expired, the lifecycle closed', async () => {
    // Prepare
    // (the first two sends always, so that every seed throttles some)
    const { t, faults } = await startWithFaults([
      { service: 'ses', operation: 'SendEmail', error: 'Throttling', times: 2, label: 'throttled' },
      { service: 'ses', operation: 'SendEmail', error: 'Throttling', rate: 0.3, label: 'throttled' },
    ]);

    // Act: request, activation email, the notice days, expiry, the restore window
    const guestId = await request(t);
    await t.advanceTo(BEFORE_NOTICES);
    await t.advanceTo(PAST_EXPIRY);
    await t.advanceTo(PAST_RESTORE_WINDOW);

    // Assess
    expect(faults.count({ label: 'throttled' })).toBeGreaterThan(0);
    expect(tally(await t.mail())).toEqual(onceEach());
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('EXPIRED');
    expect((await executionsOf(t, guestId)).map((e) => e.status)).toEqual(['SUCCEEDED']);
  });

  it('the second email of a pair failing through all of the SDK’s retries: the task is retried and sends only what is still owed', async () => {
    // Prepare: SES unavailable for all 5 attempts of the sponsor's activation copy, and of the guest's "expired" email
    const { t, faults } = await startWithFaults([
      { service: 'ses', match: subjectAndTo('Copy: Activate your HMS account', SPONSOR.email), error: 'ServiceUnavailable', times: 5, label: 'copy' },
      { service: 'ses', match: subjectAndTo('expired on', GUEST.email), error: 'ServiceUnavailable', times: 5, label: 'expired to guest' },
    ]);

    // Act
    const guestId = await request(t);
    await t.advanceTo(PAST_EXPIRY);

    // Assess: both failed for good once (the task failed, Step Functions retried it); nothing sent twice
    expect(faults.count({ label: 'copy' })).toBe(5);
    expect(faults.count({ label: 'expired to guest' })).toBe(5);
    expect(tally(await t.mail())).toEqual(onceEach());
    const guest = await t.guest(SPONSOR.huid, guestId);
    expect(guest).toMatchObject({ status: 'EXPIRED', failure: null });
    expect((await executionsOf(t, guestId)).map((e) => e.status)).toEqual(['RUNNING']);
  });
});

describe('DynamoDB throughput errors', () => {
  it('6% of calls throttled across the API and the tasks: every email once; API answers are success or a retryable problem, never a lost write', async () => {
    // Prepare: random throughput errors everywhere; and the guest's activation write refused for all
    // 5 of the SDK's attempts (a service error), so that one API call fails for good
    const { t, faults } = await startWithFaults([
      { service: 'dynamodb', operation: 'PutItem', match: '"status":{"S":"ACTIVE"}', error: 'InternalServerError', times: 5, label: 'activation write' },
      { service: 'dynamodb', error: 'ProvisionedThroughputExceededException', rate: 0.03, label: 'throttled' },
      { service: 'dynamodb', error: 'ThrottlingException', rate: 0.03, label: 'throttled' },
    ]);
    const answers: { call: string; status: number; problem: boolean }[] = [];
    /** A careful client: records every answer, and tries again after a 5xx or 429 (after waiting the 429's Retry-After: the local clock is moved that far). */
    const call = async (name: string, fn: () => Promise<Answer>, tries = 4): Promise<Answer> => {
      for (let i = 1; ; i++) {
        const a = await fn();
        answers.push({ call: name, status: a.status, problem: isProblem(a) });
        if (!(a.status >= 500 || a.status === 429) || i >= tries) return a;
        const wait = Number(a.headers.get('retry-after') ?? 0);
        if (a.status === 429 && wait > 0) await t.advance(`PT${wait}S`);
      }
    };

    // Act / Assess: the request (without an Idempotency-Key: after a 5xx, look before asking again)
    let created = await call('request', () => t.as(SPONSOR.huid, 'POST', '/v1/guests', { guestHuid: GUEST.huid, population: 'visiting-faculty', endDate: END_DATE, services: ['email', 'o2'] }), 1);
    if (created.status >= 500) {
      const mine = (await call('list', () => t.as(SPONSOR.huid, 'GET', '/v1/guests'))).body.items as { guestId: string; guestHuid: string }[];
      const existing = mine.find((g) => g.guestHuid === GUEST.huid);
      created = existing ? { ...created, status: 202, body: existing } : await call('request', () => t.as(SPONSOR.huid, 'POST', '/v1/guests', { guestHuid: GUEST.huid, population: 'visiting-faculty', endDate: END_DATE, services: ['email', 'o2'] }), 1);
    }
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const guestId = String(created.body.guestId);
    await t.advance('PT0S');
    expect((await call('read', () => t.as(SPONSOR.huid, 'GET', `/v1/guests/${guestId}`))).body.status).toBe('PENDING_ACTIVATION');

    // The guest activates: the first answer is a 500 problem and nothing was written; the retry succeeds and is visible
    const { accountId, code } = await activationCode(t);
    const refused = await call('activate', () => t.raw('POST', '/v1/activate', { accountId, code, password: PASSWORD }), 1);
    expect(refused.status).toBe(500);
    expect(isProblem(refused)).toBe(true);
    expect((await call('read', () => t.as(SPONSOR.huid, 'GET', `/v1/guests/${guestId}`))).body.status).toBe('PENDING_ACTIVATION');
    const activated = await call('activate', () => t.raw('POST', '/v1/activate', { accountId, code, password: PASSWORD }));
    expect(activated.status, JSON.stringify(activated.body)).toBe(200);
    expect((await call('read', () => t.as(SPONSOR.huid, 'GET', `/v1/guests/${guestId}`))).body.status).toBe('ACTIVE');

    await t.advanceTo(nineAm('2027-02-11', 1));
    expect((await call('history', () => t.as(SPONSOR.huid, 'GET', `/v1/guests/${guestId}/history`))).status).toBe(200);
    expect((await call('list', () => t.as(SPONSOR.huid, 'GET', '/v1/guests'))).status).toBe(200);
    await t.advanceTo(PAST_EXPIRY);
    await t.advanceTo(PAST_RESTORE_WINDOW);

    // Assess
    expect(faults.count({ label: 'activation write' })).toBe(5);
    expect(faults.count({ label: 'throttled' })).toBeGreaterThan(0);
    for (const a of answers) {
      if (a.status >= 300) expect({ ...a, ok: (a.status >= 500 || a.status === 429) && a.problem }).toMatchObject({ ok: true });
    }
    expect(tally(await t.mail())).toEqual(onceEach());
    const guest = await call('read', () => t.as(SPONSOR.huid, 'GET', `/v1/guests/${guestId}`));
    expect(guest.body).toMatchObject({ status: 'EXPIRED', failure: null });
    expect(guest.body.activatedAt).not.toBeNull();
    expect((await executionsOf(t, guestId)).map((e) => e.status)).toEqual(['SUCCEEDED']);
  });
});

describe('a task whose write landed but whose answer was lost', () => {
  it('is retried (or re-reads) and sends nothing twice; a concurrent write does not make a notice go out twice', async () => {
    // Prepare: the connection dropped after DynamoDB applied (1) the record of the guest's activation
    // email, (2) the record of the 10 February notice, (3) the expiry itself — the Expire task fails
    // after its first write, before any mail; and (4) the guest activates while the 12 February notice
    // is with SES, so the notice's record meets a newer version of the guest
    let race: Promise<unknown> | undefined;
    const guestCode: { accountId?: string; code?: string; password: string } = { password: PASSWORD };
    const { t, faults } = await startWithFaults([
      { service: 'dynamodb', operation: 'PutItem', match: '"activationSentTo":{"L":[{"S":"guest"}]}', mode: 'lose-response', error: 'ECONNRESET', times: 1, label: 'activation record' },
      { service: 'dynamodb', operation: 'PutItem', match: '"lastNoticeDate":{"S":"2027-02-10"}', mode: 'lose-response', error: 'ECONNRESET', times: 1, label: 'notice record' },
      { service: 'dynamodb', operation: 'PutItem', match: '"status":{"S":"EXPIRED"}', mode: 'lose-response', error: 'ECONNRESET', times: 1, label: 'expiry write' },
      {
        service: 'ses',
        match: `Notice of ${readableDate('2027-02-12')}.`,
        mode: 'delay',
        times: 1,
        label: 'activation during the notice',
        hold: async () => {
          race = t.raw('POST', '/v1/activate', guestCode);
          expect((await race) as Answer).toMatchObject({ status: 200 });
        },
      },
    ]);

    // Act
    const guestId = await request(t);
    Object.assign(guestCode, await activationCode(t));
    await t.advanceTo(nineAm('2027-02-12', 1));
    const during = await t.guest(SPONSOR.huid, guestId);
    await t.advanceTo(PAST_EXPIRY);
    await t.advanceTo(PAST_RESTORE_WINDOW);

    // Assess
    for (const label of ['activation record', 'notice record', 'expiry write', 'activation during the notice']) expect(faults.count({ label }), label).toBe(1);
    expect(race).toBeDefined();
    expect(during).toMatchObject({ status: 'ACTIVE', lastNoticeDate: '2027-02-12' });
    expect(tally(await t.mail())).toEqual(onceEach());
    expect(await t.guest(SPONSOR.huid, guestId)).toMatchObject({ status: 'EXPIRED', failure: null });
    expect((await executionsOf(t, guestId)).map((e) => e.status)).toEqual(['SUCCEEDED']);
  });

  it('the window that remains: SES accepted a notice but its answer was lost — the SDK sends it again (SES has no idempotency key)', async () => {
    // Prepare
    const { t, faults } = await startWithFaults([
      { service: 'ses', match: `Notice of ${readableDate('2027-02-12')}.`, mode: 'lose-response', error: 'ECONNRESET', times: 1, label: 'answer lost' },
    ]);

    // Act
    const guestId = await request(t);
    await t.advanceTo(PAST_EXPIRY);

    // Assess: that notice twice, every other email once
    expect(faults.count({ label: 'answer lost' })).toBe(1);
    expect(tally(await t.mail())).toEqual({ ...onceEach(), 'notice 2027-02-12 → sponsor': 2 });
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('EXPIRED');
  });
});

describe('failure bursts longer than Step Functions’ retries', () => {
  it('at provisioning, on a notice day and at expiry: each recorded on the guest and repaired by the next reconciler run; that day’s notice goes out late, none is skipped, nothing is sent twice', async () => {
    // SES refuses to send (the account's sending paused: not retried by the SDK) until the burst ends.
    const paused = (match?: string): FaultRule => ({ service: 'ses', error: 'AccountSendingPausedException', label: 'paused', ...(match ? { match } : {}) });
    const { t, faults } = await startWithFaults([paused()]);
    const guest = (id: string) => t.guest(SPONSOR.huid, id);

    // 1. Provisioning: the activation email cannot go out; the execution fails and the failure is on the guest
    const guestId = await request(t);
    expect(await guest(guestId)).toMatchObject({ status: 'PENDING_ACTIVATION', failure: { error: 'AccountSendingPausedException', count: 1 } });
    expect((await executionsOf(t, guestId)).map((e) => e.status)).toEqual(['FAILED']);
    expect(await t.mail()).toEqual([]);
    // The burst ends; the reconciler at 06:00 the next morning starts the lifecycle again, and it sends the activation email
    faults.clear();
    await t.advanceTo(reconcilerRan('2027-02-02'));
    expect(await guest(guestId)).toMatchObject({ status: 'PENDING_ACTIVATION', failure: null });
    expect((await executionsOf(t, guestId)).map((e) => e.status)).toEqual(['FAILED', 'RUNNING']);
    expect(tally(await t.mail())).toEqual({ 'activation → guest': 1, 'activation copy → sponsor': 1 });

    // 2. The 10 February notice cannot go out; the reconciler restarts the lifecycle at 06:00 on the 11th
    await t.advanceTo(nineAm('2027-02-10', -60));
    faults.set([paused('expires on')]);
    await t.advanceTo(nineAm('2027-02-10', 1));
    expect(await guest(guestId)).toMatchObject({ lastNoticeDate: '2027-02-09', failure: { count: 1 } });
    faults.clear();
    await t.advanceTo(reconcilerRan('2027-02-11'));
    expect((await executionsOf(t, guestId)).map((e) => e.status)).toEqual(['FAILED', 'FAILED', 'RUNNING']);
    // The missed notice went out with the repair, before that day's own at 09:00
    expect(await guest(guestId)).toMatchObject({ lastNoticeDate: '2027-02-10', failure: null });
    expect((await t.mail()).map(noticeOf).filter(Boolean).slice(-1)).toEqual(['2027-02-10']);

    // 3. Expiry: the account is disabled but the "expired" emails cannot go out; repaired at 06:00
    faults.set([paused('expired on')]);
    await t.advanceTo(PAST_EXPIRY);
    expect(await guest(guestId)).toMatchObject({ status: 'EXPIRED', lastNoticeDate: END_DATE, failure: { count: 1 } });
    faults.clear();
    await t.advanceTo(reconcilerRan('2027-02-16'));
    await t.advanceTo(PAST_RESTORE_WINDOW);

    // Assess: every email once, the failed day's notice too
    expect(faults.count({ label: 'paused' })).toBeGreaterThanOrEqual(3 * 7);
    expect(tally(await t.mail())).toEqual(onceEach());
    expect(await guest(guestId)).toMatchObject({ status: 'EXPIRED', failure: null });
    expect((await executionsOf(t, guestId)).map((e) => e.status)).toEqual(['FAILED', 'FAILED', 'FAILED', 'SUCCEEDED']);
  });
});

describe('the account directory (SCIM) failing', () => {
  it('a quarter of SCIM calls throttled (429, Retry-After), failing (500, 503) or reset, and a lost answer to the create: every account change done once, every email once', async () => {
    // Prepare: the faults drawn from the seed; the first create applied, its answer lost
    const errors = ['TooManyRequests', 'InternalServerError', 'ServiceUnavailable', 'ECONNRESET'] as const;
    const error = errors[Math.floor(seededRandom(SEED)() * errors.length)]!;
    const { t, faults } = await startWithFaults([
      { service: 'scim', operation: 'POST Users', mode: 'lose-response', error: 'ServiceUnavailable', times: 1, label: 'create answer lost' },
      { service: 'scim', error, retryAfter: 1, rate: 0.25, label: 'random' },
    ]);

    // Act: request, activate (a 503 uses nothing up: the guest tries again), expire, past the restore window
    const guestId = await request(t);
    const { accountId, code } = await activationCode(t);
    let activated: Answer | undefined;
    for (let i = 0; i < 10 && activated?.status !== 200; i++) {
      activated = await t.raw('POST', '/v1/activate', { accountId, code, password: PASSWORD });
      expect([200, 503], JSON.stringify(activated.body)).toContain(activated.status);
      if (activated.status === 503) expect(Number(activated.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    await t.advanceTo(PAST_EXPIRY);
    await t.advanceTo(reconcilerRan('2027-02-17'));
    await t.advanceTo(reconcilerRan('2027-02-18'));
    const guest = await t.guest(SPONSOR.huid, guestId);
    await t.advanceTo(PAST_RESTORE_WINDOW);

    // Assess: the faults happened, and what they cost was done again, once
    expect(faults.count({ label: 'create answer lost' })).toBe(1);
    expect(faults.count({ service: 'scim' })).toBeGreaterThan(1);
    expect(activated?.status).toBe(200);
    expect(guest).toMatchObject({ status: 'EXPIRED', failure: null });
    const directory = await t.directory();
    expect(directory.users.filter((u) => u.externalId === guestId)).toEqual([expect.objectContaining({ userName: accountId, active: false, groups: [], passwordSet: true })]);
    const events = directory.events.filter((e) => e.userName === accountId);
    expect(events.filter((e) => e.op === 'user-created')).toHaveLength(1);
    expect(events.filter((e) => e.op === 'user-updated' && e.changes?.includes('active: true'))).toHaveLength(1);
    expect(events.filter((e) => e.op === 'user-updated' && e.changes?.includes('active: false'))).toHaveLength(1);
    for (const op of ['member-added', 'member-removed']) expect(events.filter((e) => e.op === op).map((e) => e.group).sort(), op).toEqual(['hms-guest-email']);
    expect(tally(await t.mail())).toEqual(onceEach());
  }, 300_000);
});

describe('the process killed at random moments', () => {
  it('SIGKILL three times during one lifecycle, restarted on the same data: one guest, expired, every email at least once, at most one extra per kill', async () => {
    const run = await killed;
    if ('error' in run) throw run.error;
    console.log(`faults: kills (seed ${SEED}): ${JSON.stringify(run.kills)}`);

    // One guest: none lost, none doubled; expired and revoked
    expect(run.kills).toHaveLength(3);
    // The first kill of the notice days lands while notices are still being sent (1–3 sent, 8 due)
    expect(run.kills.find((k) => k.afterNotices !== undefined)).toMatchObject({ midStep: true });
    expect(run.guests).toHaveLength(1);
    expect(run.guests[0]).toMatchObject({ status: 'EXPIRED' });
    expect(run.guests[0]!.entitlements.every((e) => !e.granted)).toBe(true);
    // Executions resume after a kill: none failed, the last one closed the lifecycle
    expect(run.executions.map((e) => e.status).filter((s) => s !== 'SUCCEEDED')).toEqual([]);

    // Every email of the lifecycle at least once; a kill between SES accepting an email and its record
    // landing sends that one email again on resume: at most one extra email per kill
    const sent = tally(run.mails);
    const expected = onceEach();
    expect(Object.keys(sent).sort()).toEqual(Object.keys(expected).sort());
    const extra = Object.values(sent).reduce((n, c) => n + c - 1, 0);
    expect(extra).toBeLessThanOrEqual(run.kills.filter((k) => k.midStep).length);
  });
});
