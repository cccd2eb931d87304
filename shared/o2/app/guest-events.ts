/**
 * The O2 lifecycle's subscriber to the guest lifecycle's events (shared/guest/app/events.ts), run in
 * process by the function that publishes them (shared/app/events.ts):
 * - a guest account requested with the `o2` service starts the O2 account's lifecycle resting on it
 *   (or links the O2 account waiting for this person's HMS account), and links it back on the guest
 *   (through the guest lifecycle's published interface, shared/guest/public.ts);
 * - a guest account an O2 account rests on moved (activated, denied, cancelled, expired, failed):
 *   the O2 lifecycle waiting for the HMS account is woken, or one past it plans again now.
 * What could not be done, the O2 lifecycle looks at again at its next daily check or planned step.
 */
import type { O2Deps as Deps } from '../../app/deps.ts';
import { linkO2Account, type GuestEvent } from '../../guest/public.ts';
import { guestMovedForO2 } from './hms-account.ts';
import { startO2ForGuest } from './request.ts';

export async function onGuestEvent(deps: Deps, event: GuestEvent): Promise<void> {
  if (event.type === 'guest-moved') {
    if (event.o2AccountId) await guestMovedForO2(deps, { o2AccountId: event.o2AccountId, status: event.status });
    return;
  }
  const submitter = await deps.people.person(event.submitterHuid);
  const o2AccountId = await startO2ForGuest(deps, event.guest, submitter);
  if (o2AccountId) await linkO2Account(deps, event.guest.guestId, o2AccountId, event.submitterHuid);
}
