/**
 * The use cases count what the operators' dashboard shows (the Metrics port, in memory here; EMF
 * through Powertools in AWS): each at the place it happens, once per thing that happened.
 */
import { describe, expect, it } from 'vitest';
import * as uc from '../../shared/guest/app/guests.ts';
import { expireIfDue, notice, provision, recordFailure } from '../../shared/guest/app/tasks.ts';
import { reconcile } from '../../shared/app/reconcile.ts';
import { METRIC_NAMES } from '../../shared/core/ports.ts';
import { memoryWorld } from '../support/memory.ts';

const ADA = { huid: '10000001', roles: [] };
const IT = { huid: '10000099', roles: ['hms-it'] };
const request = { guestHuid: '20000001', population: 'agency-temp' as const, endDate: '2027-06-30' };

/** Every count the world's metrics hold, by name (zeros left out). */
const counts = (w: ReturnType<typeof memoryWorld>) => Object.fromEntries([...w.metrics.counts].filter(([, n]) => n !== 0));

describe('metrics counted by the use cases', () => {
  it('a request, its provisioning, a notice and the expiry are each counted once, however often their task runs', async () => {
    // Prepare
    const w = memoryWorld();

    // Act: the lifecycle of one guest, each task run twice (as Step Functions' retries would)
    const g = await uc.requestGuest(w.deps, ADA, request);
    await provision(w.deps, g.guestId);
    await provision(w.deps, g.guestId);
    w.clock.set('2027-06-23T14:00:00.000Z'); // 10:00 New York on T-7: the first notice is due
    await notice(w.deps, g.guestId, '2027-06-23');
    await notice(w.deps, g.guestId, '2027-06-23');
    w.clock.set('2027-07-01T05:00:00.000Z'); // after the end of 2027-06-30 in New York
    await expireIfDue(w.deps, g.guestId);
    await expireIfDue(w.deps, g.guestId);

    // Assess
    expect(counts(w)).toEqual({
      [METRIC_NAMES.requested]: 1,
      [METRIC_NAMES.provisioned]: 1,
      [METRIC_NAMES.noticeSent]: 1,
      [METRIC_NAMES.expired]: 1,
    });
  });

  it('a request refused counts nothing', async () => {
    const w = memoryWorld();
    await expect(uc.requestGuest(w.deps, ADA, { ...request, endDate: '2029-01-01' })).rejects.toThrow();
    expect(counts(w)).toEqual({});
  });

  it('HMS IT expiring an account counts as an expiry', async () => {
    // Prepare
    const w = memoryWorld();
    const g = await uc.requestGuest(w.deps, ADA, request);
    await provision(w.deps, g.guestId);

    // Act
    await uc.forceExpire(w.deps, IT, g.guestId, 'left HMS');

    // Assess
    expect(w.metrics.of(METRIC_NAMES.expired)).toBe(1);
  });

  it('each recorded lifecycle failure is counted, and the reconciler counts the lifecycles it restarts (zero on a quiet day)', async () => {
    // Prepare: a guest whose execution failed, recorded on the guest (due again in an hour)
    const w = memoryWorld();
    const g = await uc.requestGuest(w.deps, ADA, request);
    await recordFailure(w.deps, g.guestId, { Error: 'States.TaskFailed', Cause: 'SES throttled' });
    w.workflow.executions.get(`${g.guestId}-1`)!.status = 'FAILED';

    // Act: the reconciler before it is due (nothing), then after
    await reconcile(w.deps);
    const quiet = w.metrics.counts.get(METRIC_NAMES.repaired); // counted, as 0
    w.clock.advance(2 * 3_600_000);
    const report = await reconcile(w.deps);

    // Assess
    expect(w.metrics.of(METRIC_NAMES.lifecycleFailure)).toBe(1);
    expect(quiet).toBe(0);
    expect(report.restarted).toEqual([g.guestId]);
    expect(w.metrics.of(METRIC_NAMES.repaired)).toBe(1);
  });
});
