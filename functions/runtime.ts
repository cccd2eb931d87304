/**
 * What every handler shares: configuration, adapters (built once per container), the logger, the
 * metrics (EMF, flushed by each handler's `logMetrics`). Tracing is Lambda's own (active tracing: a
 * segment per invocation, joined to API Gateway's and Step Functions' traces); the X-Ray SDK, which
 * would add each AWS SDK call as a subsegment, is left out: importing it cost about 50 ms of every
 * cold start (issue 21, `npm run bench -- --only bundles`).
 * Locally and in tests the same code runs, quiet by configuration: POWERTOOLS_METRICS_DISABLED=true
 * (nothing written).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { loadConfig, type Config } from '../shared/config.ts';
import type { Deps } from '../shared/app/deps.ts';
import { createDeps } from './wiring.ts';
import { redactForLog } from '../shared/adapters/log-redaction.ts';
import { EmfMetrics, METRICS_NAMESPACE } from '../shared/adapters/emf-metrics.ts';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'hms-guest-accounts';

export const logger = new Logger({
  serviceName,
  jsonReplacerFn: (key, value) => redactForLog(key, value),
});

/**
 * Metrics of the use cases (shared/core/ports.ts METRIC_NAMES), with the dimension `service`. An
 * invocation that counted nothing (most API reads) is normal: Powertools' warning about it is a
 * debug line here, not a warning in every such invocation's log.
 */
export const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName,
  logger: {
    debug: (...args: unknown[]) => logger.debug(String(args[0])),
    info: (...args: unknown[]) => logger.info(String(args[0])),
    warn: (...args: unknown[]) => (String(args[0]).startsWith('No application metrics') ? logger.debug(String(args[0])) : logger.warn(String(args[0]))),
    error: (...args: unknown[]) => logger.error(String(args[0])),
  },
});


let runtime: { config: Config; deps: Deps } | undefined;

/** Built on first use, so importing a handler has no side effects. */
export function runtimeDeps(): { config: Config; deps: Deps } {
  if (!runtime) {
    const config = loadConfig();
    const report = (message: string, fields: Record<string, unknown>) => logger.error(message, fields);
    runtime = {
      config,
      deps: createDeps(config, report, { metrics: new EmfMetrics(metrics, report), capture: (client) => client }),
    };
  }
  return runtime;
}

/** Replaces the adapters and configuration, or with undefined makes the next invocation build them again (the local system does so after setting the environment). */
export function setRuntimeDeps(value: { config: Config; deps: Deps } | undefined): void {
  runtime = value;
}
