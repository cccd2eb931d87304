/** Alarms on everything that fails silently otherwise, all to one SNS topic. */
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
import { ALERTS } from '../shared/adapters/log-alerts.ts';

/** Namespace of the metrics counted from the functions' alert log lines. */
export const ALERT_NAMESPACE = 'HmsGuestAccounts/Alerts';

export interface MonitoringProps {
  readonly stateMachine: sfn.IStateMachine;
  /** Every Lambda function, by a short name used in the alarm names. */
  readonly functions: Record<string, lambda.IFunction>;
  readonly httpApi: apigwv2.IHttpApi;
  readonly deadLetterQueue: sqs.IQueue;
  /** Log groups of the functions that raise alerts for HMS IT (shared/adapters/log-alerts.ts). */
  readonly alertLogGroups: Record<string, logs.ILogGroup>;
  /** Optional email subscribed to the alarm topic. */
  readonly alarmEmail?: string | undefined;
}

const PERIOD = Duration.minutes(5);

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

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
    for (const [alert, description] of Object.entries(ALERTS)) {
      const metricName = alert.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());
      for (const [name, logGroup] of Object.entries(props.alertLogGroups)) {
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
