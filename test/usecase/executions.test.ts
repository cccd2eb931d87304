/**
 * What HMS IT looks at (GET /v1/guests/{guestId}/executions, GET /v1/sponsors), on in-memory ports:
 * a guest's executions, every generation newest first, for HMS IT only; the standing of sponsors.
 */
import { describe, expect, it } from 'vitest';
import { guestExecutions, sponsorStandings } from '../../shared/guest/app/executions.ts';
import * as uc from '../../shared/guest/app/guests.ts';
import { NotAllowedError, NotFoundError } from '../../shared/core/domain/errors.ts';
import { memoryWorld } from '../support/memory.ts';

const ADA = { huid: '10000001', roles: [] };
const LEE = { huid: '10000004', roles: [] };
const SAM = { huid: '10000002', roles: [] };
const IT = { huid: '10000099', roles: ['hms-it'] };
const request = { guestHuid: '20000001', population: 'agency-temp' as const, endDate: '2027-06-30' };

describe('guestExecutions', () => {
  it("HMS IT: every generation the guest recorded, newest first, with status and events", async () => {
    // Prepare: a lifecycle, stopped and started again (a restore hands over to generation 2)
    const w = memoryWorld();
    const g = await uc.requestGuest(w.deps, ADA, request);
    await w.workflow.stop(`${g.guestId}-1`, 'restored by an extension');
    await w.workflow.start(`${g.guestId}-2`, { guestId: g.guestId });
    const stored = (await w.guests.get(g.guestId))!;
    await w.guests.save({ ...stored, execution: { name: `${g.guestId}-2`, generation: 2 }, version: stored.version + 1 });

    // Act
    const executions = await guestExecutions(w.deps, IT, g.guestId);

    // Assess
    expect(executions.map((e) => [e.name, e.generation, e.status])).toEqual([
      [`${g.guestId}-2`, 2, 'RUNNING'],
      [`${g.guestId}-1`, 1, 'ABORTED'],
    ]);
    expect(executions[1]).toMatchObject({ startDate: '2027-01-04T14:00:00.000Z', cause: 'restored by an extension', currentState: null, eventsTruncated: false });
    expect(executions[1]!.events.map((e) => e.type)).toEqual(['ExecutionAborted', 'ExecutionStarted']);
  });

  it('an execution Step Functions no longer knows is left out', async () => {
    const w = memoryWorld();
    const g = await uc.requestGuest(w.deps, ADA, request);
    w.workflow.executions.clear();
    expect(await guestExecutions(w.deps, IT, g.guestId)).toEqual([]);
  });

  it.each([
    ['the sponsor', ADA, NotAllowedError],
    ['a delegate of the sponsor', LEE, NotAllowedError],
    ['another sponsor', SAM, NotFoundError],
  ])('%s may not see them', async (_who, caller, error) => {
    const w = memoryWorld();
    const g = await uc.requestGuest(w.deps, ADA, request);
    await expect(guestExecutions(w.deps, caller, g.guestId)).rejects.toBeInstanceOf(error);
  });
});

describe('sponsorStandings', () => {
  it('HMS IT: each HUID once, by HUID, with the reason of those who may not sponsor', async () => {
    const w = memoryWorld();
    expect(await sponsorStandings(w.deps, IT, ['10000008', '10000001', '10000008', '19999999'])).toEqual([
      { huid: '10000001', name: 'Ada Faculty', eligible: true, reason: null, detail: null },
      { huid: '10000008', name: 'Fay Former', eligible: false, reason: 'inactive', detail: 'Sponsor 10000008 is not active in the Harvard people directory.' },
      { huid: '19999999', name: null, eligible: false, reason: 'not-in-directory', detail: 'Sponsor 19999999 is not in the Harvard people directory.' },
    ]);
  });

  it('anyone else: refused', async () => {
    const w = memoryWorld();
    await expect(sponsorStandings(w.deps, ADA, ['10000001'])).rejects.toBeInstanceOf(NotAllowedError);
  });
});
