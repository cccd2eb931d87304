/**
 * The Metrics port over Powertools Metrics: each count is a CloudWatch metric written as an EMF log
 * line (Embedded Metric Format) when the handler's `logMetrics` middleware flushes, at the end of
 * every invocation. No API call, nothing to grant: CloudWatch Logs turns the line into the metric.
 */
import { MetricUnit, type Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { MetricName, Metrics } from '../core/ports.ts';

/** The namespace of the use cases' metrics (the dashboard, infra/monitoring.ts, reads the same). */
export const METRICS_NAMESPACE = 'HmsGuestAccounts';

export class EmfMetrics implements Metrics {
  constructor(
    private readonly metrics: PowertoolsMetrics,
    /** Where a metric that cannot be recorded is reported: counting never fails a use case. */
    private readonly onError: (message: string, fields: Record<string, unknown>) => void = () => undefined,
  ) {}

  count(name: MetricName, value = 1): void {
    try {
      this.metrics.addMetric(name, MetricUnit.Count, value);
    } catch (err) {
      this.onError('metric not recorded', { metric: name, error: err instanceof Error ? err.message : String(err) });
    }
  }
}
