/** Step Functions task handler of the O2 lifecycle: runs one task (see workflows/o2.ts). */
import middy from '@middy/core';
import { runO2Task } from '../shared/o2/app/tasks.ts';
import type { O2TaskPayload, O2TaskResult } from '../shared/o2/app/contract.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { logger, metrics, runtimeDeps } from './runtime.ts';

export const handler = middy<O2TaskPayload, O2TaskResult>()
  // The metrics counted during the invocation written as one EMF line at its end.
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  // The invocation's context in every log line; keys from an earlier invocation never leak into this one.
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .before(async (request) => {
    logger.appendKeys({ task: request.event.task, o2AccountId: request.event.o2AccountId });
  })
  .onError(async (request) => {
    // Let it fail: Step Functions retries with backoff, then the Catch records it on the O2 account.
    logger.error('task failed', { error: request.error as Error });
  })
  .handler(async (event) => {
    const result = await runO2Task(runtimeDeps().deps, event);
    logger.info('task done', { result });
    return result;
  });
