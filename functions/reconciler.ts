/** Daily EventBridge Scheduler target: repairs lifecycles that fell through. */
import middy from '@middy/core';
import { reconcile, type ReconcileReport } from '../shared/app/reconcile.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger, runtimeDeps } from './runtime.ts';

export const handler = middy<unknown, ReconcileReport>()
  // The invocation's context in every log line; keys from an earlier invocation never leak into this one.
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const report = await reconcile(runtimeDeps().deps);
    logger.info('reconciled', { examined: report.examined, restarted: report.restarted.length, errors: report.errors.length });
    if (report.errors.length) {
      // Fail the invocation so the Errors alarm fires and the schedule's retry policy runs again.
      throw new Error(`Reconciler could not repair ${report.errors.length} guests: ${JSON.stringify(report.errors.slice(0, 5))}`);
    }
    return report;
  });
