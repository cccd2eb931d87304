/**
 * The O2 task contract (shared/o2/app/contract.ts) as the O2 definition (workflows/o2.ts)
 * uses it: every Lambda task sends the contract's version and one of its task names, every task
 * name is sent, every value a Choice tests is one the contract lists there, and each Choice has a
 * branch for every answer. The `@ts-expect-error` lines are mistakes the contract keeps compile
 * errors (tsc checks test/).
 */
import { JsonPath } from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import { definitionStates, lambdaTasksOf, tested } from '../support/asl.ts';
import {
  HMS_ACCOUNT_CHECK,
  LAB_CHECK,
  O2_APPROVAL_STAGE,
  O2_DECISION,
  O2_EXECUTION_PHASE,
  O2_FAILURE_OUTCOME,
  O2_PLAN_ACTION,
  O2_TASK_NAMES,
  O2_TASK_PAYLOAD_VERSION,
  o2ExecutionInput,
  RC_CORE_CHECK,
  SETUP_ROUTE,
  type O2TaskPayload,
  type O2TaskResult,
} from '../../shared/o2/app/contract.ts';
import { O2_WAIT_STEPS } from '../../shared/o2/domain/model.ts';
import { O2_CALLBACK_STEPS, O2_STATE, O2LifecycleDefinition, o2StateIs, o2StatePath, o2TaskPayload } from '../../workflows/o2.ts';

const TASK_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:o2task';

const states = definitionStates(O2LifecycleDefinition, TASK_ARN, 'o2-lifecycle');
const lambdaTasks = lambdaTasksOf(states, TASK_ARN);

/** A Choice's branches: value → next state (the plain ones, not those with a further condition), and its default. */
function branches(name: string): { byValue: Record<string, string>; otherwise: string | undefined } {
  const s = states[name]!;
  const plain = (s.Choices ?? []).filter((r) => r.Variable && r.StringEquals !== undefined);
  return { byValue: Object.fromEntries(plain.map((r) => [r.StringEquals!, r.Next!])), otherwise: s.Default };
}

describe('the O2 definition speaks the O2 task contract', () => {
  it('every Lambda task sends the contract version, a contract task name and the O2 account', () => {
    expect(lambdaTasks.length).toBeGreaterThanOrEqual(14);
    for (const [name, payload] of lambdaTasks) {
      expect(payload, name).toMatchObject({ v: O2_TASK_PAYLOAD_VERSION, 'o2AccountId.$': '$.o2AccountId' });
      expect(O2_TASK_NAMES, name).toContain(payload.task);
    }
  });

  it('every task of the contract is run by some state, and every wait step by a callback state', () => {
    const sent = new Set(lambdaTasks.map(([, payload]) => payload.task));
    expect(O2_TASK_NAMES.filter((t) => !sent.has(t))).toEqual([]);
    const steps = lambdaTasks.filter(([, p]) => p.task === 'awaitStep').map(([name, p]) => [name, p.step]);
    expect(Object.fromEntries(steps)).toEqual(O2_CALLBACK_STEPS);
    expect([...Object.values(O2_CALLBACK_STEPS)].sort()).toEqual([...O2_WAIT_STEPS].sort());
  });

  it('every value a Choice state tests is an answer the contract lists there', () => {
    const allowed: Record<string, readonly string[]> = {
      '$.phase': Object.values(O2_EXECUTION_PHASE),
      '$.hms.result': Object.values(HMS_ACCOUNT_CHECK),
      '$.hms.approval.stage': Object.values(O2_APPROVAL_STAGE),
      '$.decision.outcome': Object.values(O2_DECISION),
      '$.setup.route': Object.values(SETUP_ROUTE),
      '$.lab.result': Object.values(LAB_CHECK),
      '$.rcCore.result': Object.values(RC_CORE_CHECK),
      '$.plan.action': Object.values(O2_PLAN_ACTION),
      '$.failure.outcome': Object.values(O2_FAILURE_OUTCOME),
    };
    const pairs = Object.values(states)
      .filter((s) => s.Type === 'Choice')
      .flatMap((s) => tested(s.Choices ?? []));
    expect(pairs.length).toBeGreaterThanOrEqual(20);
    for (const [variable, value] of pairs) {
      expect(Object.keys(allowed), variable).toContain(variable);
      expect(allowed[variable], `${variable} = ${value}`).toContain(value);
    }
  });

  it('each Choice has a branch for every answer that does not close, as the outline says', () => {
    expect(branches(O2_STATE.HmsAccount)).toEqual({
      byValue: { pending: O2_STATE.WaitForHmsAccount, approval: O2_STATE.RequestPiApproval, approved: O2_STATE.Setup, setup: O2_STATE.Setup, active: O2_STATE.StartO2Schedule, continue: O2_STATE.ContinueFromHmsCheck },
      otherwise: O2_STATE.Closed,
    });
    expect(states[O2_STATE.HmsAccount]!.Choices!.find((r) => r.And)?.Next).toBe(O2_STATE.RemindPiApproval);
    expect(branches(O2_STATE.PiDecided)).toEqual({ byValue: { approved: O2_STATE.Setup, pending: O2_STATE.CheckHmsAccount }, otherwise: O2_STATE.Closed });
    expect(branches(O2_STATE.Route)).toEqual({ byValue: { lab: O2_STATE.LabRegistrationDue, 'rc-core': O2_STATE.RcCoreDue, active: O2_STATE.StartO2Schedule }, otherwise: O2_STATE.Closed });
    expect(branches(O2_STATE.LabRegistered)).toEqual({ byValue: { waiting: O2_STATE.WaitForLabRegistration, registered: O2_STATE.Setup }, otherwise: O2_STATE.Closed });
    expect(branches(O2_STATE.RcCoreDone)).toEqual({ byValue: { waiting: O2_STATE.WaitForRcCore, completed: O2_STATE.StartO2Schedule, continue: O2_STATE.ContinueFromRcCore }, otherwise: O2_STATE.Closed });
    expect(branches(O2_STATE.NextO2Step)).toEqual({
      byValue: { notice: O2_STATE.SendO2Notice, expire: O2_STATE.ExpireO2, wait: O2_STATE.WaitUntilO2Due, continue: O2_STATE.ContinueO2Schedule },
      otherwise: O2_STATE.Closed,
    });
    expect(branches(O2_STATE.O2Deferred)).toEqual({ byValue: { deferred: O2_STATE.WaitingForDirectory }, otherwise: O2_STATE.O2LifecycleFailed });
  });

  it('continues as new with the execution input of the contract: from the start, or at the schedule', () => {
    const { o2AccountId: _a, ...fromStart } = o2ExecutionInput('x');
    const { o2AccountId: _b, ...atSchedule } = o2ExecutionInput('x', O2_EXECUTION_PHASE.schedule);
    for (const name of [O2_STATE.ContinueFromHmsCheck, O2_STATE.ContinueFromRcCore]) {
      expect(states[name]!.Parameters!.Input).toMatchObject({ ...fromStart, 'o2AccountId.$': '$.o2AccountId' });
      expect(states[name]!.Parameters!.Input).not.toHaveProperty('phase');
    }
    expect(states[O2_STATE.ContinueO2Schedule]!.Parameters!.Input).toMatchObject({ ...atSchedule, 'o2AccountId.$': '$.o2AccountId' });
  });
});

describe('mistakes the O2 contract makes compile errors', () => {
  it('a payload with a field the task does not read, one missing, or an unknown task', () => {
    // @ts-expect-error awaitStep reads step, not wait
    expect(() => o2TaskPayload('awaitStep', { taskToken: JsonPath.taskToken, wait: 'approval' })).toBeDefined();
    // @ts-expect-error rcCoreDue needs the execution's start time
    expect(() => o2TaskPayload('rcCoreDue', {})).toBeDefined();
    // @ts-expect-error there is no task "activate"
    expect(() => o2TaskPayload('activate', {})).toBeDefined();
    expect(o2TaskPayload('setup', {})).toBeDefined();
  });

  it('a Choice on a value or a field the contract does not list', () => {
    // @ts-expect-error Setup never routes to "rc"
    expect(() => o2StateIs('setup', 'route', 'rc')).toBeDefined();
    // @ts-expect-error LabRegistrationDue answers `result`, not `status`
    expect(() => o2StateIs('lab', 'status', 'waiting')).toBeDefined();
    expect(o2StatePath('hms', 'approval.remindTimeoutSeconds')).toBe('$.hms.approval.remindTimeoutSeconds');
  });

  it('a task result or payload of the wrong shape', () => {
    // @ts-expect-error a waiting RcCoreDue says how long
    const waiting: O2TaskResult<'rcCoreDue'> = { result: 'waiting' };
    // @ts-expect-error the notice task is sent its notice date
    const notice: O2TaskPayload<'notice'> = { v: 1, task: 'notice', o2AccountId: 'o' };
    expect([waiting, notice]).toHaveLength(2);
  });
});
