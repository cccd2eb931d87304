/**
 * Authorization and data edges found by probing the running system: a sponsor who is no longer
 * eligible keeps read access only; history shows only what the guest view shows; one live HMS guest
 * account per person; free text with control or bidi characters is refused, and what comes from the
 * directories is rendered safely into every email.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDirectory, type DirectorySeed } from '../../shared/adapters/directories.ts';
import { SAMPLE_DIRECTORY } from '../../local/sample-data.ts';
import { TestSystem, SPONSOR, DELEGATE } from '../support/local-system.ts';
import { systemState } from '../support/observe.ts';

const INA = { huid: '10000092', name: 'Ina Leaving', email: 'ina.leaving@hms.harvard.edu', role: 'faculty', school: 'HMS', site: 'Quad', active: true, delegates: [DELEGATE.huid] };
const OTHER_SPONSOR = '10000002';
const IT = '10000093';
const NEW_SPONSOR = '10000007';
/** A guest whose names came from the HSR with a header injection and a right-to-left override in them. */
const EVE = { huid: '22000001', firstName: 'Eve\r\nBcc: attacker@example.com', lastName: 'Ev\u202Eil\u0007', personalEmail: 'eve@example.org', status: 'active' as const, endDate: '2030-12-31' };
const POOL = Array.from({ length: 20 }, (_, i) => ({ huid: String(22000100 + i), firstName: 'Kim', lastName: `Pool${i}`, personalEmail: `kim.pool${i}@example.org`, status: 'active' as const, endDate: '2030-12-31' }));
let pooled = 0;
const nextGuest = () => POOL[pooled++]!.huid;

const SEED: DirectorySeed = {
  people: [...SAMPLE_DIRECTORY.people, INA, { huid: IT, name: 'Ivan Ithelp', email: 'ivan.ithelp@hms.harvard.edu', role: 'staff', school: 'HMS', site: 'Quad', active: true }],
  hsr: [...SAMPLE_DIRECTORY.hsr, EVE, ...POOL],
};

let t: TestSystem;
beforeAll(async () => {
  t = await TestSystem.start({ clock: '2027-01-04T14:00:00.000Z', seed: SEED });
});
afterAll(async () => {
  await t.stop();
});

async function request(as: string, body: Record<string, unknown>): Promise<string> {
  const res = await t.as(as, 'POST', '/v1/guests', { population: 'agency-temp', endDate: '2027-06-30', ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await t.advance('PT0S');
  return String(res.body.guestId);
}

/** Changes a person in the running system's people directory (as the Harvard directory would). */
async function updatePerson(person: typeof INA): Promise<void> {
  const client = new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await new DynamoDirectory(client, t.sys.deployment.environment.DIRECTORY_TABLE!).load({ people: [person], hsr: [] });
  client.destroy();
}

describe('a sponsor who is no longer eligible', () => {
  it('keeps reading their guests, but may not approve, extend, resend or cancel: 403 with the reason and the way forward; HMS IT reassigns', async () => {
    // Prepare: a delegate's request waiting for Ina, and Ina's own provisioned guest; then Ina leaves
    const waiting = await request(DELEGATE.huid, { guestHuid: nextGuest(), sponsorHuid: INA.huid });
    const provisioned = await request(INA.huid, { guestHuid: nextGuest() });
    await updatePerson({ ...INA, active: false });
    const before = await systemState(t);

    // Act
    const answers = [
      await t.as(INA.huid, 'POST', `/v1/guests/${waiting}/decision`, { decision: 'approve' }),
      await t.as(INA.huid, 'POST', `/v1/guests/${provisioned}/extension`, { endDate: '2027-09-30' }),
      await t.as(INA.huid, 'POST', `/v1/guests/${provisioned}/activation/resend`),
      await t.as(INA.huid, 'POST', `/v1/guests/${provisioned}/cancel`),
    ];
    await t.advance('PT0S');

    // Assess: refused, saying why and what to do, and nothing changed
    for (const res of answers) {
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(String(res.body.detail)).toContain(`Sponsor ${INA.huid} is not active`);
      expect(String(res.body.detail)).toContain('HMS IT can reassign the guest');
    }
    expect(await systemState(t)).toEqual(before);
    // Reading stays
    expect((await t.as(INA.huid, 'GET', `/v1/guests/${provisioned}`)).status).toBe(200);
    expect((await t.as(INA.huid, 'GET', `/v1/guests/${provisioned}/history`)).status).toBe(200);

    // Act / Assess: HMS IT reassigns; the new sponsor extends
    expect((await t.as(IT, 'POST', `/v1/guests/${provisioned}/reassign`, { sponsorHuid: NEW_SPONSOR }, ['hms-it'])).status).toBe(200);
    expect((await t.as(NEW_SPONSOR, 'POST', `/v1/guests/${provisioned}/extension`, { endDate: '2027-09-30' })).status).toBe(200);
    await updatePerson(INA);
  });
});

describe('history', () => {
  it('shows each event with the same redaction as the guest view: no personal email, no workflow internals, no code hash', async () => {
    // Prepare: a lifecycle with many kinds of events
    const guestId = await request(SPONSOR.huid, { guestHuid: nextGuest(), endDate: '2027-01-31', justification: 'Runs the\nsummer course' });
    expect((await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}/extension`, { endDate: '2027-02-28' })).status).toBe(200);
    await t.advanceTo('2027-02-22T15:00:00.000Z');
    const guest = await t.guest(SPONSOR.huid, guestId);

    // Act: as the sponsor, and as a delegate
    const views = [await t.as(SPONSOR.huid, 'GET', `/v1/guests/${guestId}/history`), await t.as(DELEGATE.huid, 'GET', `/v1/guests/${guestId}/history`)];

    // Assess
    for (const res of views) {
      expect(res.status).toBe(200);
      const text = JSON.stringify(res.body);
      expect(text).not.toContain('@example.org');
      for (const hidden of ['guestEmail', 'execution', 'dueAt', 'hsrCheckedAt', 'hsrWaitingSince', 'approvalTaskToken', 'lastAudit', 'activationSentTo', 'approvalEmails', 'hash'])
        expect(text, hidden).not.toContain(`"${hidden}"`);
      const items = res.body.items as { seq: number; action: string; before: Record<string, unknown>; after: Record<string, unknown>; detail: unknown }[];
      expect(items.map((e) => e.action)).toEqual(expect.arrayContaining(['requested', 'provisioned', 'activation-issued', 'extended', 'expiry-notice-sent']));
      for (const item of items) {
        expect(Object.keys(item).sort()).toEqual(['action', 'actor', 'after', 'at', 'before', 'detail', 'seq']);
        for (const key of [...Object.keys(item.before), ...Object.keys(item.after)]) expect(Object.keys(guest)).toContain(key);
      }
      expect(items.find((e) => e.action === 'requested')!.after).toMatchObject({ guestHuid: guest.guestHuid, justification: 'Runs the\nsummer course', status: 'PENDING_APPROVAL' });
      expect(items.find((e) => e.action === 'expiry-notice-sent')!.detail).toEqual({ noticeDate: '2027-02-21' });
    }
  });
});

describe('one live HMS guest account per person', () => {
  it('a second request for a person with a live account or pending request is refused (409) without naming the other sponsor; once it ends, a new one is accepted', async () => {
    // Prepare: Ada's guest
    const huid = nextGuest();
    const first = await request(SPONSOR.huid, { guestHuid: huid });
    const before = await systemState(t);

    // Act: another sponsor, and Ada again
    const other = await t.as(OTHER_SPONSOR, 'POST', '/v1/guests', { guestHuid: huid, population: 'agency-temp', endDate: '2027-05-31' });
    const again = await t.as(SPONSOR.huid, 'POST', '/v1/guests', { guestHuid: huid, population: 'agency-temp', endDate: '2027-05-31' });
    await t.advance('PT0S');

    // Assess
    expect(other.status).toBe(409);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
    expect(String(other.body.detail)).toContain('already has a live HMS guest account');
    expect(String(other.body.detail)).toContain('Contact HMS IT');
    expect(JSON.stringify(other.body)).not.toMatch(new RegExp(`${SPONSOR.huid}|Ada|${first}`));
    expect(again.status).toBe(409);
    expect(String(again.body.detail)).toContain(`You sponsor it already: guest ${first}`);
    expect(await systemState(t)).toEqual(before);

    // Act: Ada cancels; the other sponsor asks again
    expect((await t.as(SPONSOR.huid, 'POST', `/v1/guests/${first}/cancel`)).status).toBe(200);
    const after = await t.as(OTHER_SPONSOR, 'POST', '/v1/guests', { guestHuid: huid, population: 'agency-temp', endDate: '2027-05-31' });

    // Assess
    expect(after.status, JSON.stringify(after.body)).toBe(202);
    await t.advance('PT0S');
  });

  it('parallel requests for one person from several sponsors: exactly one is accepted', async () => {
    // Prepare
    const huid = nextGuest();
    const sponsors = [SPONSOR.huid, OTHER_SPONSOR, '10000003', '10000007', INA.huid];

    // Act
    const answers = await Promise.all(sponsors.map((s) => t.as(s, 'POST', '/v1/guests', { guestHuid: huid, population: 'agency-temp', endDate: '2027-05-31' })));
    await t.advance('PT0S');

    // Assess
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409, 409, 409, 409]);
  });
});

describe('control and bidi characters', () => {
  it.each([
    ['a reason with CR LF', '/decision', { decision: 'deny', reason: 'no\r\nBcc: attacker@example.com' }, '#/reason'],
    ['a reason with a line feed', '/decision', { decision: 'deny', reason: 'no\nthanks' }, '#/reason'],
    ['a reason with NUL', '/decision', { decision: 'deny', reason: 'no\u0000' }, '#/reason'],
    ['a reason with BEL', '/decision', { decision: 'deny', reason: 'no\u0007' }, '#/reason'],
    ['a reason with a right-to-left override', '/decision', { decision: 'deny', reason: 'fine \u202Eenod' }, '#/reason'],
    ['a cancel reason with a C1 control', '/cancel', { reason: 'no\u0085' }, '#/reason'],
  ])('%s: 400 naming the field, nothing changes', async (_case, path, body, pointer) => {
    // Prepare
    const guestId = await request(DELEGATE.huid, { guestHuid: nextGuest(), sponsorHuid: SPONSOR.huid });
    const before = await systemState(t);

    // Act
    const res = await t.as(SPONSOR.huid, 'POST', `/v1/guests/${guestId}${path}`, body);

    // Assess
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer })]);
    expect(await systemState(t)).toEqual(before);
  });

  it('a justification may span lines but holds no other control character', async () => {
    // Act
    const bad = await t.as(SPONSOR.huid, 'POST', '/v1/guests', { guestHuid: nextGuest(), population: 'agency-temp', endDate: '2027-06-30', justification: 'line one\r\nBcc: x@example.com' });

    // Assess
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ pointer: '#/justification' })]);
  });

  it('names from the directories reach every email safely: one-line subjects, no control or bidi characters', async () => {
    // Prepare / Act: Eve's account through its whole life: activation email, sponsor copy, notices, expiry
    const guestId = await request(SPONSOR.huid, { guestHuid: EVE.huid, endDate: '2027-03-10' });
    await t.advanceTo('2027-03-11T15:00:00.000Z');
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('EXPIRED');

    // Assess
    const mails = (await t.mail()).filter((m) => `${m.subject}${m.body.text ?? ''}`.includes('Eve'));
    expect(mails.map((m) => m.subject)).toEqual(expect.arrayContaining(['Activate your HMS account', expect.stringMatching(/^Copy: /), expect.stringMatching(/expires on/), expect.stringMatching(/expired on/)]));
    for (const m of mails) {
      expect(m.subject).not.toMatch(/[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/);
      expect(m.subject.length).toBeLessThanOrEqual(150);
      expect(m.body.text ?? '').not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/);
      expect(m.body.text ?? '').not.toMatch(/^Bcc:/m);
    }
  });
});

describe('the local servers answer only requests addressed to this machine (DNS rebinding), and take changes as JSON only', () => {
  /** One request with a Host header of our choosing (fetch will not send one). */
  function withHost(url: string, host: string, opts: { method?: string; body?: string; type?: string } = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const req = httpRequest({ host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method: opts.method ?? 'GET', headers: { host, ...(opts.type ? { 'content-type': opts.type } : {}) } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(opts.body);
    });
  }

  it.each([
    ['the API and pages', () => `${t.sys.apiUrl}/_local/clock`],
    ['the mailbox', () => `${t.sys.mailUrl}/store`],
    ['the account directory', () => `${t.sys.scimUrl}/`],
  ])('%s: another name in Host → 421, localhost, 127.0.0.1 or [::1] with any port → answered', async (_name, url) => {
    for (const host of ['evil.example', 'evil.example:3000', '127.0.0.1.evil.example', 'localhost.evil.example']) {
      expect((await withHost(url(), host)).status, host).toBe(421);
    }
    for (const host of ['localhost', `127.0.0.1:${new URL(url()).port}`, '[::1]:1', 'LOCALHOST:80']) {
      expect((await withHost(url(), host)).status, host).not.toBe(421);
    }
  });

  it('two Host headers, or an absolute URL in the request line: 421, whatever the first Host says', async () => {
    const { port } = new URL(t.sys.apiUrl);
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.end(request));
        let text = '';
        socket.on('data', (c: Buffer) => (text += c.toString()));
        socket.on('end', () => resolve(text.split('\r\n')[0]!));
        socket.on('error', reject);
      });
    expect(await raw(`GET /_local/clock HTTP/1.1\r\nHost: localhost:${port}\r\nHost: evil.example\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 421/);
    expect(await raw(`GET http://evil.example/_local/clock HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 421/);
    expect(await raw(`GET /_local/clock HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 200/);
  });

  it('POST /_local/clock and /_local/token refuse a body that is not JSON by type (a page elsewhere can send text/plain without asking): 415, the clock unmoved', async () => {
    const before = (await t.raw('GET', '/_local/clock')).body as { now: string };
    const host = `127.0.0.1:${new URL(t.sys.apiUrl).port}`;
    const clock = await withHost(`${t.sys.apiUrl}/_local/clock`, host, { method: 'POST', type: 'text/plain', body: '{"advance":"P30D"}' });
    const token = await withHost(`${t.sys.apiUrl}/_local/token`, host, { method: 'POST', type: 'text/plain', body: '{"huid":"10000001","roles":["hms-it"]}' });
    const form = await withHost(`${t.sys.apiUrl}/_local/token`, host, { method: 'POST', type: 'application/x-www-form-urlencoded', body: 'huid=10000001' });
    const seq = await withHost(`${t.sys.apiUrl}/_local/token`, host, { method: 'POST', type: 'application/json-seq', body: '{"huid":"10000001"}' });
    const list = await withHost(`${t.sys.apiUrl}/_local/clock`, host, { method: 'POST', type: 'application/json, text/plain', body: '{"advance":"P30D"}' });
    expect([clock.status, token.status, form.status, seq.status, list.status]).toEqual([415, 415, 415, 415, 415]);
    expect(token.body).not.toContain('token":"');
    expect(((await t.raw('GET', '/_local/clock')).body as { now: string }).now).toBe(before.now);
  });
});
