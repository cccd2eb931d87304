/** Step Functions task handler: runs one lifecycle task (see workflows/guest-lifecycle.ts). */
import middy from '@middy/core';
import { runTask } from '../shared/app/lifecycle.ts';
import type { TaskPayload, TaskResult } from '../shared/app/lifecycle-contract.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger, runtimeDeps } from './runtime.ts';

export const handler = middy<TaskPayload, TaskResult>()
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
