/**
 * The continue-as-new horizon: no Wait of an execution lasts past its start + CONTINUE_AFTER_MS
 * (Step Functions ends a Standard execution after one year), however far off the guest's next
 * step is; at the horizon the execution continues as new. Also the other waits of the definition
 * (WaitForHsr, the approval callbacks), which only run at an execution's start, are bounded.
 */
import { describe, expect, it } from 'vitest';
import type { AuditEvent, Guest } from '../../shared/guest/domain/model.ts';
import { approvalTimeouts, hsrWaitOutcome, nextScheduleStep } from '../../shared/guest/domain/rules.ts';
import { CONTINUE_AFTER_MS, planOnce } from '../../shared/guest/app/tasks.ts';
import type { Deps } from '../../shared/app/deps.ts';

const DAY = 86_400_000;

/** Just what planOnce() uses: one guest in memory, the audit events, and a clock the test moves. */
function fakeDeps(guest: Guest) {
  const state = { guest, now: new Date(0), audit: [] as AuditEvent[] };
  const deps = {
    clock: { now: () => state.now },
    guests: {
      get: async (id: string) => (id === state.guest.guestId ? structuredClone(state.guest) : undefined),
      save: async (next: Guest) => {
        if (next.version !== state.guest.version + 1) throw new Error('version conflict');
        state.guest = structuredClone(next);
      },
      appendAudit: async (events: AuditEvent[]) => void state.audit.push(...events),
    },
  } as unknown as Deps;
  return { deps, state };
}

function provisionedGuest(startDate: string, endDate: string): Guest {
  return {
    guestId: 'g-1',
    status: 'PENDING_ACTIVATION',
    guestHuid: '20000001',
    guestName: 'Gia Guest',
    guestEmail: 'gia@example.org',
    sponsorHuid: '10000001',
    submittedBy: '10000001',
    population: 'visiting-faculty',
    services: ['email'],
    startDate,
    endDate,
    entitlements: [],
    activationSentAt: '2027-01-04T14:00:05.000Z',
    execution: { name: 'g-1', generation: 0 },
    createdAt: '2027-01-04T14:00:00.000Z',
    updatedAt: '2027-01-04T14:00:00.000Z',
    version: 3,
  } as Guest;
}

type Planned = { action: string; at?: string; nextExecutionName?: string; iteration: number };

/**
 * Runs the schedule loop as the state machine does, taking every Wait to its end, until the
 * guest's first notice is due: each execution starts when the previous one continued as new.
 */
async function untilFirstNotice(guest: Guest, requestedAt: string) {
  const { deps, state } = fakeDeps(guest);
  state.now = new Date(requestedAt);
  const executions: { start: number; waits: { at: number; dueAt: string | undefined }[] }[] = [];
  let start = state.now.getTime();
  let iteration = 0;
  executions.push({ start, waits: [] });
  for (let steps = 0; steps < 100; steps++) {
    // The planning step alone: the plan task does a due notice itself (issue 21); here the horizon is what is tested.
    const out = (await planOnce(deps, guest.guestId, new Date(start).toISOString(), iteration)) as Planned;
    iteration = out.iteration;
    if (out.action === 'wait') {
      const at = Date.parse(out.at!);
      executions.at(-1)!.waits.push({ at, dueAt: state.guest.dueAt });
      state.now = new Date(at);
    } else if (out.action === 'continue') {
      expect(out.nextExecutionName).toBe(`${guest.guestId}-${executions.length}`);
      expect(state.guest.execution).toEqual({ name: out.nextExecutionName, generation: executions.length });
      start = state.now.getTime();
      iteration = 0;
      executions.push({ start, waits: [] });
    } else {
      return { out, executions, now: state.now, guest: state.guest };
    }
  }
  throw new Error('no notice after 100 plans');
}

describe('plan: the continue-as-new horizon', () => {
  it('a request on 2027-01-04 starting 2027-02-04: waits end at the horizon, then a new execution waits for the first notice', async () => {
    // Prepare: the first notice (T-7 of 2028-02-04, 09:00 New York) is 389 days after the request
    const guest = provisionedGuest('2027-02-04', '2028-02-04');
    const firstNotice = Date.parse('2028-01-28T14:00:00.000Z');
    expect(nextScheduleStep(guest, new Date('2027-01-04T14:00:00Z'))).toEqual({ action: 'wait', until: new Date(firstNotice) });

    // Act
    const run = await untilFirstNotice(guest, '2027-01-04T14:00:00.000Z');

    // Assess: two executions; the first waits exactly to its horizon (dueAt says so), the second to the notice
    expect(run.out).toMatchObject({ action: 'notice', noticeDate: '2028-01-28' });
    expect(run.executions).toHaveLength(2);
    const [first, second] = run.executions;
    expect(first!.waits).toEqual([{ at: first!.start + CONTINUE_AFTER_MS, dueAt: new Date(first!.start + CONTINUE_AFTER_MS).toISOString() }]);
    expect(second!.start).toBe(first!.start + CONTINUE_AFTER_MS);
    expect(second!.waits).toEqual([{ at: firstNotice, dueAt: new Date(firstNotice).toISOString() }]);
    expect(run.now.getTime()).toBe(firstNotice);
  });

  it('a start six years ahead: every wait of every execution ends by its horizon, and the notice still comes on its day', async () => {
    const guest = provisionedGuest('2032-01-05', '2033-01-05');
    const run = await untilFirstNotice(guest, '2027-01-04T14:00:00.000Z');

    expect(run.out).toMatchObject({ action: 'notice', noticeDate: '2032-12-29' });
    expect(run.now.toISOString()).toBe('2032-12-29T14:00:00.000Z');
    expect(run.executions.length).toBeGreaterThanOrEqual(8); // about six years in 300-day executions
    for (const e of run.executions) {
      expect(e.waits.length).toBeGreaterThan(0);
      for (const w of e.waits) {
        expect(w.at - e.start).toBeLessThanOrEqual(CONTINUE_AFTER_MS);
        expect(w.dueAt).toBe(new Date(w.at).toISOString());
      }
    }
  });

  it('a wait within the horizon is the step itself (unchanged)', async () => {
    const guest = provisionedGuest('2027-01-04', '2027-03-01');
    const { deps, state } = fakeDeps(guest);
    state.now = new Date('2027-01-04T14:00:00.000Z');
    const out = (await planOnce(deps, guest.guestId, state.now.toISOString(), 0)) as Planned;
    expect(out).toEqual({ action: 'wait', at: '2027-02-22T14:00:00Z', iteration: 1 });
    expect(state.guest.dueAt).toBe('2027-02-22T14:00:00.000Z');
  });

  it('at its horizon an execution continues as new instead of waiting again, even a wait of a few seconds', async () => {
    const guest = provisionedGuest('2027-01-04', '2027-12-31');
    const { deps, state } = fakeDeps(guest);
    const start = Date.parse('2027-01-04T14:00:00.000Z');
    state.now = new Date(start + CONTINUE_AFTER_MS);
    const out = (await planOnce(deps, guest.guestId, new Date(start).toISOString(), 40)) as Planned;
    expect(out).toMatchObject({ action: 'continue', nextExecutionName: 'g-1-1' });
  });

  it('the waits before the schedule (WaitForHsr, RequestApproval, RemindApproval) are days, far within the horizon', () => {
    const since = new Date('2027-01-04T14:00:00.000Z');
    for (let d = 0; d <= 15; d += 0.5) {
      const now = new Date(since.getTime() + d * DAY);
      const hsr = hsrWaitOutcome(since, now);
      if (!hsr.timedOut) {
        expect(hsr.nextCheckAt.getTime() - now.getTime()).toBeLessThanOrEqual(DAY);
        expect(hsr.nextCheckAt.getTime() - since.getTime()).toBeLessThanOrEqual(14 * DAY);
      }
      const approval = approvalTimeouts(since, now);
      expect((approval.requestTimeoutSeconds + approval.remindTimeoutSeconds) * 1000).toBeLessThanOrEqual(14 * DAY + 2000);
    }
    expect(28 * DAY).toBeLessThan(CONTINUE_AFTER_MS);
  });
});
