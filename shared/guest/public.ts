/**
 * The guest lifecycle's published interface: the one door into the guest module from another
 * lifecycle. The O2 lifecycle files a guest request for a user without an HMS account (and cancels
 * the one it filed), reads the HMS guest account a person holds, links an O2 account to it, and
 * applies the guest rules an O2 account shares (who may sponsor, the approval deadlines, the end of
 * a day). Nothing else of shared/guest is imported by another lifecycle (test/unit/imports.test.ts);
 * the guest module imports nothing of another lifecycle, and tells what happened through its events
 * (./app/events.ts). Its domain part is ./public-rules.ts, which another lifecycle's domain
 * imports.
 */
export * from './public-rules.ts';
export { cancelGuest, linkO2Account } from './app/guests.ts';
export { liveGuestOf, prepareGuestRequest, submitGuestRequest } from './app/request.ts';
export type { GuestEvent } from './app/events.ts';
