/**
 * The HMS account an O2 account rests on (rule "O2": an O2 account needs an HMS account, whose ID is
 * the O2 login): the person's own, HMS provisioned for their role, or an HMS guest account (chained,
 * or kept when leaving HMS). And how the guest lifecycle tells the O2 lifecycle it moved.
 */
import type { IsoDate } from '../../core/domain/dates.ts';
import { compareDates } from '../../core/domain/dates.ts';
import type { O2Account, O2WaitStep } from '../domain/model.ts';
import { ownHmsAccount } from '../domain/rules.ts';
import type { O2Deps as Deps } from '../../app/deps.ts';
import { O2_WAKE, o2ExecutionInput, o2ExecutionName, type O2Decision, type O2Wake } from './contract.ts';
import { changeO2WithRetry } from './changes.ts';
import { can, holdsPerson, isFinal, type Guest } from '../../guest/public.ts';

export interface HmsAccount {
  /** active: the account can log in; pending: a guest account on its way; ended: expired (a restore may bring it back); none. */
  state: 'active' | 'pending' | 'ended' | 'none';
  accountId?: string | undefined;
  /** Its last day, when it has one (the O2 account expires with it). */
  endDate?: IsoDate | undefined;
  /** The linked guest account is still on its way (the O2 schedule looks again daily). */
  guestPending?: boolean;
}

const later = (a: IsoDate | undefined, b: IsoDate | undefined) => (!a || !b ? undefined : compareDates(a, b) >= 0 ? a : b);

/**
 * The HMS account of the O2 account's user at `now`: the linked guest account when it is active;
 * the person's own while it holds (its end moved to the guest account's when a guest account takes
 * over — rule "Leaving HMS": no gap); pending while the linked guest account is on its way.
 */
export async function hmsAccountOf(deps: Pick<Deps, 'people' | 'guests'>, o2: Pick<O2Account, 'userHuid' | 'guestId'>, now: Date): Promise<HmsAccount & { guest?: Guest | undefined }> {
  const [person, guest] = await Promise.all([deps.people.person(o2.userHuid), o2.guestId ? deps.guests.get(o2.guestId) : Promise.resolve(undefined)]);
  const own = ownHmsAccount(person, now);
  const guestLive = guest !== undefined && !isFinal(guest.status) && !can(guest.status, 'restore');
  if (guest?.status === 'ACTIVE') return { state: 'active', accountId: guest.accountId ?? guest.retainedAccountId, endDate: own?.endDate ? later(guest.endDate, own.endDate) : guest.endDate, guest };
  if (own) return { state: 'active', accountId: own.accountId, endDate: guestLive ? later(guest.endDate, own.endDate) : own.endDate, guestPending: guestLive, guest };
  if (guestLive) return { state: 'pending', accountId: guest.accountId ?? guest.retainedAccountId, endDate: guest.endDate, guestPending: true, guest };
  if (guest && holdsPerson(guest, now)) return { state: 'ended', accountId: guest.accountId, endDate: guest.endDate, guest };
  return { state: 'none', guest };
}

/**
 * Wakes the O2 lifecycle waiting on a task token for one of these steps (the HMS account became
 * active, the lab was registered, the RC Core completed): the token is resumed and taken off the
 * account. A token no longer valid (the step timed out and looked again) is harmless.
 */
export async function wakeO2(deps: Pick<Deps, 'o2' | 'o2Workflow' | 'clock'>, o2AccountId: string, steps: readonly O2WaitStep[], output: O2Wake | O2Decision = { outcome: O2_WAKE.ready }, actor = 'workflow'): Promise<boolean> {
  const o2 = await deps.o2.get(o2AccountId);
  if (!o2?.taskToken || !o2.waitingFor || !steps.includes(o2.waitingFor)) return false;
  const token = o2.taskToken;
  const resumed = await deps.o2Workflow.resume(token, output);
  await changeO2WithRetry(deps, o2AccountId, actor, 'woken', (cur) => (cur.taskToken === token ? { taskToken: undefined, waitingFor: undefined } : undefined), { step: o2.waitingFor });
  return resumed;
}

/**
 * The guest account an O2 account rests on moved (activated, cancelled, expired by HMS IT): the O2
 * lifecycle waiting for the HMS account is woken; one that is past it looks again at its next step,
 * or, due now, at the reconciler's next run.
 */
export async function guestMovedForO2(deps: Pick<Deps, 'o2' | 'o2Workflow' | 'clock'>, guest: Pick<Guest, 'o2AccountId' | 'status'>): Promise<void> {
  if (!guest.o2AccountId) return;
  if (await wakeO2(deps, guest.o2AccountId, ['hms-account'])) return;
  if (guest.status === 'ACTIVE') return;
  // Past the wait (active, set up): its lifecycle plans again now, with the HMS account as it is (gone:
  // it expires at once). The next generation replaces the one waiting for its next notice; due now
  // as well, so that if the start is lost the reconciler's next run starts it.
  const now = deps.clock.now().toISOString();
  let started: { previous?: string | undefined; next: string } | undefined;
  await changeO2WithRetry(deps, guest.o2AccountId, 'workflow', 'hms-account-changed', (cur) => {
    if (cur.status !== 'ACTIVE') return undefined;
    const generation = (cur.execution?.generation ?? 0) + 1;
    started = { previous: cur.execution?.name, next: o2ExecutionName(cur.o2AccountId, generation) };
    return { dueAt: now, execution: { name: started.next, generation }, taskToken: undefined, waitingFor: undefined };
  });
  if (!started) return;
  if (started.previous) await deps.o2Workflow.stop(started.previous, 'its HMS guest account ended: planned again now');
  await deps.o2Workflow.start(started.next, o2ExecutionInput(guest.o2AccountId));
}
