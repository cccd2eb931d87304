/**
 * A start date far ahead: the synthesized state machine, run by the local Step Functions service
 * (which times an execution out after one year, as AWS does), never waits past an execution's
 * continue-as-new horizon, hands over to new executions, and the lifecycle still completes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTINUE_AFTER_MS } from '../../shared/guest/app/tasks.ts';
import { TestSystem, SPONSOR, GUEST } from '../support/local-system.ts';

// Monday 4 January 2027, 09:00 in Boston; the account starts a month later and runs a year.
const REQUESTED = '2027-01-04T14:00:00.000Z';
const START_DATE = '2027-02-04';
const END_DATE = '2028-02-04';
const WAIT_STATES = ['WaitUntilDue', 'WaitForHsr'];

let t: TestSystem;
beforeAll(async () => {
  t = await TestSystem.start({ clock: REQUESTED });
});
afterAll(async () => {
  await t.stop();
});

describe('a start date a year ahead', () => {
  it('no Wait lasts past its execution’s horizon; the executions hand over and the lifecycle completes', async () => {
    // Prepare / Act: the sponsor's own request, approved by that act and provisioned at once
    const res = await t.as(SPONSOR.huid, 'POST', '/v1/guests', { guestHuid: GUEST.huid, population: 'visiting-faculty', startDate: START_DATE, endDate: END_DATE });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const guestId = String(res.body.guestId);
    await t.advance('PT0S');
    expect((await t.guest(SPONSOR.huid, guestId)).status).toBe('PENDING_ACTIVATION');

    // Act: take every Wait of every execution of this guest to its end, noting how far from its
    // execution's start it ends
    const waits: { execution: string; state: string; fromStartMs: number }[] = [];
    // What each wake cost its execution: transitions and task invocations from one Wait to the next
    const costs: { execution: string; transitions: number; invocations: number; notices: number }[] = [];
    const ours = () => t.sys.sfn.listExecutions().filter((e) => e.name === guestId || e.name.startsWith(`${guestId}-`));
    for (let step = 0; step < 100; step++) {
      const running = ours().filter((e) => e.status === 'RUNNING');
      if (!running.length) break;
      expect(running).toHaveLength(1);
      const exec = running[0]!;
      const state = exec.checkpoint?.state;
      expect(WAIT_STATES, `${exec.name} is in ${state}`).toContain(state);
      // The instant the Wait waits for (its TimestampPath in the definition): $.plan.at or $.hsr.nextCheckAt
      const input = exec.checkpoint!.input as { plan?: { at?: string }; hsr?: { nextCheckAt?: string } };
      const deadline = Date.parse(String(state === 'WaitUntilDue' ? input.plan?.at : input.hsr?.nextCheckAt));
      expect(deadline).not.toBeNaN();
      waits.push({ execution: exec.name, state: exec.checkpoint!.state, fromStartMs: deadline - Date.parse(exec.startDate) });
      const before = { transitions: exec.transitions, invocations: exec.invocations, notices: (await t.mailTo(SPONSOR.email)).length };
      await t.advanceTo(new Date(deadline).toISOString());
      const after = ours().find((e) => e.name === exec.name)!;
      costs.push({ execution: exec.name, transitions: after.transitions - before.transitions, invocations: after.invocations - before.invocations, notices: (await t.mailTo(SPONSOR.email)).length - before.notices });
    }

    // Assess: every wait within its execution's horizon, the first one cut there (389 days to the first notice)
    expect(waits.length).toBeGreaterThan(9);
    for (const w of waits) expect(w.fromStartMs, `${w.execution} ${w.state}`).toBeLessThanOrEqual(CONTINUE_AFTER_MS);
    expect(waits[0]).toMatchObject({ state: 'WaitUntilDue', fromStartMs: CONTINUE_AFTER_MS });
    expect(new Set(waits.map((w) => w.execution)).size).toBeGreaterThanOrEqual(2);
    // ...each execution handed over to the next and none timed out or failed
    const executions = ours();
    expect(executions.length).toBeGreaterThanOrEqual(2);
    expect(executions.map((e) => e.status)).toEqual(executions.map(() => 'SUCCEEDED'));
    // ...a notice day costs its execution three transitions (WaitUntilDue, PlanSchedule, NextStep?) and
    // one task invocation: the plan sends the day's notice and plans the next day (issue 21)
    const noticeDays = costs.filter((c) => c.notices === 1);
    expect(noticeDays.length).toBeGreaterThanOrEqual(7);
    for (const c of noticeDays) expect({ transitions: c.transitions, invocations: c.invocations }).toEqual({ transitions: 3, invocations: 1 });
    // ...and the lifecycle did everything on its days: 8 notices from T-7, expiry, the restore window closed
    const guest = await t.guest(SPONSOR.huid, guestId);
    expect(guest).toMatchObject({ status: 'EXPIRED', lastNoticeDate: END_DATE });
    const subjects = (await t.mailTo(SPONSOR.email)).map((m) => m.subject);
    expect(subjects.filter((s) => s.includes(`expires on ${END_DATE}`))).toHaveLength(8);
    expect(subjects.filter((s) => s.includes('expired'))).toHaveLength(1);
    expect(Date.parse(await t.now())).toBeGreaterThan(Date.parse('2028-03-05T00:00:00Z'));
  });
});
