/**
 * The guest's HMS account in the account directory (the AccountDirectory port): made to match the
 * guest record, which is the source of truth. Every step reads the directory first, so a step run
 * again (a retried task, a second click, the reconciler after an outage) changes nothing more.
 *
 * - `syncAccount`: the directory user as the guest record says it should be (shared/guest/domain/account.ts):
 *   created if missing, enabled or disabled, exactly the managed groups of its granted services, the
 *   guest facts. Used by provisioning (before the activation email), activation (with the password,
 *   before the code is spent), expiry (before the "expired" emails), and the reconciler's repairs.
 * - `syncFirst`: the same for a change the API makes, done before the change is written and never
 *   failing it: when the directory cannot be reached the change is written due now, and the
 *   reconciler's next run repairs the account (docs/design.md §5).
 */
import { accountDifferences, accountMustExist, desiredAccount, describeDifference, type AccountDifference, type AccountState } from '../domain/account.ts';
import { AccountDirectoryError, DirectoryConflictError, DirectoryNotFoundError } from '../../core/domain/errors.ts';
import type { Guest } from '../domain/model.ts';
import type { HsrRecord } from '../../core/domain/people.ts';
import type { DirectoryUser, DirectoryUserChanges, NewDirectoryUser, PasswordOutcome } from '../../core/ports.ts';
import type { GuestDeps as Deps } from '../../app/deps.ts';

/** The guest's names for the directory: from the HSR when at hand, else from the name on the guest record. */
export function directoryNames(guest: Pick<Guest, 'guestName'>, hsr?: Pick<HsrRecord, 'firstName' | 'lastName'>): { givenName: string; familyName: string } {
  if (hsr) return { givenName: hsr.firstName, familyName: hsr.lastName };
  const parts = guest.guestName.trim().split(/\s+/);
  const familyName = parts.length > 1 ? parts.pop()! : '';
  return { givenName: parts.join(' '), familyName };
}

/** The directory user of a guest, to create (always disabled: activation enables it). */
export function newDirectoryUser(guest: Guest, userName: string, state: AccountState, hsr?: HsrRecord): NewDirectoryUser {
  return {
    userName,
    externalId: guest.guestId,
    ...directoryNames(guest, hsr),
    email: guest.guestEmail,
    active: false,
    endDate: state.endDate,
    population: state.population,
    sponsorHuid: state.sponsorHuid,
  };
}

export interface SyncResult {
  /** The directory user after the changes (none when the account should hold nothing and there is none). */
  user?: DirectoryUser | undefined;
  /** What was changed, in words (empty when the user already matched). */
  changed: string[];
  /** What setting the password came to, when one was given. */
  password?: PasswordOutcome | undefined;
}

/**
 * Makes the guest's directory user what the guest record says it should be. `password`: set it
 * first (activation), before the user is enabled. A user that does not exist is created (with the
 * guest's account ID as its userName) while the account waits for activation or is active; a closed
 * account's missing user is left missing.
 */
export async function syncAccount(
  deps: Pick<Deps, 'accounts'>,
  guest: Guest,
  opts: { password?: string | undefined; hsr?: HsrRecord | undefined } = {},
): Promise<SyncResult> {
  const want = desiredAccount(guest);
  if (!want) return { changed: [] };
  const accounts = deps.accounts;
  let user = await accounts.findByExternalId(guest.guestId);
  const changed: string[] = [];
  if (!user) {
    if (!accountMustExist(guest) || !guest.accountId) return { changed };
    user = await createOrFindOwn(deps, newDirectoryUser(guest, guest.accountId, want, opts.hsr));
    changed.push('created');
  }
  let password: PasswordOutcome | undefined;
  if (opts.password !== undefined) password = await accounts.setPassword(user.id, opts.password);
  const differences = accountDifferences(want, user);
  await apply(deps, user.id, want, differences);
  changed.push(...differences.map(describeDifference));
  const groups = new Set(user.groups);
  for (const d of differences) {
    if (d.field !== 'group') continue;
    if (d.want === 'member') groups.add(d.group);
    else groups.delete(d.group);
  }
  return { user: { ...user, active: want.active, groups: [...groups].sort(), endDate: want.endDate, population: want.population, sponsorHuid: want.sponsorHuid }, changed, password };
}

/**
 * Creates the user; when its userName is taken, it may be this guest's own user created by an
 * earlier attempt whose answer was lost: that one is used. Anyone else's is DirectoryConflictError.
 */
export async function createOrFindOwn(deps: Pick<Deps, 'accounts'>, user: NewDirectoryUser): Promise<DirectoryUser> {
  try {
    return await deps.accounts.create(user);
  } catch (err) {
    if (!(err instanceof DirectoryConflictError)) throw err;
    const own = await deps.accounts.findByExternalId(user.externalId);
    if (own) return own;
    throw err;
  }
}

/**
 * Applies the differences: a user to disable is disabled first and then taken out of its groups; a
 * user to enable is put in its groups first and enabled last. The guest facts go with the first update.
 */
async function apply(deps: Pick<Deps, 'accounts'>, userId: string, want: AccountState, differences: AccountDifference[]): Promise<void> {
  if (!differences.length) return;
  const facts: DirectoryUserChanges = differences.some((d) => d.field === 'facts') ? { endDate: want.endDate, population: want.population, sponsorHuid: want.sponsorHuid } : {};
  const toggle = differences.find((d) => d.field === 'active');
  if (toggle && !want.active) await deps.accounts.update(userId, { active: false, ...facts });
  else if (Object.keys(facts).length && !toggle) await deps.accounts.update(userId, facts);
  for (const d of differences) if (d.field === 'group' && d.want === 'not-member') await deps.accounts.removeFromGroup(d.group, userId);
  for (const d of differences) if (d.field === 'group' && d.want === 'member') await deps.accounts.addToGroup(d.group, userId);
  if (toggle && want.active) await deps.accounts.update(userId, { active: true, ...facts });
}

/** Whether a change of the guest changes what its directory user should be. */
export function accountChanges(before: Guest, after: Guest): boolean {
  if (!after.accountId) return false;
  return JSON.stringify(desiredAccount(before)) !== JSON.stringify(desiredAccount(after));
}

/**
 * For a change the API makes (cancel, extension and restore, reassignment, expiry by HMS IT): the
 * directory user is set to what the changed guest should be, before the change is written. When
 * the directory cannot be reached, the change goes ahead all the same, due now: the reconciler
 * repairs the account on its next run (the guest is due, so it looks). Answers the patch to write.
 */
export async function syncFirst(deps: Deps, guest: Guest, patch: Partial<Guest>): Promise<Partial<Guest>> {
  const after: Guest = { ...guest, ...patch };
  if (!accountChanges(guest, after)) return patch;
  try {
    await syncAccount(deps, after);
    return patch;
  } catch (err) {
    // Counted by the adapter (DirectoryFailures, alarmed); the guest is due now, so the reconciler repairs it.
    if (!(err instanceof AccountDirectoryError)) throw err;
    return { ...patch, dueAt: deps.clock.now().toISOString() };
  }
}

/**
 * Rule "Leaving HMS": the guest account takes over the person's own HMS account (`retainedAccountId`)
 * instead of creating one: the directory user with that userName becomes this guest's (externalId =
 * the guest ID) with the guest facts (end date, population, sponsor), then is made what the guest
 * record says (enabled, the groups of its services). A user already taken over (an earlier attempt)
 * is found by its externalId. No user under that ID: DirectoryNotFoundError (an operator looks).
 * That no other guest holds the account ID is the table's to say (`reserveAccountId`, before this).
 */
export async function adoptRetainedAccount(deps: Pick<Deps, 'accounts'>, guest: Guest): Promise<SyncResult> {
  const accountId = guest.retainedAccountId;
  if (!accountId) throw new Error(`Guest ${guest.guestId} keeps no HMS account`);
  const own = await deps.accounts.findByExternalId(guest.guestId);
  if (!own) {
    const user = await deps.accounts.findByUserName(accountId);
    if (!user) throw new DirectoryNotFoundError(`The HMS account ${accountId} that guest ${guest.guestId} keeps is not in the directory.`, { status: 404 });
    await deps.accounts.update(user.id, { externalId: guest.guestId, endDate: guest.endDate, population: guest.population, sponsorHuid: guest.sponsorHuid });
  }
  return syncAccount(deps, guest);
}
