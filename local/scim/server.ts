/**
 * The embedded SCIM 2.0 server of `npm start`: the HMS account directory's stand-in, a real
 * implementation of the protocol (RFC 7643/7644) built on scimmy and scimmy-routers, under
 * `/scim/v2` on the `--scim-port`, bearer protected (the token the local Secrets Manager serves the
 * functions), persisted in the data directory (local/scim/store.ts). `/` is a read-only page
 * listing users and groups (JSON with `Accept: application/json`).
 *
 * What scimmy leaves to its host, done here: filtering (and userName compared case-insensitively,
 * as RFC 7643 says), userName uniqueness (409 `uniqueness`), group memberships shown on users
 * (`groups`), `meta.created`/`lastModified`/`version`, passwords kept as hashes, and Express 5's
 * `req.query` getter replaced by a plain value so that `startIndex`/`count` page. Errors are always
 * SCIMMY.Types.Error (any other comes back as a misleading 404).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';
import { POSIX_EXTENSION } from '../../shared/adapters/scim-directory.ts';
import { GUEST_EXTENSION, MANAGED_GROUPS } from '../../shared/guest/domain/account.ts';
import { O2_GROUP } from '../../shared/o2/domain/rules.ts';
import type { Clock } from '../../shared/core/ports.ts';
import { directoryPage } from './page.ts';
import { snapshot } from './snapshot.ts';

export { snapshot, type DirectorySnapshot } from './snapshot.ts';
import { hashPassword, ScimStore, type StoredGroup, type StoredUser } from './store.ts';

export const SCIM_BASE_PATH = '/scim/v2';
export const SCIM_FILE = 'scim.json';

/** The groups the local directory starts with: the guests' service groups, the Digital Library's, the O2 logins' (`o2`), and one of HMS staff. */
export const LOCAL_GROUPS: readonly string[] = [...MANAGED_GROUPS, O2_GROUP, 'hms-staff'];

export interface ScimServerOptions {
  /** The bearer token every SCIM request must carry. */
  token: string;
  clock: Clock;
  /** Kept in `<dataDir>/scim.json` (in memory only without one). */
  dataDir?: string | undefined;
}

/** What each request's handlers work on (scimmy passes it as `ctx`). */
interface Context {
  store: ScimStore;
}

const SCIMError = SCIMMY.Types.Error;
type Json = Record<string, unknown>;

/** The guest facts' schema extension, declared once per process (scimmy's schemas are global). */
const GuestSchema = new SCIMMY.Types.SchemaDefinition('HmsGuest', GUEST_EXTENSION, 'Facts about an HMS sponsored guest', [
  new SCIMMY.Types.Attribute('string', 'endDate', { description: 'The last day of the guest account (YYYY-MM-DD)' }),
  new SCIMMY.Types.Attribute('string', 'population', { description: 'The guest population' }),
  new SCIMMY.Types.Attribute('string', 'sponsorHuid', { description: "The sponsor's HUID" }),
]);

/** An O2 login's POSIX attributes (RFC 2307 posixAccount's names): a second extension of the User. */
const PosixSchema = new SCIMMY.Types.SchemaDefinition('PosixAccount', POSIX_EXTENSION, 'POSIX attributes of an O2 login (RFC 2307 posixAccount)', [
  new SCIMMY.Types.Attribute('integer', 'uidNumber', { description: 'The Unix uid number' }),
  new SCIMMY.Types.Attribute('string', 'homeDirectory', { description: 'The home directory' }),
  new SCIMMY.Types.Attribute('string', 'loginShell', { description: 'The login shell' }),
]);

let declared = false;

/** scimmy's resources and handlers: declared once per process; each request's store comes in `ctx`. */
function declare(): void {
  if (declared) return;
  declared = true;
  // scimmy types each handler's answer as its schema; what is answered here is plain JSON of that shape.
  const store = (ctx: unknown) => (ctx as Context).store;
  const users = SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(GuestSchema as never, false).extend(PosixSchema as never, false)) as unknown as Declared;
  users
    // The password is write-only: scimmy's instance holds it but does not serialise it.
    .ingress((resource, instance, ctx) => writeUser(store(ctx), resource.id, { ...plain(instance), password: (instance as { password?: unknown }).password }))
    .egress((resource, ctx) => readUsers(store(ctx), resource))
    .degress((resource, ctx) => deleteUser(store(ctx), resource.id));
  const groups = SCIMMY.Resources.declare(SCIMMY.Resources.Group) as unknown as Declared;
  groups
    .ingress((resource, instance, ctx) => writeGroup(store(ctx), resource.id, plain(instance)))
    .egress((resource, ctx) => readMany(resource, [...store(ctx).groups.values()].map((g) => groupOut(store(ctx), g))))
    .degress(() => {
      throw new SCIMError(403, 'mutability', 'Groups of the local directory are not deleted');
    });
}

/** A declared resource type, its handlers taking and answering plain JSON. */
interface Declared {
  ingress(handler: (resource: { id?: string }, instance: unknown, ctx: unknown) => Json): Declared;
  egress(handler: (resource: { id?: string; filter?: unknown }, ctx: unknown) => Json | Json[]): Declared;
  degress(handler: (resource: { id?: string }, ctx: unknown) => void): Declared;
}

/** A scimmy instance as plain JSON (structuredClone throws on them). */
const plain = (v: unknown): Json => JSON.parse(JSON.stringify(v)) as Json;

function userOut(store: ScimStore, u: StoredUser): Json {
  return {
    id: u.id,
    userName: u.userName,
    ...(u.externalId ? { externalId: u.externalId } : {}),
    ...(u.name ? { name: u.name } : {}),
    ...(u.displayName ? { displayName: u.displayName } : {}),
    ...(u.emails ? { emails: u.emails } : {}),
    active: u.active,
    groups: store.groupsOf(u.id).map((g) => ({ value: g.id, display: g.displayName, type: 'direct' })),
    ...(u.guest ? { [GUEST_EXTENSION]: u.guest } : {}),
    ...(u.posix ? { [POSIX_EXTENSION]: u.posix } : {}),
    meta: { resourceType: 'User', created: u.created, lastModified: u.lastModified, version: `W/"${u.version}"` },
  };
}

function groupOut(store: ScimStore, g: StoredGroup): Json {
  return {
    id: g.id,
    displayName: g.displayName,
    members: g.members.map((id) => ({ value: id, display: store.users.get(id)?.userName, type: 'User' })),
    meta: { resourceType: 'Group', created: g.created, lastModified: g.lastModified, version: `W/"${g.version}"` },
  };
}

/**
 * Users by ID, or by `userName eq` / `externalId eq` (what the account directory adapter asks on
 * every provisioning), straight from the store; any other filter through scimmy's, over every user.
 * The general path costs a scimmy coercion of every user per request: with a thousand guests that
 * was most of the local system's time (issue 21).
 */
function readUsers(store: ScimStore, resource: { id?: string; filter?: unknown }): Json | Json[] {
  if (resource.id) {
    const user = store.users.get(resource.id);
    if (!user) throw new SCIMError(404, null as unknown as string, `Resource ${resource.id} not found`);
    return userOut(store, user);
  }
  const expression = resource.filter ? String((resource.filter as { expression?: string }).expression ?? '') : '';
  const simple = /^\s*(userName|externalId)\s+eq\s+("(?:[^"\\]|\\.)*")\s*$/i.exec(expression);
  if (simple) {
    const value = JSON.parse(simple[2]!) as string;
    const byName = simple[1]!.toLowerCase() === 'username';
    const matches = byName ? [store.userByName(value)].filter((u) => u !== undefined) : [...store.users.values()].filter((u) => u.externalId === value);
    return matches.map((u) => userOut(store, u));
  }
  return readMany(resource, [...store.users.values()].map((u) => userOut(store, u)));
}

/** One resource by ID (404), or those matching the request's filter (userName compared case-insensitively). */
function readMany(resource: { id?: string; filter?: unknown }, all: Json[]): Json | Json[] {
  if (resource.id) {
    const found = all.find((r) => r.id === resource.id);
    if (!found) throw new SCIMError(404, null as unknown as string, `Resource ${resource.id} not found`);
    return found;
  }
  if (!resource.filter) return all;
  const expression = String((resource.filter as { expression?: string }).expression ?? '');
  const folded = expression.replace(/(userName\s+(?:eq|ne|co|sw|ew)\s+)("(?:[^"\\]|\\.)*")/gi, (_m, op: string, value: string) => `${op}${JSON.stringify((JSON.parse(value) as string).toLowerCase())}`);
  const filter = new SCIMMY.Types.Filter(folded);
  const byId = new Map(all.map((r) => [r.id, r]));
  // scimmy's filter does not reach into an extension by its URN (`urn:…:Guest:sponsorHuid pr`): its attributes are offered by their full names too.
  const lowered = all.map((r) => {
    const flat = Object.fromEntries([GUEST_EXTENSION, POSIX_EXTENSION].flatMap((urn) => Object.entries((r[urn] ?? {}) as Json).map(([k, v]) => [`${urn}:${k}`, v])));
    return { ...r, ...flat, ...(typeof r.userName === 'string' ? { userName: r.userName.toLowerCase() } : {}) };
  });
  return (filter.match(lowered) as Json[]).map((r) => byId.get(r.id)!);
}

function writeUser(store: ScimStore, id: string | undefined, data: Json): Json {
  const userName = typeof data.userName === 'string' ? data.userName.trim() : '';
  if (!userName) throw new SCIMError(400, 'invalidValue', 'userName is required');
  const other = store.userByName(userName);
  if (other && other.id !== id) throw new SCIMError(409, 'uniqueness', `userName ${userName} is already taken`);
  const current = id ? store.users.get(id) : undefined;
  if (id && !current) throw new SCIMError(404, null as unknown as string, `Resource ${id} not found`);
  const at = store.now();
  const guest = data[GUEST_EXTENSION] as StoredUser['guest'] | undefined;
  const posix = Object.fromEntries(Object.entries((data[POSIX_EXTENSION] ?? {}) as Json).filter(([, v]) => v !== undefined && v !== null)) as NonNullable<StoredUser['posix']>;
  const next: StoredUser = {
    id: current?.id ?? store.newId(),
    userName,
    externalId: typeof data.externalId === 'string' ? data.externalId : undefined,
    name: data.name as StoredUser['name'],
    displayName: typeof data.displayName === 'string' ? data.displayName : undefined,
    emails: data.emails as StoredUser['emails'],
    active: data.active === undefined ? (current?.active ?? true) : data.active === true,
    passwordHash: typeof data.password === 'string' ? hashPassword(data.password) : current?.passwordHash,
    guest: guest && Object.keys(guest).length ? { ...guest } : undefined,
    posix: Object.keys(posix).length ? posix : undefined,
    created: current?.created ?? at,
    lastModified: at,
    version: (current?.version ?? 0) + 1,
  };
  if (current) {
    const changes = changedFields(current, next);
    if (typeof data.password === 'string') store.log({ op: 'password-set', userName });
    if (!changes.length && typeof data.password !== 'string') return userOut(store, current);
    if (changes.length) store.log({ op: 'user-updated', userName, changes });
  } else {
    store.log({ op: 'user-created', userName, changes: [`active: ${next.active}`] });
  }
  store.users.set(next.id, next);
  store.save();
  return userOut(store, next);
}

/** What changed between two versions of a user, in words (never the password). */
function changedFields(a: StoredUser, b: StoredUser): string[] {
  const out: string[] = [];
  if (a.active !== b.active) out.push(`active: ${b.active}`);
  if (a.userName !== b.userName) out.push(`userName: ${b.userName}`);
  if (a.externalId !== b.externalId) out.push('externalId');
  if (JSON.stringify(a.name) !== JSON.stringify(b.name) || a.displayName !== b.displayName) out.push('name');
  if (JSON.stringify(a.emails) !== JSON.stringify(b.emails)) out.push('emails');
  for (const k of ['endDate', 'population', 'sponsorHuid'] as const) if (a.guest?.[k] !== b.guest?.[k]) out.push(`${k}: ${b.guest?.[k] ?? '(none)'}`);
  for (const k of ['uidNumber', 'homeDirectory', 'loginShell'] as const) if (a.posix?.[k] !== b.posix?.[k]) out.push(`${k}: ${b.posix?.[k] ?? '(none)'}`);
  return out;
}

function deleteUser(store: ScimStore, id: string | undefined): void {
  const user = id ? store.users.get(id) : undefined;
  if (!user) throw new SCIMError(404, null as unknown as string, `Resource ${id} not found`);
  store.users.delete(user.id);
  for (const g of store.groupsOf(user.id)) g.members = g.members.filter((m) => m !== user.id);
  store.log({ op: 'user-deleted', userName: user.userName });
  store.save();
}

function writeGroup(store: ScimStore, id: string | undefined, data: Json): Json {
  const displayName = typeof data.displayName === 'string' ? data.displayName.trim() : '';
  if (!displayName) throw new SCIMError(400, 'invalidValue', 'displayName is required');
  const other = store.groupByName(displayName);
  if (other && other.id !== id) throw new SCIMError(409, 'uniqueness', `A group ${displayName} exists already`);
  const current = id ? store.groups.get(id) : undefined;
  if (id && !current) throw new SCIMError(404, null as unknown as string, `Resource ${id} not found`);
  const members = [...new Set(((data.members as { value?: string }[] | undefined) ?? []).map((m) => m.value).filter((v): v is string => typeof v === 'string'))];
  for (const m of members) if (!store.users.has(m)) throw new SCIMError(400, 'invalidValue', `No user ${m} to be a member of ${displayName}`);
  const at = store.now();
  const before = new Set(current?.members ?? []);
  const added = members.filter((m) => !before.has(m));
  const removed = [...before].filter((m) => !members.includes(m));
  if (current && !added.length && !removed.length && current.displayName === displayName) return groupOut(store, current);
  const next: StoredGroup = { id: current?.id ?? store.newId(), displayName, members, created: current?.created ?? at, lastModified: at, version: (current?.version ?? 0) + 1 };
  store.groups.set(next.id, next);
  if (!current) store.log({ op: 'group-created', group: displayName });
  for (const m of added) {
    const user = store.users.get(m)!;
    store.log({ op: 'member-added', group: displayName, userName: user.userName });
    // A membership is part of the user as the directory shows it (its `groups`): the user changed too.
    user.lastModified = at;
    user.version++;
  }
  for (const m of removed) {
    const user = store.users.get(m);
    store.log({ op: 'member-removed', group: displayName, userName: user?.userName ?? m });
    if (user) {
      user.lastModified = at;
      user.version++;
    }
  }
  store.save();
  return groupOut(store, next);
}

/** A PATCH of exactly one member added (`path: members`, one value) or removed (`members[value eq "…"]`), else undefined. */
function memberPatch(body: unknown): { op: 'add' | 'remove'; value: string } | undefined {
  const b = body as { schemas?: unknown; Operations?: unknown } | undefined;
  if (!b || !Array.isArray(b.schemas) || b.schemas.length !== 1 || b.schemas[0] !== 'urn:ietf:params:scim:api:messages:2.0:PatchOp' || !Array.isArray(b.Operations) || b.Operations.length !== 1) return undefined;
  const op = b.Operations[0] as { op?: unknown; path?: unknown; value?: unknown };
  const kind = typeof op.op === 'string' ? op.op.toLowerCase() : '';
  if (kind === 'add' && op.path === 'members' && Array.isArray(op.value) && op.value.length === 1) {
    const value = (op.value[0] as { value?: unknown }).value;
    return typeof value === 'string' && Object.keys(op.value[0] as object).length === 1 ? { op: 'add', value } : undefined;
  }
  const removed = kind === 'remove' && typeof op.path === 'string' && op.value === undefined ? /^members\[value eq ("(?:[^"\\]|\\.)*")\]$/.exec(op.path) : null;
  return removed ? { op: 'remove', value: JSON.parse(removed[1]!) as string } : undefined;
}

/** Constant-time comparison of the bearer token. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** The Express app: the SCIM API under /scim/v2, the page at /. */
export function scimApp(opts: ScimServerOptions, store: ScimStore): express.Express {
  declare();
  // scimmy's configuration is per process: one authentication scheme, and password writes taken.
  SCIMMY.Config.set({ authenticationSchemes: [] });
  const router = new SCIMMYRouters({
    type: 'bearer',
    docUri: 'https://datatracker.ietf.org/doc/html/rfc6750',
    handler: (req) => {
      if (!bearerMatches(req.headers.authorization, opts.token)) throw new Error('A valid bearer token is required');
      return 'local-system';
    },
    context: (): Context => ({ store }),
  });
  SCIMMY.Config.set({ changePassword: true, etag: false });
  const app = express();
  app.disable('x-powered-by');
  app.get('/', (req, res) => {
    if (req.accepts(['html', 'json']) === 'json') {
      res.json(snapshot(store));
      return;
    }
    res.type('html').send(directoryPage(snapshot(store), `${SCIM_BASE_PATH}`));
  });
  // Express 5's req.query is a getter that parses again on every read: scimmy's numbers (startIndex, count) would be lost.
  app.use(SCIM_BASE_PATH, (req: Request, _res: Response, next: NextFunction) => {
    Object.defineProperty(req, 'query', { value: { ...req.query }, writable: true, configurable: true, enumerable: true });
    next();
  });
  // A group's member added or removed, one at a time (what the account directory adapter sends on every
  // provisioning), applied to the store straight away with the same checks and log as any group
  // write. Through scimmy each such PATCH coerced the whole group, every member: with a thousand
  // guests in one group, most of the local system's time (issue 21). Any other PATCH goes to scimmy.
  app.patch(`${SCIM_BASE_PATH}/Groups/:id`, express.json({ type: ['application/scim+json', 'application/json'] }), (req: Request, res: Response, next: NextFunction) => {
    const member = memberPatch(req.body);
    if (!member || !bearerMatches(req.headers.authorization, opts.token)) return next();
    const group = store.groups.get(String(req.params.id));
    if (!group) return next();
    const members = member.op === 'add' ? [...new Set([...group.members, member.value])] : group.members.filter((m) => m !== member.value);
    try {
      const out = writeGroup(store, group.id, { displayName: group.displayName, members: members.map((value) => ({ value })) });
      res.status(200).type('application/scim+json').send(JSON.stringify(out));
    } catch (err) {
      next(err);
    }
  });
  app.use(SCIM_BASE_PATH, router);
  app.use((_req, res) => {
    res.status(404).type('application/scim+json').send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404', detail: 'Endpoint not found' });
  });
  // scimmy-routers answers its errors itself; anything else that reaches here is reported as SCIM does.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err instanceof SCIMError ? err : new SCIMError(500, null as unknown as string, (err as Error)?.message ?? 'Internal error');
    res.status(e.status).type('application/scim+json').send(new SCIMMY.Messages.Error(e));
  });
  return app;
}

export interface ScimServer {
  server: Server;
  store: ScimStore;
  /** The page: http://127.0.0.1:<port>/ */
  url: string;
  /** The SCIM base URL: http://127.0.0.1:<port>/scim/v2 */
  scimUrl: string;
}

/** Starts the server on 127.0.0.1:`port` (0: a free one), its store read from the data directory. */
export async function startScimServer(port: number, opts: ScimServerOptions): Promise<ScimServer> {
  const store = new ScimStore(opts.clock, opts.dataDir ? join(opts.dataDir, SCIM_FILE) : undefined);
  store.ensureGroups(LOCAL_GROUPS);
  const server = scimApp(opts, store).listen(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  return { server, store, url: `${url}/`, scimUrl: `${url}${SCIM_BASE_PATH}` };
}
