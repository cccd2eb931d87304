/**
 * The task contract (shared/guest/app/contract.ts) as the definition (workflows/) uses it: every
 * Lambda task sends the contract's version and one of its task names, every task name is sent, and
 * every value a Choice state tests is one the contract lists there. The `@ts-expect-error` lines are
 * checked by `tsc` (npm test type-checks test/): each is a mistake the contract must keep a compile
 * error; if one compiled, tsc would fail on the unused directive.
 */
import { JsonPath } from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import { definitionStates, lambdaTasksOf, tested } from '../support/asl.ts';
import {
  APPROVAL_OUTCOME,
  EXECUTION_PHASE,
  executionInput,
  HSR_CHECK,
  FAILURE_OUTCOME,
  PLAN_ACTION,
  TASK_NAMES,
  TASK_PAYLOAD_VERSION,
  type TaskPayload,
  type TaskResult,
} from '../../shared/guest/app/contract.ts';
import { GuestLifecycleDefinition, STATE, stateIs, statePath, taskPayload } from '../../workflows/guest.ts';

const TASK_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:task';

const states = definitionStates(GuestLifecycleDefinition, TASK_ARN, 'guest-lifecycle');
const lambdaTasks = lambdaTasksOf(states, TASK_ARN);


describe('the definition speaks the task contract', () => {
  it('every Lambda task sends the contract version, a contract task name and the guest', () => {
    expect(lambdaTasks.length).toBeGreaterThanOrEqual(8);
    for (const [name, payload] of lambdaTasks) {
      expect(payload, name).toMatchObject({ v: TASK_PAYLOAD_VERSION, 'guestId.$': '$.guestId' });
      expect(TASK_NAMES, name).toContain(payload.task);
    }
  });

  it('every task of the contract is run by some state', () => {
    const sent = new Set(lambdaTasks.map(([, payload]) => payload.task));
    expect(TASK_NAMES.filter((t) => !sent.has(t))).toEqual([]);
  });

  it('every value a Choice state tests is an answer the contract lists there', () => {
    const allowed: Record<string, readonly string[]> = {
      '$.phase': Object.values(EXECUTION_PHASE),
      '$.hsr.result': Object.values(HSR_CHECK),
      '$.hsr.approval.stage': ['request', 'remind'],
      '$.decision.outcome': Object.values(APPROVAL_OUTCOME),
      '$.plan.action': Object.values(PLAN_ACTION),
      '$.failure.outcome': Object.values(FAILURE_OUTCOME),
    };
    const choices = Object.values(states).filter((s) => s.Type === 'Choice');
    const pairs = choices.flatMap((s) => tested(s.Choices ?? []));
    expect(pairs.length).toBeGreaterThanOrEqual(10);
    for (const [variable, value] of pairs) {
      expect(Object.keys(allowed), variable).toContain(variable);
      expect(allowed[variable], `${variable} = ${value}`).toContain(value);
    }
  });

  it('NextStep? has a branch for every plan action but done, which closes', () => {
    const next = Object.fromEntries(tested(states[STATE.NextStep]!.Choices!).map(([, v], i) => [v, states[STATE.NextStep]!.Choices![i]!.Next]));
    expect(next).toEqual({ notice: STATE.SendExpiryNotice, expire: STATE.Expire, wait: STATE.WaitUntilDue, continue: STATE.ContinueAsNew });
  });

  it('continues as new with the execution input of the contract', () => {
    const { guestId: _guestId, ...rest } = executionInput('g', EXECUTION_PHASE.schedule);
    expect(states[STATE.ContinueAsNew]!.Parameters!.Input).toMatchObject({ ...rest, 'guestId.$': '$.guestId' });
  });
});

describe('mistakes the contract makes compile errors', () => {
  it('a payload with a field the task does not read, one missing, or an unknown task', () => {
    // @ts-expect-error notice reads noticeDate, not date
    expect(() => taskPayload('notice', { date: JsonPath.stringAt('$.plan.noticeDate') })).toBeDefined();
    // @ts-expect-error plan needs its iteration
    expect(() => taskPayload('plan', { executionStartTime: JsonPath.stringAt('$$.Execution.StartTime') })).toBeDefined();
    // @ts-expect-error expire reads no field
    expect(() => taskPayload('expire', { noticeDate: '2027-01-01' })).toBeDefined();
    // @ts-expect-error there is no task "disable"
    expect(() => taskPayload('disable', {})).toBeDefined();
    expect(taskPayload('notice', { noticeDate: JsonPath.stringAt('$.plan.noticeDate') })).toBeDefined();
  });

  it('a Choice on a value or a field the contract does not list', () => {
    // @ts-expect-error PlanSchedule never answers "sleep"
    expect(() => stateIs('plan', 'action', 'sleep')).toBeDefined();
    // @ts-expect-error CheckHsr's answer has no field "status"
    expect(() => stateIs('hsr', 'status', 'ok')).toBeDefined();
    // @ts-expect-error CheckHsr never answers "approve" (it is "approved")
    expect(() => stateIs('hsr', 'result', 'approve')).toBeDefined();
    // @ts-expect-error a plan that waits has `at`, not `until`
    expect(() => statePath('plan', 'until')).toBeDefined();
    expect(statePath('hsr', 'approval.remindTimeoutSeconds')).toBe('$.hsr.approval.remindTimeoutSeconds');
  });

  it('a task result or payload of the wrong shape', () => {
    // @ts-expect-error a plan that continues names the next execution
    const continued: TaskResult<'plan'> = { action: 'continue', iteration: 1 };
    // @ts-expect-error the notice task is sent its notice date
    const notice: TaskPayload<'notice'> = { v: 1, task: 'notice', guestId: 'g' };
    expect([continued, notice]).toHaveLength(2);
  });
});
