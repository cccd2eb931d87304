/**
 * A state machine added to the CDK app runs locally with no change to local/: the local system
 * takes every state machine, function (its handler file from the template's `hms:entry`) and
 * environment from the synthesized template. The test stack is the real GuestAccountsStack plus a
 * second state machine (Pass → Lambda task → Wait one hour → Succeed) whose task is a function of
 * its own, with a handler under test/cdk/fixtures; it is driven over the Step Functions API
 * (@aws-sdk/client-sfn against the local service) and the local clock.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, ListStateMachinesCommand, SFNClient, StartExecutionCommand, StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import { Duration, type App } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { afterAll, describe, expect, it } from 'vitest';
import { GuestAccountsStack } from '../../infra/guest-accounts-stack.ts';
import { GuestFunction } from '../../infra/functions.ts';
import { synthesizeForLocal } from '../../local/synth.ts';
import { startLocalSystem, type LocalSystem } from '../../local/system.ts';
import { STACK_NAME, STATE_MACHINE_NAME } from './build.ts';

const SECOND = `${STACK_NAME}-Second`;
/** The app's own: the guest lifecycle and the O2 lifecycle (issue 14). */
const O2_STATE_MACHINE_NAME = `${STACK_NAME}-O2Lifecycle`;
const ARN = (name: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`;

/** The real stack, and one more state machine with its own function. */
function withSecondStateMachine(app: App): GuestAccountsStack {
  const stack = new GuestAccountsStack(app, STACK_NAME, {});
  const echo = new GuestFunction(stack, 'Echo', { entry: 'test/cdk/fixtures/echo-handler.ts', description: 'Test: echoes its input', requiredConfig: [] });
  const definition = new sfn.Pass(stack, 'Greet', { parameters: { 'greeting.$': '$.greeting', from: 'pass' } })
    .next(new LambdaInvoke(stack, 'Echo it', { lambdaFunction: echo.fn, outputPath: '$.Payload' }))
    .next(new sfn.Wait(stack, 'An hour', { time: sfn.WaitTime.duration(Duration.hours(1)) }))
    .next(new sfn.Succeed(stack, 'Done'));
  new sfn.StateMachine(stack, 'Second', { stateMachineName: SECOND, definitionBody: sfn.DefinitionBody.fromChainable(definition) });
  return stack;
}

const dirs: string[] = [];
const systems: LocalSystem[] = [];
afterAll(async () => {
  for (const sys of systems) await sys.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The local system running the test stack; a frozen clock at `clock`, or the one the data directory keeps. */
async function start(dataDir: string, clock?: string): Promise<{ sys: LocalSystem; client: SFNClient }> {
  const sys = await startLocalSystem({ apiPort: 0, mailPort: 0, scimPort: 0, dataDir, clock, stack: withSecondStateMachine });
  systems.push(sys);
  const client = new SFNClient({ endpoint: process.env.AWS_ENDPOINT_URL_SFN, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return { sys, client };
}

async function stop(sys: LocalSystem) {
  await sys.stop();
  systems.splice(systems.indexOf(sys), 1);
}

describe('a second state machine in the CDK app', () => {
  it('is read from the template with its own function and handler file', async () => {
    // Act
    const deployment = await synthesizeForLocal({ stack: withSecondStateMachine });

    // Assess
    expect(deployment.stateMachines.map((m) => m.name).sort()).toEqual([SECOND, STATE_MACHINE_NAME, O2_STATE_MACHINE_NAME].sort());
    const second = deployment.stateMachines.find((m) => m.name === SECOND)!;
    expect(second.arn).toBe(ARN(SECOND));
    expect(second.functions).toHaveLength(1);
    expect(deployment.functions[second.functions[0]!]?.entry).toBe('test/cdk/fixtures/echo-handler.ts');
    // The guest lifecycle's task function is still its own.
    const lifecycle = deployment.stateMachines.find((m) => m.name === STATE_MACHINE_NAME)!;
    expect(deployment.functions[lifecycle.functions[0]!]?.entry).toBe('functions/lifecycle-task.ts');
  });

  it('runs in the local system over the Step Functions API, on the local clock, and resumes after a restart', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'hms-second-sm-'));
    dirs.push(dataDir);
    let { sys, client } = await start(dataDir, '2027-01-04T14:00:00Z');
    const listed = await client.send(new ListStateMachinesCommand({}));

    // Act: start an execution of the second state machine; it stops at the Wait
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: ARN(SECOND), name: 'hello-1', input: JSON.stringify({ greeting: 'hi' }) }));
    await sys.clock.advanceBy(0);
    const waiting = await client.send(new DescribeExecutionCommand({ executionArn }));

    // Assess: both state machines are served; the execution is the second's, waiting
    expect(listed.stateMachines?.map((m) => m.stateMachineArn).sort()).toEqual([ARN(SECOND), ARN(STATE_MACHINE_NAME), ARN(O2_STATE_MACHINE_NAME)].sort());
    expect(executionArn).toBe(`arn:aws:states:us-east-1:000000000000:execution:${SECOND}:hello-1`);
    expect(waiting.status).toBe('RUNNING');
    expect(sys.sfn.describeExecution(executionArn!).checkpoint?.state).toBe('An hour');
    expect(readdirSync(join(dataDir, 'executions'))).toContain(`hello-1@${SECOND}.json`);
    const view = await fetch(`${sys.apiUrl}/_local/executions`).then((r) => r.json() as Promise<{ executions: Record<string, unknown>[] }>);
    expect(view.executions).toEqual([expect.objectContaining({ name: 'hello-1', stateMachineArn: ARN(SECOND), stateMachineName: SECOND, status: 'RUNNING', currentState: 'An hour' })]);

    // Act: stop the system while the execution waits, start it again on the same data, move the clock past the Wait
    await stop(sys);
    ({ sys, client } = await start(dataDir));
    await sys.clock.advanceBy(60 * 60 * 1000);
    const done = await client.send(new DescribeExecutionCommand({ executionArn }));

    // Assess: resumed on its own state machine and finished with the task's answer
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ echoed: { greeting: 'hi', from: 'pass' } });
    expect(done.stateMachineArn).toBe(ARN(SECOND));
    await stop(sys);
  });

  it('StartExecution of a state machine the template does not hold: StateMachineDoesNotExist', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hms-second-sm-'));
    dirs.push(dataDir);
    const { sys, client } = await start(dataDir, '2027-01-04T14:00:00Z');
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: ARN('Nowhere'), name: 'x' }))).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    expect(sys.sfn.listExecutions()).toEqual([]);
    await stop(sys);
  });
});
