/**
 * What the embedded SCIM server holds: users, groups and a log of every change that took effect,
 * kept in the data directory (`scim.json`, written whole after each change: a kill never leaves
 * half a file). Passwords are kept as scrypt hashes only. Times come from the local clock, so the
 * directory's `meta.lastModified` and the reconciler's "changed since the last run" agree.
 */
import { randomBytes, randomUUID, scryptSync } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import type { Clock } from '../../shared/core/ports.ts';
import { readDataFile, RESET_FIX } from '../data-dir.ts';

export interface StoredUser {
  id: string;
  userName: string;
  externalId?: string | undefined;
  name?: { formatted?: string; givenName?: string; familyName?: string } | undefined;
  displayName?: string | undefined;
  emails?: { value: string; type?: string; primary?: boolean }[] | undefined;
  active: boolean;
  /** scrypt: `salt:hash`, hex. Never the password. */
  passwordHash?: string | undefined;
  /** The guest facts of the schema extension. */
  guest?: { endDate?: string; population?: string; sponsorHuid?: string } | undefined;
  /** The POSIX attributes of an O2 login (the posix extension). */
  posix?: { uidNumber?: number; homeDirectory?: string; loginShell?: string } | undefined;
  created: string;
  lastModified: string;
  version: number;
}

export interface StoredGroup {
  id: string;
  displayName: string;
  /** User IDs. */
  members: string[];
  created: string;
  lastModified: string;
  version: number;
}

/** One change that took effect, for the page and for tests ("every owed change done once"). */
export interface ScimEvent {
  at: string;
  /** user-created, user-updated (with what changed), password-set, user-deleted, member-added, member-removed, group-created */
  op: string;
  userName?: string | undefined;
  group?: string | undefined;
  changes?: string[] | undefined;
}

interface SavedStore {
  users: StoredUser[];
  groups: StoredGroup[];
  events: ScimEvent[];
}

const isSaved = (v: unknown): v is SavedStore => {
  const s = v as Partial<SavedStore> | null;
  return typeof s === 'object' && s !== null && Array.isArray(s.users) && Array.isArray(s.groups) && Array.isArray(s.events);
};

/** The events kept (the oldest go first). */
const MAX_EVENTS = 5000;

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `${salt.toString('hex')}:${scryptSync(password, salt, 32).toString('hex')}`;
}

export function passwordMatches(password: string, stored: string | undefined): boolean {
  if (!stored) return false;
  const [salt, hash] = stored.split(':');
  return scryptSync(password, Buffer.from(salt!, 'hex'), 32).toString('hex') === hash;
}

export class ScimStore {
  readonly users = new Map<string, StoredUser>();
  readonly groups = new Map<string, StoredGroup>();
  readonly events: ScimEvent[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly file?: string,
  ) {
    const saved = file ? readDataFile(file, RESET_FIX, isSaved) : undefined;
    for (const u of saved?.users ?? []) this.users.set(u.id, u);
    for (const g of saved?.groups ?? []) this.groups.set(g.id, g);
    this.events.push(...(saved?.events ?? []));
  }

  now(): string {
    return this.clock.now().toISOString();
  }

  newId(): string {
    return randomUUID();
  }

  log(event: Omit<ScimEvent, 'at'>): void {
    this.events.push({ at: this.now(), ...event });
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
  }

  userByName(userName: string): StoredUser | undefined {
    const wanted = userName.toLowerCase();
    return [...this.users.values()].find((u) => u.userName.toLowerCase() === wanted);
  }

  groupByName(displayName: string): StoredGroup | undefined {
    return [...this.groups.values()].find((g) => g.displayName === displayName);
  }

  /** The groups a user is in. */
  groupsOf(userId: string): StoredGroup[] {
    return [...this.groups.values()].filter((g) => g.members.includes(userId));
  }

  /** Makes sure these groups exist (the groups HMS IT made for the guests' services). */
  ensureGroups(names: readonly string[]): void {
    let added = false;
    for (const displayName of names) {
      if (this.groupByName(displayName)) continue;
      const at = this.now();
      const group: StoredGroup = { id: this.newId(), displayName, members: [], created: at, lastModified: at, version: 1 };
      this.groups.set(group.id, group);
      this.log({ op: 'group-created', group: displayName });
      added = true;
    }
    if (added) this.save();
  }

  /** Written whole, then renamed over the old file. */
  save(): void {
    if (!this.file) return;
    const saved: SavedStore = { users: [...this.users.values()], groups: [...this.groups.values()], events: this.events };
    writeFileSync(`${this.file}.tmp`, JSON.stringify(saved));
    renameSync(`${this.file}.tmp`, this.file);
  }
}

/**
 * The HMS accounts HMS provisioned for people's own roles (staff, faculty, students: the people
 * directory's `hmsAccountId`), as the real directory holds them before this system touches them: a
 * user per account ID, enabled while the person is active, with no guest facts. A user already
 * there is left as it is (this system may have changed it since: an O2 login, a retained account).
 */
export function ensureHmsAccounts(store: ScimStore, people: readonly { name: string; email: string; active: boolean; hmsAccountId?: string | undefined }[]): number {
  let added = 0;
  for (const person of people) {
    if (!person.hmsAccountId || store.userByName(person.hmsAccountId)) continue;
    const at = store.now();
    const [givenName = person.name, ...rest] = person.name.split(' ');
    const user: StoredUser = {
      id: store.newId(),
      userName: person.hmsAccountId,
      name: { formatted: person.name, givenName, familyName: rest.join(' ') },
      displayName: person.name,
      emails: [{ value: person.email, type: 'work', primary: true }],
      active: person.active,
      created: at,
      lastModified: at,
      version: 1,
    };
    store.users.set(user.id, user);
    store.log({ op: 'user-created', userName: user.userName, changes: [`active: ${user.active}`] });
    added++;
  }
  if (added) store.save();
  return added;
}
