/**
 * The lifecycles meet here, in process: the guest lifecycle's events (shared/guest/app/events.ts)
 * reach their subscribers inside the function that publishes them. That function therefore holds
 * the rights its subscribers need (infra/guest-accounts-stack.ts names each such grant and the door
 * it serves; test/cdk/iam.test.ts holds them). A subscriber's failure is logged and never fails
 * the publisher's own change: what it could not do, its own lifecycle looks at again (the O2
 * lifecycle's next check, or the reconciler).
 */
import type { GuestEvent, GuestEvents } from '../guest/app/events.ts';

export type Subscriber<D> = (deps: D, event: GuestEvent) => Promise<void>;

/** Guest events delivered in process to each subscriber, in order, with the deps the subscribers run on. */
export function inProcessGuestEvents<D>(deps: () => D, subscribers: readonly Subscriber<D>[]): GuestEvents {
  return {
    async publish(event) {
      for (const subscriber of subscribers) {
        try {
          await subscriber(deps(), event);
        } catch (err) {
          console.error(
            JSON.stringify({
              level: 'WARN',
              message: 'A subscriber of the guest lifecycle did not take its event; its own lifecycle looks again at its next check.',
              event: event.type,
              guestId: event.type === 'guest-requested' ? event.guest.guestId : event.guestId,
              error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
            }),
          );
        }
      }
    },
  };
}
