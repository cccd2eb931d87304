/**
 * The HMS account in the account directory (issue 13): what the directory user of a guest should be,
 * decided from the guest record alone (the table is the source of truth), and how a user found in
 * the directory differs from it. Pure: no port, no time.
 *
 * Rules "Services per guest" and "No Digital Library" reach the directory here: one group per
 * granted service, and never the Digital Library's group.
 */
import type { Entitlement, Guest, Service } from './model.ts';
import { SERVICES } from './model.ts';

/** The directory group of each service a guest may be granted: membership is the access. */
export const SERVICE_GROUPS: { readonly [S in Service]: string } = {
  email: 'hms-guest-email',
  'file-shares': 'hms-guest-file-shares',
  wireless: 'hms-guest-wireless',
  'research-applications': 'hms-guest-research-applications',
  portal: 'hms-guest-portal',
  o2: 'hms-guest-o2',
};

/** Rule "No Digital Library": the Digital Library's group. No guest is ever added to it; one found in it is taken out. */
export const DIGITAL_LIBRARY_GROUP = 'hms-digital-library';

/** Every group this system manages a guest's membership of: the service groups, and the one no guest may be in. */
export const MANAGED_GROUPS: readonly string[] = [...SERVICES.map((s) => SERVICE_GROUPS[s]), DIGITAL_LIBRARY_GROUP];

/** The schema extension (RFC 7643 §3.3) that carries the guest facts on the directory user. */
export const GUEST_EXTENSION = 'urn:ietf:params:scim:schemas:extension:hms:2.0:Guest';

/** The guest facts kept on the directory user (the schema extension). */
export interface GuestFacts {
  endDate: string;
  population: string;
  sponsorHuid: string;
}

/** What the directory user of a guest should be: enabled or not, exactly these managed groups, these facts. */
export interface AccountState extends GuestFacts {
  active: boolean;
  /** Managed groups the user is in, sorted. */
  groups: string[];
}

/** A directory user as the comparison needs it (the port's DirectoryUser has more). */
export interface AccountSeen extends Partial<GuestFacts> {
  active: boolean;
  /** Every group the directory says the user is in (managed or not). */
  groups: readonly string[];
}

/** The groups of the granted entitlements: one per granted service, never the Digital Library's. */
export function groupsFor(entitlements: readonly Entitlement[]): string[] {
  const groups = entitlements
    .filter((e): e is Entitlement & { name: Service } => e.granted && e.name !== 'digital-library' && Object.hasOwn(SERVICE_GROUPS, e.name))
    .map((e) => SERVICE_GROUPS[e.name]);
  return [...new Set(groups)].sort();
}

/**
 * What the guest's directory user should be, or undefined when the table has no say: FAILED (the
 * lifecycle stopped and an operator looks; the directory is left as they find it).
 * - waiting for activation: the user exists, disabled, with the groups of its entitlements;
 * - active: enabled, with those groups;
 * - anything else (expired, cancelled, never provisioned): disabled and in no managed group — a user
 *   that does not exist is as good.
 */
export function desiredAccount(guest: Pick<Guest, 'status' | 'entitlements' | 'endDate' | 'population' | 'sponsorHuid' | 'handedBack'>): AccountState | undefined {
  // FAILED: an operator looks. Handed back: the user is a person's own HMS account again (rule "Leaving HMS").
  if (guest.status === 'FAILED' || guest.handedBack) return undefined;
  const facts: GuestFacts = { endDate: guest.endDate, population: guest.population, sponsorHuid: guest.sponsorHuid };
  if (guest.status === 'ACTIVE') return { active: true, groups: groupsFor(guest.entitlements), ...facts };
  if (guest.status === 'PENDING_ACTIVATION') return { active: false, groups: groupsFor(guest.entitlements), ...facts };
  return { active: false, groups: [], ...facts };
}

/**
 * Whether the guest's directory user must exist: while the account waits for activation or is
 * active. A closed account's user (disabled, in no group) may as well not exist.
 */
export function accountMustExist(guest: Pick<Guest, 'status'>): boolean {
  return guest.status === 'PENDING_ACTIVATION' || guest.status === 'ACTIVE';
}

/** One difference between the directory user and what it should be. */
export type AccountDifference =
  | { field: 'active'; want: boolean }
  | { field: 'group'; group: string; want: 'member' | 'not-member' }
  | { field: 'facts' };

/**
 * How the directory user differs from what it should be: enabled or not, each managed group it is
 * in but should not be (the Digital Library's always) or should be in but is not, and the guest facts.
 * Groups this system does not manage are not looked at.
 */
export function accountDifferences(want: AccountState, seen: AccountSeen): AccountDifference[] {
  const out: AccountDifference[] = [];
  if (seen.active !== want.active) out.push({ field: 'active', want: want.active });
  const has = new Set(seen.groups);
  for (const group of want.groups) if (!has.has(group)) out.push({ field: 'group', group, want: 'member' });
  for (const group of MANAGED_GROUPS) if (has.has(group) && !want.groups.includes(group)) out.push({ field: 'group', group, want: 'not-member' });
  if (seen.endDate !== want.endDate || seen.population !== want.population || seen.sponsorHuid !== want.sponsorHuid) out.push({ field: 'facts' });
  return out;
}

/** A difference in words, for the audit trail and logs: `active: true`, `group +hms-guest-email`, `facts`. */
export function describeDifference(d: AccountDifference): string {
  if (d.field === 'active') return `active: ${d.want}`;
  if (d.field === 'group') return `group ${d.want === 'member' ? '+' : '-'}${d.group}`;
  return 'guest facts';
}
