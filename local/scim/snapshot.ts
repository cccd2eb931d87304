/** What the account directory's page shows (local/scim/page.ts) and its JSON answers: a snapshot of the store. */
import type { ScimStore } from './store.ts';

/** Users (with their groups) and groups (with their members), as the page lists them; never a password. */
export interface DirectorySnapshot {
  users: { id: string; userName: string; externalId: string | null; name: string | null; active: boolean; groups: string[]; endDate: string | null; population: string | null; sponsorHuid: string | null; uidNumber: number | null; homeDirectory: string | null; passwordSet: boolean; lastModified: string }[];
  groups: { id: string; displayName: string; members: string[] }[];
  events: StoredEvent[];
}
type StoredEvent = ScimStore['events'][number];

export function snapshot(store: ScimStore): DirectorySnapshot {
  return {
    users: [...store.users.values()]
      .sort((a, b) => a.userName.localeCompare(b.userName))
      .map((u) => ({
        id: u.id,
        userName: u.userName,
        externalId: u.externalId ?? null,
        name: u.name?.formatted ?? u.displayName ?? null,
        active: u.active,
        groups: store.groupsOf(u.id).map((g) => g.displayName).sort(),
        endDate: u.guest?.endDate ?? null,
        population: u.guest?.population ?? null,
        sponsorHuid: u.guest?.sponsorHuid ?? null,
        uidNumber: u.posix?.uidNumber ?? null,
        homeDirectory: u.posix?.homeDirectory ?? null,
        passwordSet: Boolean(u.passwordHash),
        lastModified: u.lastModified,
      })),
    groups: [...store.groups.values()]
      .sort((a, b) => a.displayName.localeCompare(b.displayName))
      .map((g) => ({ id: g.id, displayName: g.displayName, members: g.members.map((m) => store.users.get(m)?.userName ?? m).sort() })),
    events: [...store.events],
  };
}

