/**
 * Rule "Disabled at expiry": the account expires. The lifecycle does it at the end of the end date
 * (the Expire task, shared/guest/app/tasks.ts), HMS IT whenever it must (forceExpire,
 * shared/guest/app/guests.ts); the effects are the same.
 */
import type { Guest } from '../domain/model.ts';
import { handsBack } from '../domain/rules.ts';
import { restoreDeadline } from '../domain/rules.ts';
import { can, transition } from '../domain/transitions.ts';
import { syncAccount, syncFirst } from './account.ts';
import { change } from './changes.ts';
import type { GuestDeps as Deps } from '../../app/deps.ts';
import { emails } from './emails.ts';
import { guestMoved } from './events.ts';
import { recordSent } from './sent.ts';
import { METRIC_NAMES } from '../../core/ports.ts';

/**
 * Expires the account now, if its status allows: EXPIRED, entitlements revoked, due again at the end
 * of the restore window; the directory account disabled and out of its groups; then the "expired"
 * email to the sponsor and to the guest, each recorded as it goes out. Run again, it sends only the
 * emails still owed. `directory: 'first'` (HMS IT, through the API): the directory before the
 * change, never failing it (the reconciler repairs what it could not do).
 */
export async function expireAccount(deps: Deps, guest: Guest, actor: string, opts: { directory: 'before-emails' | 'first' } = { directory: 'before-emails' }): Promise<Guest> {
  const now = deps.clock.now();
  let g = guest;
  if (can(g.status, 'expire')) {
    const patch: Partial<Guest> = {
      status: transition(g.status, 'expire'),
      expiredAt: now.toISOString(),
      entitlements: g.entitlements.map((e) => ({ ...e, granted: false, reason: e.granted ? 'expired' : e.reason })),
      dueAt: restoreDeadline(g.endDate).toISOString(),
      ...(await handBack(deps, g, 'expired while the person still holds their own HMS appointment')),
    };
    // HMS IT's expiry (the API): the directory account first, never failing the expiry.
    g = await change(deps, g, actor, 'expired', opts.directory === 'first' ? await syncFirst(deps, g, patch) : patch);
    deps.metrics.count(METRIC_NAMES.expired);
    // An O2 account resting on this HMS account expires with it (its lifecycle looks again now).
    await guestMoved(deps, g);
  }
  if (g.status === 'EXPIRED' && !g.expiredNoticeSentAt) {
    // The lifecycle's expiry: the account disabled and out of its groups in the directory before
    // anyone is told it expired. A directory that cannot do it fails the task: nothing downstream runs.
    if (opts.directory === 'before-emails') await syncAccount(deps, g);
    // One email each to the sponsor and the guest, each recorded as it goes out: a retry sends only what is still owed.
    const sponsor = await deps.people.person(g.sponsorHuid);
    const expiredAt = g.expiredAt;
    const thisExpiry = (cur: Guest) => cur.status === 'EXPIRED' && cur.expiredAt === expiredAt && !cur.expiredNoticeSentAt;
    const recipients = ([['sponsor', sponsor?.email], ['guest', g.guestEmail]] as const).filter(([, to]) => to);
    for (const [who, to] of recipients) {
      if (g.expiredNoticeSentTo?.includes(who)) continue;
      await deps.mailer.send(emails.expired(g, to!, deps.links));
      g = await recordSent(
        deps,
        g,
        actor,
        'expiry-email-sent',
        (cur) => {
          if (!thisExpiry(cur) || cur.expiredNoticeSentTo?.includes(who)) return undefined;
          const sentTo = [...(cur.expiredNoticeSentTo ?? []), who];
          const all = recipients.every(([r]) => sentTo.includes(r));
          return all ? { expiredNoticeSentTo: sentTo, expiredNoticeSentAt: deps.clock.now().toISOString() } : { expiredNoticeSentTo: sentTo };
        },
        { to: who },
      );
    }
    // Nobody to write to (or every email already recorded): the emails are done.
    g = await recordSent(deps, g, actor, 'expiry-email-sent', (cur) => (thisExpiry(cur) ? { expiredNoticeSentAt: deps.clock.now().toISOString() } : undefined));
  }
  return g;
}

/**
 * Rule "Leaving HMS", undone: a retained guest account ending while its person still holds their own
 * HMS appointment hands the directory user back (`handedBack`: left alone, not disabled).
 */
export async function handBack(deps: Pick<Deps, 'people' | 'clock'>, guest: Guest, reason: string): Promise<Partial<Guest>> {
  if (!guest.retainedAccountId || guest.handedBack) return {};
  const now = deps.clock.now();
  return handsBack(guest, await deps.people.person(guest.guestHuid), now) ? { handedBack: { at: now.toISOString(), reason } } : {};
}
