/** Daily EventBridge Scheduler target: repairs lifecycles that fell through. */
import middy from '@middy/core';
import { reconcile, type ReconcileReport } from '../shared/app/reconcile.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { logger, metrics, runtimeDeps } from './runtime.ts';

export const handler = middy<unknown, ReconcileReport>()
  // The metrics counted during the invocation written as one EMF line at its end, whatever the outcome.
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  // The invocation's context in every log line; keys from an earlier invocation never leak into this one.
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    // Guests and O2 accounts: the function is bound to both tables and state machines (infra/schedules.ts).
    const report = await reconcile(runtimeDeps().deps);
    logger.info('reconciled', {
      examined: report.examined,
      restarted: report.restarted.length,
      errors: report.errors.length,
      o2Examined: report.o2Examined,
      o2Restarted: report.o2Restarted.length,
      usersChanged: report.usersChanged,
      accountsRepaired: report.accountsRepaired,
      // The account directory did not answer: compared again next run (the DirectoryFailures alarm says so).
      deferred: report.deferred.length,
    });
    if (report.errors.length) {
      // Fail the invocation so the Errors alarm fires and the schedule's retry policy runs again.
      throw new Error(`Reconciler could not repair ${report.errors.length} guests or O2 accounts: ${JSON.stringify(report.errors.slice(0, 5))}`);
    }
    return report;
  });
