/**
 * The O2 login in the HMS account directory (issue 14): an active O2 account is membership of the
 * `o2` group plus the POSIX attributes (uid number, home directory) on the user of its HMS account;
 * anything else is neither. Decided from the O2 record alone (the table is the source of truth), and
 * made so by reading the directory first: run again, it changes nothing more.
 */
import type { IsoDate } from '../../core/domain/dates.ts';
import { DirectoryNotFoundError } from '../../core/domain/errors.ts';
import type { O2Account, Posix } from '../domain/model.ts';
import { homeDirectory, O2_GROUP, uidNumberCandidates, uidWalkStart } from '../domain/rules.ts';
import { o2IsSetUp, o2Transition } from '../domain/transitions.ts';
import { METRIC_NAMES } from '../../core/ports.ts';
import type { O2Deps as Deps } from '../../app/deps.ts';
import { emails } from './emails.ts';
import { changeO2, recordO2Sent } from './changes.ts';

/** What the user of the O2 account's HMS account should have: the `o2` group and POSIX attributes, or neither; undefined when FAILED (an operator looks). */
export function desiredO2Login(o2: Pick<O2Account, 'status' | 'posix'>): { member: boolean; posix: Posix | undefined } | undefined {
  if (o2.status === 'FAILED') return undefined;
  if (o2IsSetUp(o2.status) && o2.posix) return { member: true, posix: o2.posix };
  return { member: false, posix: undefined };
}

/**
 * Makes the directory user of the O2 account's HMS account what the record says; answers what was
 * changed, in words. An account that has ended never takes the login away from the person's next
 * O2 account on the same HMS account (one requested again after a cancellation): the login is that
 * account's to say.
 */
export async function syncO2Login(deps: Pick<Deps, 'accounts' | 'o2'>, o2: O2Account): Promise<string[]> {
  const want = desiredO2Login(o2);
  if (!want || !o2.accountId) return [];
  if (!want.member && (await loginHeldByAnother(deps, o2))) return [];
  const user = await deps.accounts.findByUserName(o2.accountId);
  if (!user) {
    if (want.member) throw new DirectoryNotFoundError(`The HMS account ${o2.accountId} of O2 account ${o2.o2AccountId} is not in the directory.`, { status: 404 });
    return [];
  }
  const changed: string[] = [];
  const member = user.groups.includes(O2_GROUP);
  const same = (a: Posix | undefined, b: Posix | undefined) => a?.uidNumber === b?.uidNumber && a?.homeDirectory === b?.homeDirectory;
  if (want.member) {
    if (!same(user.posix, want.posix)) {
      await deps.accounts.update(user.id, { posix: want.posix! });
      changed.push(`posix uid ${want.posix!.uidNumber}`);
    }
    if (!member) {
      await deps.accounts.addToGroup(O2_GROUP, user.id);
      changed.push(`group +${O2_GROUP}`);
    }
  } else {
    if (member) {
      await deps.accounts.removeFromGroup(O2_GROUP, user.id);
      changed.push(`group -${O2_GROUP}`);
    }
    if (user.posix) {
      await deps.accounts.update(user.id, { posix: null });
      changed.push('posix removed');
    }
  }
  return changed;
}

/** Whether another O2 account of the same person holds the login on the same HMS account now (set up: ACTIVE, or on its way to it). */
async function loginHeldByAnother(deps: Pick<Deps, 'o2'>, o2: O2Account): Promise<boolean> {
  const claim = await deps.o2.userClaim(o2.userHuid);
  if (!claim || claim.guestId === o2.o2AccountId) return false;
  const holder = await deps.o2.get(claim.guestId);
  return Boolean(holder && holder.o2AccountId !== o2.o2AccountId && holder.accountId === o2.accountId && o2IsSetUp(holder.status));
}

/**
 * The POSIX attributes of an O2 login: the uid number the account holds already (a renewal keeps
 * it, so its files stay its own), else a free one reserved in the table (a conditional write per
 * candidate); the home directory under /home by the HMS account ID.
 */
export async function posixFor(deps: Pick<Deps, 'o2' | 'random'>, o2: O2Account, accountId: string): Promise<Posix> {
  if (o2.posix) return { ...o2.posix, homeDirectory: homeDirectory(accountId) };
  // A uid number belongs to the HMS account (the Unix username), not to one O2 account: a person's
  // next O2 account (requested again after an expiry or a cancellation) gets the same one, so the
  // files in their home directory stay theirs. The walk starts where the account ID hashes to, so a
  // retried setup (the directory failed after the reservation) gets its own reservation back.
  for (const candidate of uidNumberCandidates(uidWalkStart(accountId))) {
    if (await deps.o2.reserveUidNumber(candidate, accountId)) return { uidNumber: candidate, homeDirectory: homeDirectory(accountId) };
  }
  throw new Error('No free Unix uid number');
}

/**
 * Sets up the O2 login of an approved account whose HMS account is active — on-Quad at once
 * (`activate`, the lifecycle's Setup), off-Quad when the RC Core completes it or a renewal
 * (`complete`, POST …/completion): the POSIX attributes (a renewal keeps its uid number), the `o2`
 * group and the attributes in the directory first (a directory that cannot fails the call and
 * nothing is written), then ACTIVE, then the "active" email to the user with the PI in copy,
 * recorded in `sent` as `active@<activatedAt>` (a retry sends only what is still owed). A task
 * token the account waits on is left for the caller to wake (`wakeO2`).
 */
export async function setUpO2(
  deps: Deps,
  o2: O2Account,
  actor: string,
  event: 'activate' | 'complete',
  hms: { accountId: string; endDate?: IsoDate | undefined },
  extra: Partial<O2Account> = {},
  detail?: Record<string, unknown>,
): Promise<O2Account> {
  const at = deps.clock.now().toISOString();
  const posix = await posixFor(deps, o2, hms.accountId);
  const patch: Partial<O2Account> = {
    status: o2Transition(o2.status, event),
    accountId: hms.accountId,
    posix,
    activatedAt: at,
    endDate: hms.endDate,
    lastNoticeDate: undefined,
    expiredAt: undefined,
    expiredNoticeSentAt: undefined,
    failure: undefined,
    ...extra,
  };
  await syncO2Login(deps, { ...o2, ...patch });
  let next: O2Account;
  try {
    next = await changeO2(deps, o2, actor, event === 'complete' ? 'completed' : 'activated', patch, detail);
  } catch (err) {
    // Another writer got there first (a cancellation, say): the login written above follows the
    // record as it is now, not as this setup wanted it. The table is the source of truth.
    const current = await deps.o2.get(o2.o2AccountId);
    if (current) await syncO2Login(deps, current).catch(() => undefined);
    throw err;
  }
  deps.metrics.count(METRIC_NAMES.o2Activated);
  return sendO2Active(deps, next, actor);
}

/** The name in `sent` of the "active" email of this activation. */
export const activeEmailName = (o2: Pick<O2Account, 'activatedAt'>) => `active@${o2.activatedAt ?? ''}`;

/** The "active" email of the account's current activation, unless it went out already. */
export async function sendO2Active(deps: Deps, o2: O2Account, actor: string): Promise<O2Account> {
  const name = activeEmailName(o2);
  if (o2.status !== 'ACTIVE' || o2.sent?.includes(name)) return o2;
  const pi = await deps.people.person(o2.piHuid);
  await deps.mailer.send(emails.o2Active(o2, pi, deps.links));
  return recordO2Sent(deps, o2, actor, name);
}
