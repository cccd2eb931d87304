/**
 * The SCIM 2.0 adapter (shared/adapters/scim-directory.ts) against the embedded SCIM server of the
 * local system (local/scim/server.ts, scimmy): create, idempotent re-create, patch, filters by
 * externalId and by meta.lastModified, disable, group changes, passwords, and every SCIM error
 * mapped to its typed error — uniqueness, not found, refused, throttled with Retry-After, server
 * errors, a connection reset and a lost answer (through the fault proxy of local/faults.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { POSIX_EXTENSION, ScimAccountDirectory, type DirectoryFailure } from '../../shared/adapters/scim-directory.ts';
import { ManualClock } from '../../shared/adapters/memory.ts';
import { createOrFindOwn } from '../../shared/guest/app/account.ts';
import { DirectoryConflictError, DirectoryNotFoundError, DirectoryRejectedError, DirectoryThrottledError, DirectoryUnavailableError } from '../../shared/core/domain/errors.ts';
import type { NewDirectoryUser } from '../../shared/core/ports.ts';
import { FaultInjector } from '../../local/faults.ts';
import { startScimServer, type ScimServer } from '../../local/scim/server.ts';

const TOKEN = 'integration-test-token-0123456789';
const clock = new ManualClock(new Date('2027-01-04T14:00:00.000Z'));
let server: ScimServer;
let faults: FaultInjector;
let proxied: string;

beforeAll(async () => {
  server = await startScimServer(0, { token: TOKEN, clock });
  faults = new FaultInjector(13);
  proxied = `${(await faults.proxy('scim', server.url)).endpoint}/scim/v2`;
});
afterAll(async () => {
  await faults.close();
  await new Promise((r) => server.server.close(r));
});
afterEach(() => faults.clear());

const bearer = { token: async () => TOKEN, refresh: async () => TOKEN };
/** The adapter, straight to the server or through the fault proxy; retries without waiting. */
function directory(opts: { through?: 'proxy'; failures?: DirectoryFailure[]; token?: typeof bearer; fetch?: typeof fetch; setPasswordUrl?: string } = {}) {
  return new ScimAccountDirectory({
    endpoint: opts.through === 'proxy' ? proxied : server.scimUrl,
    token: opts.token ?? bearer,
    backoffMs: 1,
    sleep: async () => undefined,
    pageSize: 2,
    setPasswordUrl: opts.setPasswordUrl,
    fetch: opts.fetch,
    onFailure: (f) => opts.failures?.push(f),
  });
}

let n = 0;
function user(overrides: Partial<NewDirectoryUser> = {}): NewDirectoryUser {
  n++;
  return {
    userName: `tst${String(100 + n)}`,
    externalId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    givenName: 'Grace',
    familyName: 'Guest',
    email: 'grace.guest@example.org',
    active: false,
    endDate: '2027-03-01',
    population: 'visiting-faculty',
    sponsorHuid: '10000001',
    ...overrides,
  };
}

describe('the SCIM adapter against the embedded server', () => {
  it('creates a user disabled, with the guest facts in the extension, found by externalId and by userName (any case)', async () => {
    // Prepare
    const scim = directory();
    const wanted = user();

    // Act
    const created = await scim.create(wanted);

    // Assess
    expect(created).toMatchObject({ userName: wanted.userName, externalId: wanted.externalId, active: false, groups: [], endDate: '2027-03-01', population: 'visiting-faculty', sponsorHuid: '10000001' });
    expect(await scim.findByExternalId(wanted.externalId)).toEqual(created);
    expect(await scim.findByUserName(wanted.userName.toUpperCase())).toEqual(created);
    expect(await scim.findByExternalId('00000000-0000-4000-8000-999999999999')).toBeUndefined();
    const page = (await (await fetch(server.url, { headers: { accept: 'application/json' } })).json()) as { users: { userName: string; name: string }[] };
    expect(page.users.find((u) => u.userName === wanted.userName)?.name).toBe('Grace Guest');
  });

  it('a create again: the userName is taken (409 uniqueness: DirectoryConflictError); for the same guest its own user is found instead', async () => {
    // Prepare
    const scim = directory();
    const first = await scim.create(user());
    const again = { ...user(), userName: first.userName.toUpperCase(), externalId: first.externalId! };

    // Act
    const conflict = await scim.create({ ...again, externalId: '00000000-0000-4000-8000-888888888888' }).catch((e: unknown) => e);
    const own = await createOrFindOwn({ accounts: scim }, again);

    // Assess
    expect(conflict).toBeInstanceOf(DirectoryConflictError);
    expect(conflict).toMatchObject({ status: 409, scimType: 'uniqueness', transient: false });
    expect(own.id).toBe(first.id);
  });

  it('patches the guest facts and enables and disables the user; each change moves meta.lastModified', async () => {
    // Prepare
    const scim = directory();
    const created = await scim.create(user());
    clock.advance(60_000);

    // Act
    await scim.update(created.id, { active: true, endDate: '2027-06-30', sponsorHuid: '10000002' });
    const enabled = await scim.findByExternalId(created.externalId!);
    clock.advance(60_000);
    await scim.update(created.id, { active: false });
    const disabled = await scim.findByExternalId(created.externalId!);

    // Assess
    expect(enabled).toMatchObject({ active: true, endDate: '2027-06-30', sponsorHuid: '10000002', population: 'visiting-faculty' });
    expect(Date.parse(enabled!.lastModified!)).toBeGreaterThan(Date.parse(created.lastModified!));
    expect(disabled).toMatchObject({ active: false, endDate: '2027-06-30' });
    expect(Date.parse(disabled!.lastModified!)).toBeGreaterThan(Date.parse(enabled!.lastModified!));
  });

  it('adds to and removes from groups by name; adding twice or removing a non-member changes nothing; a group that does not exist is DirectoryNotFoundError', async () => {
    // Prepare
    const scim = directory();
    const created = await scim.create(user());

    // Act
    await scim.addToGroup('hms-guest-email', created.id);
    await scim.addToGroup('hms-guest-email', created.id);
    await scim.addToGroup('hms-guest-wireless', created.id);
    const both = await scim.findByExternalId(created.externalId!);
    await scim.removeFromGroup('hms-guest-email', created.id);
    await scim.removeFromGroup('hms-guest-o2', created.id);
    const one = await scim.findByExternalId(created.externalId!);
    const missing = await scim.addToGroup('hms-no-such-group', created.id).catch((e: unknown) => e);

    // Assess
    expect(both?.groups).toEqual(['hms-guest-email', 'hms-guest-wireless']);
    expect(one?.groups).toEqual(['hms-guest-wireless']);
    expect(missing).toBeInstanceOf(DirectoryNotFoundError);
    const events = server.store.events.filter((e) => e.userName === created.userName && e.op.startsWith('member'));
    expect(events.map((e) => `${e.op} ${e.group}`)).toEqual(['member-added hms-guest-email', 'member-added hms-guest-wireless', 'member-removed hms-guest-email']);
  });

  it('an O2 login: the POSIX attributes set in their extension (read back), changed, and removed; the user joins and leaves the group o2', async () => {
    // Prepare
    const scim = directory();
    const created = await scim.create(user());
    expect(created.posix).toBeUndefined();

    // Act
    await scim.update(created.id, { posix: { uidNumber: 204_711, homeDirectory: `/home/${created.userName}` } });
    await scim.addToGroup('o2', created.id);
    const set = await scim.findByUserName(created.userName);
    const raw = await (await fetch(`${server.scimUrl}/Users/${created.id}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    await scim.update(created.id, { posix: { uidNumber: 204_712, homeDirectory: `/home/${created.userName}` } });
    const changed = await scim.findByExternalId(created.externalId!);
    // The extension's attributes filter as the guest facts do (by their full names).
    const filter = `${POSIX_EXTENSION}:uidNumber eq 204712`;
    const listed = await fetch(`${server.scimUrl}/Users?${new URLSearchParams({ filter })}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const withPosix = ((await listed.json()) as { Resources: { userName: string }[] }).Resources;
    await scim.update(created.id, { posix: null });
    await scim.removeFromGroup('o2', created.id);
    const removed = await scim.findByUserName(created.userName);
    await scim.update(created.id, { posix: null });
    const removedAgain = await scim.findByUserName(created.userName);

    // Assess
    expect(set).toMatchObject({ posix: { uidNumber: 204_711, homeDirectory: `/home/${created.userName}` }, groups: ['o2'], endDate: '2027-03-01', sponsorHuid: '10000001' });
    expect(raw).toMatchObject({ [POSIX_EXTENSION]: { uidNumber: 204_711, homeDirectory: `/home/${created.userName}`, loginShell: '/bin/bash' } });
    expect(changed?.posix).toEqual({ uidNumber: 204_712, homeDirectory: `/home/${created.userName}` });
    expect(withPosix.map((u) => u.userName)).toEqual([created.userName]);
    expect(removed?.posix).toBeUndefined();
    expect(removed?.groups).toEqual([]);
    expect(removed).toMatchObject({ endDate: '2027-03-01', population: 'visiting-faculty', sponsorHuid: '10000001' });
    expect(removedAgain?.posix).toBeUndefined();
    expect(server.store.userByName(created.userName)!.posix).toBeUndefined();
    const events = server.store.events.filter((e) => e.userName === created.userName && e.op !== 'user-created');
    expect(events.map((e) => [e.op, e.group ?? e.changes?.join(', ')])).toEqual([
      ['user-updated', 'uidNumber: 204711, homeDirectory: /home/' + created.userName + ', loginShell: /bin/bash'],
      ['member-added', 'o2'],
      ['user-updated', 'uidNumber: 204712'],
      ['user-updated', 'uidNumber: (none), homeDirectory: (none), loginShell: (none)'],
      ['member-removed', 'o2'],
    ]);
  });

  it('a person’s own account becomes a guest’s: externalId and the guest facts replaced in one change', async () => {
    // Prepare
    const scim = directory();
    const created = await scim.create(user());
    const guestId = '00000000-0000-4000-8000-0000000000aa';

    // Act
    await scim.update(created.id, { externalId: guestId, endDate: '2028-01-31', sponsorHuid: '10000010' });

    // Assess
    expect(await scim.findByExternalId(guestId)).toMatchObject({ id: created.id, userName: created.userName, endDate: '2028-01-31', sponsorHuid: '10000010' });
    expect(await scim.findByExternalId(created.externalId!)).toBeUndefined();
  });

  it('lists the guests changed after an instant (meta.lastModified gt), a page at a time; a group change counts as a change of the user', async () => {
    // Prepare
    const scim = directory();
    clock.set('2027-02-01T00:00:00.000Z');
    const a = await scim.create(user());
    const b = await scim.create(user());
    const c = await scim.create(user());
    clock.set('2027-02-02T00:00:00.000Z');
    await scim.update(a.id, { active: true });
    await scim.addToGroup('hms-guest-portal', c.id);
    clock.set('2027-02-03T00:00:00.000Z');

    // Act
    const since = async (instant: string) => {
      const out: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await scim.modifiedSince(instant, cursor);
        expect(page.items.length).toBeLessThanOrEqual(2);
        out.push(...page.items.map((u) => u.userName));
        cursor = page.cursor;
      } while (cursor);
      return out.sort();
    };

    // Assess
    expect(await since('2027-02-01T12:00:00.000Z')).toEqual([a.userName, c.userName].sort());
    const all = await since('2027-01-31T00:00:00.000Z');
    expect(all).toEqual(expect.arrayContaining([a.userName, b.userName, c.userName]));
    expect(await since('2027-02-02T12:00:00.000Z')).toEqual([]);
  });

  it('sets a password (kept as a hash: the page says only that it is set); a directory that takes none answers with the set-password link', async () => {
    // Prepare
    const scim = directory();
    const created = await scim.create(user());
    // A directory whose ServiceProviderConfig says changePassword is not supported.
    const noPasswords: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (!String(input).endsWith('/ServiceProviderConfig')) return res;
      const config = (await res.json()) as Record<string, unknown>;
      return new Response(JSON.stringify({ ...config, changePassword: { supported: false } }), { status: 200, headers: { 'content-type': 'application/scim+json' } });
    };

    // Act
    const set = await scim.setPassword(created.id, 'correct-tulip-7-lantern');
    const linked = await directory({ fetch: noPasswords, setPasswordUrl: 'https://password.example.org/set' }).setPassword(created.id, 'correct-tulip-7-lantern');
    const refused = await directory({ fetch: noPasswords }).setPassword(created.id, 'correct-tulip-7-lantern').catch((e: unknown) => e);

    // Assess
    expect(set).toEqual({ set: true });
    expect(linked).toEqual({ set: false, setPasswordUrl: 'https://password.example.org/set' });
    expect(refused).toBeInstanceOf(DirectoryRejectedError);
    const stored = server.store.userByName(created.userName)!;
    expect(stored.passwordHash).toMatch(/^[0-9a-f]{32}:[0-9a-f]{64}$/);
    expect(JSON.stringify([...server.store.users.values()])).not.toContain('correct-tulip-7-lantern');
    const page = await (await fetch(server.url)).text();
    expect(page).not.toContain('correct-tulip-7-lantern');
  });
});

describe('SCIM errors, each typed and classed', () => {
  it('a bad value (400): DirectoryRejectedError, permanent, reported once', async () => {
    const failures: DirectoryFailure[] = [];
    const err = await directory({ failures }).create(user({ userName: '' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DirectoryRejectedError);
    expect(err).toMatchObject({ status: 400, transient: false });
    expect(failures).toEqual([{ operation: 'create user', status: 400, transient: false, error: 'DirectoryRejectedError' }]);
  });

  it('a user that is not there (404): DirectoryNotFoundError, permanent', async () => {
    const err = await directory().update('no-such-user', { active: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DirectoryNotFoundError);
    expect(err).toMatchObject({ status: 404, transient: false });
  });

  it('a refused token (401): read again once (a rotated secret), then DirectoryUnavailableError, transient; the token is in no message', async () => {
    // Prepare
    let refreshed = 0;
    const stale = { token: async () => 'stale-token-never-valid', refresh: async () => ((refreshed += 1), 'stale-token-never-valid') };
    const rotated = { value: 'stale-token-never-valid', token: async () => rotated.value, refresh: async () => ((rotated.value = TOKEN), TOKEN) };

    // Act
    const err = await directory({ token: stale }).findByUserName('tst101').catch((e: unknown) => e);
    const found = await directory({ token: rotated }).findByExternalId('00000000-0000-4000-8000-999999999999');

    // Assess
    expect(err).toBeInstanceOf(DirectoryUnavailableError);
    expect(err).toMatchObject({ status: 401, transient: true });
    expect(refreshed).toBe(1);
    expect((err as Error).message).not.toContain('stale-token');
    expect(found).toBeUndefined();
    expect(rotated.value).toBe(TOKEN);
  });

  it('throttled (429 with Retry-After): waited for when short, else DirectoryThrottledError with the Retry-After, transient', async () => {
    // Prepare
    const scim = directory({ through: 'proxy' });
    const created = await scim.create(user());
    faults.set([{ service: 'scim', operation: 'GET Users', error: 'TooManyRequests', retryAfter: 1, times: 1 }]);
    const retried = await scim.findByExternalId(created.externalId!);
    faults.set([{ service: 'scim', operation: 'GET Users', error: 'TooManyRequests', retryAfter: 120 }]);

    // Act
    const err = await scim.findByExternalId(created.externalId!).catch((e: unknown) => e);

    // Assess
    expect(retried?.id).toBe(created.id);
    expect(err).toBeInstanceOf(DirectoryThrottledError);
    expect(err).toMatchObject({ status: 429, retryAfterSeconds: 120, transient: true });
  });

  it('server errors (500, 503) and resets: retried, then DirectoryUnavailableError, transient', async () => {
    // Prepare
    const scim = directory({ through: 'proxy' });
    const created = await scim.create(user());

    // Act / Assess: one 503 then success — retried within the call
    faults.set([{ service: 'scim', operation: 'PATCH Users', error: 'ServiceUnavailable', times: 1 }]);
    await scim.update(created.id, { active: true });
    expect((await scim.findByExternalId(created.externalId!))?.active).toBe(true);

    for (const error of ['InternalServerError', 'ServiceUnavailable', 'ECONNRESET'] as const) {
      faults.set([{ service: 'scim', operation: 'PATCH Users', error }]);
      const err = await scim.update(created.id, { active: false }).catch((e: unknown) => e);
      expect(err, error).toBeInstanceOf(DirectoryUnavailableError);
      expect(err, error).toMatchObject({ transient: true });
    }
    expect(faults.count({ service: 'scim', operation: 'PATCH Users' })).toBe(1 + 3 * 3);
  });

  it('a lost answer to a create (it happened, the caller saw it fail): not retried blindly; the guest\'s own user is found, none is made twice', async () => {
    // Prepare
    const scim = directory({ through: 'proxy' });
    const wanted = user();
    faults.set([{ service: 'scim', operation: 'POST Users', error: 'ServiceUnavailable', mode: 'lose-response', times: 1 }]);

    // Act
    const lost = await scim.create(wanted).catch((e: unknown) => e);
    const own = await createOrFindOwn({ accounts: scim }, wanted);

    // Assess
    expect(lost).toBeInstanceOf(DirectoryUnavailableError);
    expect(own).toMatchObject({ userName: wanted.userName, externalId: wanted.externalId });
    expect([...server.store.users.values()].filter((u) => u.externalId === wanted.externalId)).toHaveLength(1);
  });
});
