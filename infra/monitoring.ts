/**
 * Alarms on everything that fails silently otherwise, all to one SNS topic; and the operators'
 * dashboard: what the system did (the use cases' metrics), its lifecycles, its API, its emails, its edge.
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ALERTS, type AlertName } from '../shared/adapters/log-alerts.ts';
import { METRICS_NAMESPACE } from '../shared/adapters/emf-metrics.ts';
import { METRIC_NAMES, type MetricName } from '../shared/core/ports.ts';
import { CLOUDFRONT_REGION } from './edge-stack.ts';
import type { Mail } from './mail.ts';

/** Namespace of the metrics counted from the functions' alert log lines. */
export const ALERT_NAMESPACE = 'HmsGuestAccounts/Alerts';

export interface MonitoringProps {
  readonly stateMachine: sfn.IStateMachine;
  /** The O2 lifecycle's state machine (issue 14). */
  readonly o2StateMachine?: sfn.IStateMachine | undefined;
  /** Every Lambda function, by a short name used in the alarm names. */
  readonly functions: Record<string, lambda.IFunction>;
  readonly httpApi: apigwv2.IHttpApi;
  readonly deadLetterQueue: sqs.IQueue;
  /** Each alert for HMS IT (shared/adapters/log-alerts.ts): the log groups of the functions that raise it, by a short name. */
  readonly alertLogGroups: { readonly [A in AlertName]: Record<string, logs.ILogGroup> };
  /** Optional email subscribed to the alarm topic. */
  readonly alarmEmail?: string | undefined;
  /** The functions' Powertools service name: the dimension of the use cases' metrics. */
  readonly serviceName: string;
  /** The emails' configuration set (its sending metrics). */
  readonly mail: Mail;
  /** The site's distribution and its web ACL (metrics in us-east-1), when the stack has them. */
  readonly edge?: { readonly distributionId: string; readonly webAclName: string } | undefined;
}

const PERIOD = Duration.minutes(5);

/** What a dashboard graph sums a count over. */
const DASHBOARD_PERIOD = Duration.hours(1);

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);

    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'HMS guest accounts alarms',
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const sm = props.stateMachine;
    this.alarm('LifecycleExecutionsFailed', sm.metricFailed({ period: PERIOD, statistic: 'Sum' }), 'A guest lifecycle execution failed (the failure is recorded on the guest).');
    this.alarm('LifecycleExecutionsTimedOut', sm.metricTimedOut({ period: PERIOD, statistic: 'Sum' }), 'A guest lifecycle execution timed out.');
    // No alarm on ExecutionsAborted: cancelling a guest and force-expiring stop executions by design.
    if (props.o2StateMachine) {
      const o2 = props.o2StateMachine;
      this.alarm('O2LifecycleExecutionsFailed', o2.metricFailed({ period: PERIOD, statistic: 'Sum' }), 'An O2 lifecycle execution failed (the failure is recorded on the O2 account).');
      this.alarm('O2LifecycleExecutionsTimedOut', o2.metricTimedOut({ period: PERIOD, statistic: 'Sum' }), 'An O2 lifecycle execution timed out.');
      // No alarm on ExecutionsAborted either: cancelling and renewing an O2 account stop its execution by design.
    }

    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarm(`${name}Errors`, fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), `The ${name} Lambda function reported errors.`);
    }

    this.alarm(
      'HttpApi5xx',
      new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName: '5xx',
        dimensionsMap: { ApiId: props.httpApi.apiId },
        period: PERIOD,
        statistic: 'Sum',
      }),
      'The HTTP API returned server errors.',
    );

    // Alerts for HMS IT: a structured log line {"alert": "<name>"} counted by a metric filter.
    for (const [alert, description] of Object.entries(ALERTS) as [AlertName, string][]) {
      const metricName = alert.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());
      for (const [name, logGroup] of Object.entries(props.alertLogGroups[alert])) {
        new logs.MetricFilter(this, `${name}${metricName}Filter`, {
          logGroup,
          filterPattern: logs.FilterPattern.stringValue('$.alert', '=', alert),
          metricNamespace: ALERT_NAMESPACE,
          metricName,
          metricValue: '1',
        });
      }
      this.alarm(`Alert${metricName}`, new cloudwatch.Metric({ namespace: ALERT_NAMESPACE, metricName, period: PERIOD, statistic: 'Sum' }), description);
    }

    this.alarm(
      'ReconcilerDeadLetters',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
      'A reconciler run could not be delivered or failed after its retries (see the dead-letter queue).',
    );

    // The HMS account directory (SCIM 2.0): calls that failed after the adapter's own retries (an
    // outage loses nothing, but accounts wait until it answers), and accounts the reconciler set
    // right because the directory differed from the guest records (drift: someone changed it by hand).
    const useCase = (name: MetricName) => new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { service: props.serviceName }, period: PERIOD, statistic: 'Sum' });
    this.alarm('DirectoryFailures', useCase(METRIC_NAMES.directoryFailure), 'Calls to the HMS account directory (SCIM) failed: it is unavailable, throttling, refusing the bearer token, or refusing a change (see the functions\' "account directory call failed" log lines). Nothing is lost; what is owed is done when it answers.');
    this.alarm('AccountsRepaired', useCase(METRIC_NAMES.accountRepaired), 'The reconciler set HMS directory accounts right that differed from the guest records (the history of each guest says what: actor reconciler, account-repaired).');

    this.dashboard = this.buildDashboard(props);
  }

  /** One graph per question an operator asks; counts summed per hour. */
  private buildDashboard(props: MonitoringProps): cloudwatch.Dashboard {
    const shown = new Set<MetricName>();
    const count = (name: MetricName, label: string) =>
      shown.add(name) &&
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { service: props.serviceName }, statistic: 'Sum', period: DASHBOARD_PERIOD, label });
    const api = (metricName: string, statistic: string, label: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap: { ApiId: props.httpApi.apiId }, statistic, period: Duration.minutes(5), label });
    const sm = props.stateMachine;
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) => new cloudwatch.GraphWidget({ title, left, right, width: 8, height: 6 });

    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    dashboard.addWidgets(
      graph('Guests: requested, provisioned, expired', [
        count(METRIC_NAMES.requested, 'requested'),
        count(METRIC_NAMES.provisioned, 'provisioned'),
        count(METRIC_NAMES.expired, 'expired'),
      ]),
      graph('Expiry notices sent', [count(METRIC_NAMES.noticeSent, 'notices sent')]),
      graph('Lifecycle failures and reconciler repairs', [count(METRIC_NAMES.lifecycleFailure, 'failures recorded'), count(METRIC_NAMES.repaired, 'lifecycles restarted')]),
    );
    dashboard.addWidgets(
      graph('Lifecycle executions', [
        sm.metricStarted({ statistic: 'Sum', period: DASHBOARD_PERIOD, label: 'started' }),
        sm.metricSucceeded({ statistic: 'Sum', period: DASHBOARD_PERIOD, label: 'succeeded' }),
        sm.metricFailed({ statistic: 'Sum', period: DASHBOARD_PERIOD, label: 'failed' }),
        sm.metricTimedOut({ statistic: 'Sum', period: DASHBOARD_PERIOD, label: 'timed out' }),
        sm.metricAborted({ statistic: 'Sum', period: DASHBOARD_PERIOD, label: 'aborted (cancel, force-expire, reconciler)' }),
      ]),
      graph('API: requests and errors', [api('Count', 'Sum', 'requests'), api('4xx', 'Sum', '4xx'), api('5xx', 'Sum', '5xx')]),
      graph('API: latency (ms)', [api('Latency', 'p50', 'p50'), api('Latency', 'p99', 'p99'), api('IntegrationLatency', 'p99', 'function p99')]),
    );
    const o2 = props.o2StateMachine;
    if (o2) {
      dashboard.addWidgets(
        graph('O2 lifecycle executions', [
          o2.metricStarted({ statistic: 'Sum', period: DASHBOARD_PERIOD, label: 'started' }),
          o2.metricSucceeded({ statistic: 'Sum', period: DASHBOARD_PERIOD, label: 'succeeded' }),
          o2.metricFailed({ statistic: 'Sum', period: DASHBOARD_PERIOD, label: 'failed' }),
          o2.metricTimedOut({ statistic: 'Sum', period: DASHBOARD_PERIOD, label: 'timed out' }),
          o2.metricAborted({ statistic: 'Sum', period: DASHBOARD_PERIOD, label: 'aborted (cancel, renewal, reconciler)' }),
        ]),
      );
    }
    const edge = props.edge
      ? [
          graph(
            'Edge: requests, and blocked by WAF',
            [new cloudwatch.Metric({ namespace: 'AWS/CloudFront', metricName: 'Requests', dimensionsMap: { DistributionId: props.edge.distributionId, Region: 'Global' }, statistic: 'Sum', period: DASHBOARD_PERIOD, region: CLOUDFRONT_REGION, label: 'requests' })],
            [new cloudwatch.Metric({ namespace: 'AWS/WAFV2', metricName: 'BlockedRequests', dimensionsMap: { WebACL: props.edge.webAclName, Rule: 'ALL' }, statistic: 'Sum', period: DASHBOARD_PERIOD, region: CLOUDFRONT_REGION, label: 'blocked by WAF' })],
          ),
        ]
      : [];
    dashboard.addWidgets(
      graph('Emails: sent, delivered, bounced', [
        props.mail.metric('Send', DASHBOARD_PERIOD),
        props.mail.metric('Delivery', DASHBOARD_PERIOD),
        props.mail.metric('Bounce', DASHBOARD_PERIOD),
        props.mail.metric('Complaint', DASHBOARD_PERIOD),
      ]),
      graph(
        'Functions: errors and duration (ms, p99)',
        Object.entries(props.functions).map(([name, fn]) => fn.metricErrors({ statistic: 'Sum', period: DASHBOARD_PERIOD, label: `${name} errors` })),
        Object.entries(props.functions).map(([name, fn]) => fn.metricDuration({ statistic: 'p99', period: DASHBOARD_PERIOD, label: `${name} p99` })),
      ),
      ...edge,
    );
    // Every other count of the use cases (METRIC_NAMES), so that none is left off the dashboard.
    const others = Object.values(METRIC_NAMES).filter((name) => !shown.has(name));
    if (others.length) dashboard.addWidgets(graph(`More counts: ${others.join(', ')}`, others.map((name) => count(name, name))));
    return dashboard;
  }

  private alarm(id: string, metric: cloudwatch.IMetric, description: string): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      alarmDescription: description,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
