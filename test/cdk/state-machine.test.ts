import { describe, expect, it } from 'vitest';
import { localFunctionArn } from '../../local/template.ts';
import { STATE } from '../../workflows/guest.ts';
import { STATE_MACHINE_NAME, definition, synthesizedDefinition, template, type AslState } from './synth.ts';

const states = () => definition().States;
const state = (name: string): AslState => {
  const s = states()[name];
  if (!s) throw new Error(`No state ${name}; states: ${Object.keys(states()).join(', ')}`);
  return s;
};
const taskArn = () => localFunctionArn(synthesizedDefinition().taskFunctionLogicalId);
/** A Task state invoking the task function, directly or through the lambda:invoke integration. */
const isLambdaTask = (s: AslState) => s.Type === 'Task' && (s.Resource === taskArn() || /:states:::lambda:invoke/.test(s.Resource ?? ''));

describe('guest lifecycle state machine', () => {
  it('is a named STANDARD state machine, traced, logging ALL without execution data', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: STATE_MACHINE_NAME,
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
  });

  it('resolves to plain ASL with no tokens left', () => {
    const text = JSON.stringify(definition());
    expect(text).not.toMatch(/\$\{Token|Fn::|"Ref"/);
    expect(synthesizedDefinition().resources).toMatchObject({
      'AWS::Partition': 'aws',
      [synthesizedDefinition().taskFunctionLogicalId]: taskArn(),
    });
    // The task function is the lifecycle-task Lambda.
    const fn = template.toJSON().Resources[synthesizedDefinition().taskFunctionLogicalId];
    expect(fn).toMatchObject({ Type: 'AWS::Lambda::Function', Properties: { Description: 'Guest lifecycle: every Step Functions task' } });
  });

  it('has the lifecycle states', () => {
    for (const name of [STATE.CheckHsr, STATE.RequestApproval, STATE.RemindApproval, STATE.WaitUntilDue, STATE.SendExpiryNotice, STATE.Expire, STATE.ContinueAsNew, STATE.RecordFailure]) {
      expect(states(), name).toHaveProperty(name);
    }
    expect(definition().StartAt).toBe(STATE.Start);
  });

  it('asks for approval with a task token, a timeout from the input and a catch on States.Timeout', () => {
    for (const name of [STATE.RequestApproval, STATE.RemindApproval]) {
      const s = state(name);
      expect(s.Type).toBe('Task');
      expect(s.Resource).toContain('lambda:invoke.waitForTaskToken');
      expect(s.Parameters).toMatchObject({ FunctionName: taskArn(), Payload: { 'taskToken.$': '$$.Task.Token' } });
      expect(s.TimeoutSecondsPath).toMatch(/^\$\.hsr\.approval\./);
      expect(s.Catch?.some((c) => c.ErrorEquals.includes('States.Timeout'))).toBe(true);
    }
    expect(state(STATE.RequestApproval).Catch?.find((c) => c.ErrorEquals.includes('States.Timeout'))?.Next).toBe(STATE.RemindApproval);
    expect(state(STATE.RemindApproval).Catch?.find((c) => c.ErrorEquals.includes('States.Timeout'))?.Next).toBe(STATE.ExpireApproval);
  });

  it('sleeps until the next due date with a timestamp from the state', () => {
    expect(state(STATE.WaitUntilDue)).toMatchObject({ Type: 'Wait', TimestampPath: '$.plan.at' });
  });

  it('retries every Lambda task with exponential backoff; a busy send rate first, evenly, with full jitter, for up to 30 minutes', () => {
    const tasks = Object.entries(states()).filter(([, s]) => isLambdaTask(s));
    expect(tasks.map(([n]) => n)).toEqual(expect.arrayContaining([STATE.CheckHsr, STATE.RequestApproval, STATE.SendExpiryNotice, STATE.Expire, STATE.RecordFailure]));
    for (const [name, s] of tasks) {
      const busy = s.Retry!.findIndex((r) => r.ErrorEquals.includes('SendRateBusyError'));
      const general = s.Retry!.findIndex((r) => r.ErrorEquals.includes('Lambda.Unknown'));
      expect(s.Retry![busy], name).toEqual({ ErrorEquals: ['SendRateBusyError'], IntervalSeconds: 30, MaxAttempts: 60, BackoffRate: 1, JitterStrategy: 'FULL' });
      // Before the general retrier (the first that matches is the one Step Functions uses).
      expect(busy, name).toBeLessThan(general);
      for (const r of s.Retry!.filter((_, i) => i !== busy)) expect(r.BackoffRate, name).toBeGreaterThan(1);
    }
  });

  it('catches task failures into RecordFailure', () => {
    for (const name of [STATE.CheckHsr, STATE.SendExpiryNotice, STATE.Expire, STATE.ContinueAsNew]) {
      expect(state(name).Catch?.find((c) => c.ErrorEquals.includes('States.ALL'))?.Next, name).toBe(STATE.RecordFailure);
    }
  });

  it('continues as new by starting itself, referenced by name', () => {
    const s = state(STATE.ContinueAsNew);
    expect(s.Resource).toBe('arn:aws:states:::states:startExecution');
    expect(s.Parameters).toMatchObject({
      StateMachineArn: `arn:aws:states:us-east-1:000000000000:stateMachine:${STATE_MACHINE_NAME}`,
      'Name.$': '$.plan.nextExecutionName',
    });
  });
});
