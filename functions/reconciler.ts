/** Daily EventBridge Scheduler target: repairs lifecycles that fell through. */
import middy from '@middy/core';
import { reconcile, type ReconcileReport } from '../shared/app/reconcile.ts';
import { beginInvocation, logger, runtimeDeps } from './runtime.ts';

export const handler = middy<unknown, ReconcileReport>()
  .before(async (request) => {
    beginInvocation(request.context);
  })
  .handler(async () => {
    const report = await reconcile(runtimeDeps().deps);
    logger.info('reconciled', { examined: report.examined, restarted: report.restarted.length, errors: report.errors.length });
    if (report.errors.length) {
      // Fail the invocation so the Errors alarm fires and the schedule's retry policy runs again.
      throw new Error(`Reconciler could not repair ${report.errors.length} guests: ${JSON.stringify(report.errors.slice(0, 5))}`);
    }
    return report;
  });
