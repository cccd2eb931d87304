/**
 * The local Step Functions service runs every state machine it is given, by ARN: each execution
 * belongs to its own state machine (its ARN, its definition, its checkpoint file), a task of one
 * may start another, an unknown ARN is StateMachineDoesNotExist, and checkpoints resume on the
 * right state machine, including those written before the registry (`executions/<name>.json`).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalClock } from '../../local/clock.ts';
import { LocalStepFunctions, SfnError, type StateMachineSpec } from '../../local/sfn/service.ts';
import type { AslDefinition } from '../../local/sfn/transform.ts';

const START = '2027-01-04T14:00:00.000Z';
const HOUR = 3_600_000;
const arn = (name: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`;
const FN = 'arn:aws:lambda:us-east-1:000000000000:function:Work';

/** Waits an hour, then succeeds. */
const sleeper: AslDefinition = { StartAt: 'Sleep', States: { Sleep: { Type: 'Wait', Seconds: 3600, Next: 'Done' }, Done: { Type: 'Succeed' } } };
/** One Lambda task, then succeeds. */
const worker: AslDefinition = { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: FN, End: true } } };

let opened: { service: LocalStepFunctions; clock: LocalClock; dir: string }[] = [];
afterEach(() => {
  for (const { service, clock, dir } of opened) {
    service.shutdown();
    clock.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  opened = [];
});

function open(stateMachines: StateMachineSpec[], dir = mkdtempSync(join(tmpdir(), 'hms-sfn-registry-')), invoke = async (functionArn: string, payload: unknown) => ({ functionArn, payload })) {
  const clock = new LocalClock(new Date(START));
  const service = new LocalStepFunctions({ stateMachines, clock, invoke, dataDir: dir, retryIntervalMs: 0 });
  opened.push({ service, clock, dir });
  return { service, clock, dir };
}

async function ended(sfn: LocalStepFunctions, executionArn: string) {
  for (let i = 0; i < 500 && sfn.describeExecution(executionArn).status === 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 10));
  return sfn.describeExecution(executionArn);
}

const errorOf = (fn: () => unknown): SfnError | undefined => {
  try {
    fn();
  } catch (err) {
    return err as SfnError;
  }
  return undefined;
};

describe('local Step Functions: a registry of state machines', () => {
  it('runs executions of the same name on two state machines, each with its own ARN, definition and checkpoint file', async () => {
    // Prepare
    const { service, clock, dir } = open([
      { arn: arn('Sleeper'), definition: sleeper },
      { arn: arn('Worker'), definition: worker },
    ]);

    // Act
    const a = service.startExecution({ stateMachineArn: arn('Sleeper'), name: 'same', input: '{}' });
    const b = service.startExecution({ stateMachineArn: arn('Worker'), name: 'same', input: '{"x":1}' });
    const worked = await ended(service, b.executionArn);
    await clock.advanceBy(0);

    // Assess
    expect(a.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:Sleeper:same');
    expect(b.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:Worker:same');
    expect(worked).toMatchObject({ status: 'SUCCEEDED', stateMachineArn: arn('Worker'), output: { functionArn: FN, payload: { x: 1 } } });
    expect(service.describeExecution(a.executionArn)).toMatchObject({ status: 'RUNNING', stateMachineArn: arn('Sleeper'), checkpoint: { state: 'Sleep' } });
    expect(service.listExecutions(undefined, arn('Worker')).map((e) => e.executionArn)).toEqual([b.executionArn]);
    expect(service.listExecutions().map((e) => e.executionArn).sort()).toEqual([a.executionArn, b.executionArn].sort());
    expect(service.stateMachines()).toEqual([
      { stateMachineArn: arn('Sleeper'), name: 'Sleeper' },
      { stateMachineArn: arn('Worker'), name: 'Worker' },
    ]);
    expect(readdirSync(join(dir, 'executions')).sort()).toEqual(['same@Sleeper.json', 'same@Worker.json']);
  });

  it('refuses an unknown state machine (StateMachineDoesNotExist), and a start without one when it runs several', () => {
    const { service } = open([
      { arn: arn('Sleeper'), definition: sleeper },
      { arn: arn('Worker'), definition: worker },
    ]);
    expect(errorOf(() => service.startExecution({ stateMachineArn: arn('Nowhere'), name: 'x' }))?.code).toBe('StateMachineDoesNotExist');
    expect(errorOf(() => service.listExecutions(undefined, arn('Nowhere')))?.code).toBe('StateMachineDoesNotExist');
    expect(errorOf(() => service.startExecution({ name: 'x' }))?.code).toBe('ValidationException');
    expect(service.listExecutions()).toEqual([]);
  });

  it('a task of one state machine starts an execution of another (states:startExecution)', async () => {
    // Prepare
    const parent: AslDefinition = {
      StartAt: 'Hand over',
      States: {
        'Hand over': {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution',
          Parameters: { StateMachineArn: arn('Worker'), Name: 'child', Input: { 'from.$': '$$.Execution.Name' } },
          End: true,
        },
      },
    };
    const { service } = open([
      { arn: arn('Parent'), definition: parent },
      { arn: arn('Worker'), definition: worker },
    ]);

    // Act
    const started = service.startExecution({ stateMachineArn: arn('Parent'), name: 'p', input: '{}' });
    const done = await ended(service, started.executionArn);
    const child = await ended(service, 'arn:aws:states:us-east-1:000000000000:execution:Worker:child');

    // Assess
    expect(done.status).toBe('SUCCEEDED');
    expect(child).toMatchObject({ status: 'SUCCEEDED', stateMachineArn: arn('Worker'), input: { from: 'p' } });
  });

  it('resumes a checkpoint written before the registry (executions/<name>.json) on its own state machine, and keeps writing it there', async () => {
    // Prepare: a running execution of Sleeper checkpointed in its Wait, due an hour after its start
    const dir = mkdtempSync(join(tmpdir(), 'hms-sfn-registry-'));
    const executionArn = 'arn:aws:states:us-east-1:000000000000:execution:Sleeper:old';
    const legacy = {
      executionArn,
      stateMachineArn: arn('Sleeper'),
      name: 'old',
      input: {},
      status: 'RUNNING',
      startDate: START,
      transitions: 1,
      invocations: 0,
      history: [{ id: 1, timestamp: START, type: 'ExecutionStarted' }],
      checkpoint: { state: 'Sleep', input: {}, deadline: Date.parse(START) + HOUR },
    };
    mkdirSync(join(dir, 'executions'));
    writeFileSync(join(dir, 'executions', 'old.json'), JSON.stringify(legacy));
    const { service, clock } = open(
      [
        { arn: arn('Worker'), definition: worker },
        { arn: arn('Sleeper'), definition: sleeper },
      ],
      dir,
    );

    // Act
    const resumed = service.restore();
    await clock.advanceBy(0);
    const before = service.describeExecution(executionArn).status;
    await clock.advanceBy(HOUR);
    const after = await ended(service, executionArn);

    // Assess
    expect(resumed).toBe(1);
    expect(before).toBe('RUNNING');
    expect(after).toMatchObject({ status: 'SUCCEEDED', stopDate: new Date(Date.parse(START) + HOUR).toISOString() });
    expect(readdirSync(join(dir, 'executions'))).toEqual(['old.json']);
    expect(JSON.parse(readFileSync(join(dir, 'executions', 'old.json'), 'utf8'))).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('a running checkpoint of a state machine it does not run is listed, reported, and not resumed', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'hms-sfn-registry-'));
    const first = open([{ arn: arn('Gone'), definition: sleeper }], dir);
    const { executionArn } = first.service.startExecution({ stateMachineArn: arn('Gone'), name: 'left', input: '{}' });
    await first.clock.advanceBy(0);
    first.service.shutdown();
    const { service, clock } = open([{ arn: arn('Worker'), definition: worker }], dir);

    // Act
    const orphans: string[] = [];
    const resumed = service.restore(undefined, (file, stateMachineArn) => orphans.push(`${file} ${stateMachineArn}`));
    await clock.advanceBy(2 * HOUR);

    // Assess
    expect(resumed).toBe(0);
    expect(orphans).toEqual([`${join(dir, 'executions', `left@Gone.json`)} ${arn('Gone')}`]);
    expect(service.describeExecution(executionArn)).toMatchObject({ status: 'RUNNING', checkpoint: { state: 'Sleep' } });
    expect(clock.pendingTimers()).toBe(0);
  });
});
