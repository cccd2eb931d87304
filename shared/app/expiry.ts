/**
 * Rule "Disabled at expiry": the account expires. The lifecycle does it at the end of the end date
 * (the Expire task, shared/app/lifecycle.ts), HMS IT whenever it must (forceExpire,
 * shared/app/guests.ts); the effects are the same.
 */
import type { Guest } from '../domain/model.ts';
import { restoreDeadline } from '../domain/rules.ts';
import { can, transition } from '../domain/transitions.ts';
import { change } from './changes.ts';
import type { Deps } from './deps.ts';
import { emails } from './emails.ts';
import { recordSent } from './sent.ts';

/**
 * Expires the account now, if its status allows: EXPIRED, entitlements revoked, due again at the end
 * of the restore window; then the "expired" email to the sponsor and to the guest, each recorded as
 * it goes out. Run again, it sends only the emails still owed.
 */
export async function expireAccount(deps: Deps, guest: Guest, actor: string): Promise<Guest> {
  const now = deps.clock.now();
  let g = guest;
  if (can(g.status, 'expire')) {
    const patch: Partial<Guest> = {
      status: transition(g.status, 'expire'),
      expiredAt: now.toISOString(),
      entitlements: g.entitlements.map((e) => ({ ...e, granted: false, reason: e.granted ? 'expired' : e.reason })),
      dueAt: restoreDeadline(g.endDate).toISOString(),
    };
    g = await change(deps, g, actor, 'expired', patch);
  }
  if (g.status === 'EXPIRED' && !g.expiredNoticeSentAt) {
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
