/**
 * The door between the lifecycles (issue 19): the guest lifecycle publishes what happened, and its
 * subscribers run in process. A subscriber that fails is logged and never fails the publisher; the
 * guest lifecycle works the same with no subscriber at all.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { inProcessGuestEvents } from '../../shared/app/events.ts';
import type { GuestEvent } from '../../shared/guest/app/events.ts';
import { requestGuest } from '../../shared/guest/app/guests.ts';
import { memoryWorld } from '../support/memory.ts';

afterEach(() => vi.restoreAllMocks());

describe('inProcessGuestEvents', () => {
  it('hands every event to every subscriber in order, with the deps it is given', async () => {
    // Prepare
    const seen: string[] = [];
    const bus = inProcessGuestEvents(() => ({ name: 'deps' }), [async (d, e) => void seen.push(`a:${d.name}:${e.type}`), async (d, e) => void seen.push(`b:${d.name}:${e.type}`)]);
    // Act
    await bus.publish({ type: 'guest-moved', guestId: 'g-1', status: 'ACTIVE' });
    // Assess
    expect(seen).toEqual(['a:deps:guest-moved', 'b:deps:guest-moved']);
  });

  it('a subscriber that fails is logged (a WARN naming the event and the guest) and the next one still runs; publishing does not fail', async () => {
    // Prepare
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const seen: GuestEvent[] = [];
    const bus = inProcessGuestEvents(() => ({}), [
      async () => {
        throw new Error('the O2 table is throttled');
      },
      async (_d, e) => void seen.push(e),
    ]);
    // Act
    await expect(bus.publish({ type: 'guest-moved', guestId: 'g-2', status: 'CANCELLED', o2AccountId: 'o-2' })).resolves.toBeUndefined();
    // Assess
    expect(seen).toHaveLength(1);
    expect(JSON.parse(String(log.mock.calls[0]![0]))).toMatchObject({ level: 'WARN', event: 'guest-moved', guestId: 'g-2', error: 'Error: the O2 table is throttled' });
  });

  it('the guest lifecycle needs no subscriber: a guest request with the o2 service is filed all the same, with no O2 account', async () => {
    // Prepare
    const w = memoryWorld();
    w.deps.guestEvents = inProcessGuestEvents(() => w.deps, []);
    // Act
    const guest = await requestGuest(w.deps, { huid: '10000001', roles: [] }, { guestHuid: '20000001', population: 'visiting-faculty', endDate: '2027-06-30', services: ['email', 'o2'] });
    // Assess
    expect(guest).toMatchObject({ status: 'PENDING_APPROVAL', services: ['email', 'o2'] });
    expect(guest.o2AccountId).toBeUndefined();
    expect(w.o2.accounts.size).toBe(0);
  });
});
