/**
 * The local Step Functions service enforces the quotas of a Standard execution as AWS does: at
 * most one year (then TIMED_OUT, States.Timeout) and at most 25,000 history events (then FAILED,
 * States.Runtime, "The execution reached the maximum number of history events (25000)."). Small
 * state machines, on a frozen local clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalClock } from '../../local/clock.ts';
import { HISTORY_LIMIT_CAUSE, LocalStepFunctions, MAX_EXECUTION_MS, MAX_HISTORY_EVENTS, type Invoker } from '../../local/sfn/service.ts';
import type { AslDefinition } from '../../local/sfn/transform.ts';

const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:Quotas';
const FN = 'arn:aws:lambda:us-east-1:000000000000:function:Work';
const START = '2027-01-04T14:00:00.000Z';
const DAY = 86_400_000;

let service: LocalStepFunctions | undefined;
let clock: LocalClock | undefined;
afterEach(() => {
  service?.shutdown();
  clock?.dispose();
  service = undefined;
  clock = undefined;
});

function start(definition: AslDefinition, invoke: Invoker = async () => ({})) {
  clock = new LocalClock(new Date(START));
  service = new LocalStepFunctions({ stateMachineArn: ARN, definition, clock, invoke, retryIntervalMs: 0 });
  return { clock, service };
}

/** Waits (real time) until the execution has ended, the emulator running as fast as it can. */
async function ended(sfn: LocalStepFunctions, arn: string) {
  for (let i = 0; i < 6000 && sfn.describeExecution(arn).status === 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 10));
  return sfn.describeExecution(arn);
}

const waitSeconds = (seconds: number): AslDefinition => ({
  StartAt: 'Sleep',
  States: { Sleep: { Type: 'Wait', Seconds: seconds, Next: 'Done' }, Done: { Type: 'Succeed' } },
});

describe('local Step Functions quotas', () => {
  it('an execution still running one year after it started times out (TIMED_OUT, States.Timeout)', async () => {
    // Prepare: a Wait of 400 days
    const { clock, service } = start(waitSeconds(400 * 86_400));
    const { executionArn } = service.startExecution({ name: 'long-wait', input: '{}' });
    await clock.advanceBy(0);

    // Act: a day short of a year, then past it
    await clock.advanceBy(MAX_EXECUTION_MS - DAY);
    const before = service.describeExecution(executionArn).status;
    await clock.advanceBy(2 * DAY);

    // Assess
    expect(before).toBe('RUNNING');
    const exec = service.describeExecution(executionArn);
    expect(exec).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(Date.parse(exec.stopDate!) - Date.parse(exec.startDate)).toBe(MAX_EXECUTION_MS);
    expect(exec.history.at(-1)?.type).toBe('ExecutionTimedOut');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('an execution that ends within the year is not timed out, and leaves no timer behind', async () => {
    const { clock, service } = start(waitSeconds(364 * 86_400));
    const { executionArn } = service.startExecution({ name: 'short-enough', input: '{}' });
    await clock.advanceBy(0);
    await clock.advanceBy(MAX_EXECUTION_MS + DAY);
    expect(service.describeExecution(executionArn).status).toBe('SUCCEEDED');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('an execution whose history would pass 25,000 events fails (FAILED, States.Runtime); ExecutionFailed is the 25,000th', async () => {
    // Prepare: a loop that never ends, one Lambda task and one Choice per turn (5 + 2 events)
    const definition: AslDefinition = {
      StartAt: 'Work',
      States: {
        Work: { Type: 'Task', Resource: FN, ResultPath: null, Next: 'Again?' },
        'Again?': { Type: 'Choice', Choices: [{ Variable: '$.stop', IsPresent: true, Next: 'Done' }], Default: 'Work' },
        Done: { Type: 'Succeed' },
      },
    };
    let invocations = 0;
    const { service } = start(definition, async () => ({ n: ++invocations }));

    // Act
    const { executionArn } = service.startExecution({ name: 'forever', input: '{}' });
    const exec = await ended(service, executionArn);

    // Assess: 1 start + 7 per turn: about 3,570 turns, and not one invocation more once it failed
    expect(exec).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: HISTORY_LIMIT_CAUSE });
    expect(exec.historyEvents).toBe(MAX_HISTORY_EVENTS);
    expect(exec.history.at(-1)?.type).toBe('ExecutionFailed');
    expect(exec.history.length).toBeLessThan(MAX_HISTORY_EVENTS); // the kept history is bounded; the count is not
    expect(invocations).toBeGreaterThan(3_500);
    expect(invocations).toBeLessThan(3_600);
    const after = invocations;
    await new Promise((r) => setTimeout(r, 50));
    expect(invocations).toBe(after);
  });

  it('a short execution counts its events as AWS records them', async () => {
    // ExecutionStarted; Work: entered, scheduled, started, succeeded, exited; Done: entered, exited; ExecutionSucceeded
    const { service } = start({ StartAt: 'Work', States: { Work: { Type: 'Task', Resource: FN, Next: 'Done' }, Done: { Type: 'Succeed' } } });
    const { executionArn } = service.startExecution({ name: 'short', input: '{}' });
    const exec = await ended(service, executionArn);
    expect(exec.status).toBe('SUCCEEDED');
    expect(exec.historyEvents).toBe(9);
  });
});
