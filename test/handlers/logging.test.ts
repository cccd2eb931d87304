/**
 * The handlers' logs: every line carries its invocation's context (Powertools injectLambdaContext),
 * and no key of an earlier invocation leaks into the next one in the same container (resetKeys).
 * The logger's level is read when it is made (and set again at each warm invocation), so it is
 * set before the handlers load.
 */
import { vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
});

import { afterAll, describe, expect, it } from 'vitest';
import type { Context } from 'aws-lambda';
import { logger, setRuntimeDeps } from '../../functions/runtime.ts';
import { handler as task } from '../../functions/lifecycle-task.ts';
import { handler as reconciler } from '../../functions/reconciler.ts';
import { loadConfig } from '../../shared/config.ts';
import { memoryWorld } from '../support/memory.ts';

const ctx = (awsRequestId: string) => ({ functionName: 'test', awsRequestId, getRemainingTimeInMillis: () => 30_000 }) as unknown as Context;

afterAll(() => setRuntimeDeps(undefined));

describe('logging', () => {
  it("every line carries the invocation's context, and no key of an earlier invocation leaks into the next", async () => {
    // Prepare: the handlers on in-memory ports, their log lines captured
    const config = loadConfig({ GUESTS_TABLE: 'Guests', DIRECTORY_TABLE: 'Directory', STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111111111111:stateMachine:GuestLifecycle', O2_TABLE: 'O2', O2_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111111111111:stateMachine:O2Lifecycle' });
    setRuntimeDeps({ config, deps: memoryWorld().deps });
    const lines: Record<string, unknown>[] = [];
    const capture = (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>);
    const target = logger as unknown as { console: unknown };
    const original = target.console;
    target.console = { info: capture, warn: capture, error: capture, debug: capture, log: capture, trace: capture };
    try {
      // Act: a task for one guest (it does not exist: the task fails), then a reconciler run in the same container
      await task({ v: 1, task: 'checkHsr', guestId: 'g-1' } as never, ctx('req-task')).catch(() => undefined);
      await reconciler({}, ctx('req-reconcile'));
    } finally {
      target.console = original;
    }

    // Assess
    const fromTask = lines.filter((l) => l.function_request_id === 'req-task');
    const fromReconciler = lines.filter((l) => l.function_request_id === 'req-reconcile');
    expect(fromTask.map((l) => l.message)).toContain('task failed');
    expect(fromTask.every((l) => l.guestId === 'g-1' && l.task === 'checkHsr')).toBe(true);
    expect(fromReconciler.map((l) => l.message)).toContain('reconciled');
    expect(fromReconciler.some((l) => 'guestId' in l || 'task' in l)).toBe(false);
  });
});
