/**
 * What the guest lifecycle tells whoever listens (the one door out of the guest module): a guest
 * account was requested, or moved to a status. The guest lifecycle never imports another lifecycle:
 * it publishes these through the `guestEvents` port, and a subscriber (today the O2 lifecycle, in
 * process: shared/app/events.ts) acts on them. The same port could later be DynamoDB Streams or
 * EventBridge without touching either side. Publishing never fails the guest's own change.
 */
import type { Guest } from '../domain/model.ts';
import type { GuestStatus } from '../domain/model.ts';

export type GuestEvent =
  /** A guest account was requested (filed and its lifecycle started); `submitterHuid` filed it. */
  | { type: 'guest-requested'; guest: Guest; submitterHuid: string }
  /** A guest account moved: became ACTIVE, or was denied, cancelled, expired, failed. */
  | { type: 'guest-moved'; guestId: string; status: GuestStatus; o2AccountId?: string | undefined };

/** The port the guest lifecycle publishes through. */
export interface GuestEvents {
  publish(event: GuestEvent): Promise<void>;
}

/** The guest moved: told to whoever listens (a guest an O2 account rests on names it: `o2AccountId`). */
export function guestMoved(deps: { guestEvents: GuestEvents }, guest: Pick<Guest, 'guestId' | 'status' | 'o2AccountId'>): Promise<void> {
  return deps.guestEvents.publish({ type: 'guest-moved', guestId: guest.guestId, status: guest.status, ...(guest.o2AccountId ? { o2AccountId: guest.o2AccountId } : {}) });
}
