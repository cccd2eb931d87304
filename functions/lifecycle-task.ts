/** Step Functions task handler: runs one lifecycle task (see workflows/guest.ts). */
import middy from '@middy/core';
import { runTask } from '../shared/guest/app/tasks.ts';
import type { TaskPayload, TaskResult } from '../shared/guest/app/contract.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { logger, metrics, runtimeDeps } from './runtime.ts';

export const handler = middy<TaskPayload, TaskResult>()
  // The metrics counted during the invocation written as one EMF line at its end, whatever the outcome.
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  // The invocation's context in every log line; keys from an earlier invocation never leak into this one.
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .before(async (request) => {
    logger.appendKeys({ task: request.event.task, guestId: request.event.guestId });
  })
  .onError(async (request) => {
    // Let it fail: Step Functions retries with backoff, then the Catch records it on the guest.
    logger.error('task failed', { error: request.error as Error });
  })
  .handler(async (event) => {
    const result = await runTask(runtimeDeps().deps, event);
    logger.info('task done', { result: { ...result, taskToken: undefined } });
    return result;
  });
