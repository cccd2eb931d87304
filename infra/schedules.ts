/** The daily reconciler: an EventBridge Scheduler schedule invoking a Lambda, with retries and a DLQ. */
import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { GuestFunction } from './functions.ts';
import type { Lifecycle } from './lifecycle.ts';
import { acknowledge, acknowledgeWildcardResource } from './nag.ts';
import type { O2Lifecycle } from './o2-lifecycle.ts';
import { RECONCILER_RETRY, RECONCILER_SCHEDULE } from './schedule-spec.ts';
import type { Storage } from './storage.ts';

export interface SchedulesProps {
  readonly storage: Storage;
  readonly lifecycle: Lifecycle;
  readonly o2Lifecycle: O2Lifecycle;
}

export class Schedules extends Construct {
  readonly reconciler: GuestFunction;
  readonly schedule: scheduler.Schedule;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedulerRole: iam.Role;

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);

    this.reconciler = new GuestFunction(this, 'Reconciler', {
      entry: 'functions/reconciler.ts',
      description: 'Guest accounts reconciler: restarts lifecycles that fell through, repairs directory accounts that drifted (daily)',
      // A batch over every guest due; far longer than an API request.
      timeout: Duration.minutes(5),
    });
    // Only what shared/app/reconcile.ts calls: the due guests (Query on byDue), the conditional
    // change recording a restart or a repair and its audit event (PutItem), the guest of a user the
    // account directory reports changed and the drift check's checkpoint (GetItem; PutItem), and the
    // executions. No email, no people directory: the directory table is only named, because the
    // handler loads the whole configuration (shared/config.ts), which requires it. The account
    // directory's token is bound by the stack (infra/account-directory.ts).
    const fn = this.reconciler;
    props.storage.bindGuests(fn, ['dynamodb:GetItem', 'dynamodb:PutItem']);
    props.storage.bindGuestsIndexQuery(fn, 'byDue');
    props.storage.bindDirectory(fn, []);
    props.lifecycle.bindStart(fn);
    props.lifecycle.bindExecutions(fn, ['states:DescribeExecution', 'states:StopExecution']);
    // O2 accounts due (Query on the O2 table's byDue), the change recording a restart (GetItem, PutItem), their executions.
    props.storage.bindO2(fn, ['dynamodb:GetItem', 'dynamodb:PutItem']);
    props.storage.bindO2IndexQuery(fn, 'byDue');
    props.o2Lifecycle.bindStart(fn);
    props.o2Lifecycle.bindExecutions(fn, ['states:DescribeExecution', 'states:StopExecution']);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is the dead-letter queue of the reconciler schedule (EventBridge Scheduler DeadLetterConfig), which cdk-nag cannot see; it has no DLQ of its own.',
    );

    // Scheduler invokes Lambda asynchronously: its retry policy covers failed invokes, Lambda's
    // async retries cover a failed run; both end in the same DLQ (and its alarm).
    this.reconciler.fn.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.seconds(RECONCILER_RETRY.maximumEventAgeSeconds),
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });

    // The role EventBridge Scheduler assumes: invoke the reconciler (and write to the DLQ), nothing else.
    const stack = Stack.of(this);
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: 'EventBridge Scheduler: invoke the guest accounts reconciler',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: 'default' }),
          },
        },
      }),
    });
    acknowledgeWildcardResource(
      this.schedulerRole,
      `${this.reconciler.fn.functionArn}:*`,
      'lambda.grantInvoke covers the function and its versions/aliases (:*); it is still only the reconciler.',
    );

    this.schedule = new scheduler.Schedule(this, 'Daily', {
      description: 'Daily run of the guest accounts reconciler',
      schedule: scheduler.ScheduleExpression.expression(RECONCILER_SCHEDULE.expression, TimeZone.of(RECONCILER_SCHEDULE.timezone)),
      target: new LambdaInvoke(this.reconciler.fn, {
        role: this.schedulerRole,
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: RECONCILER_RETRY.retryAttempts,
        maxEventAge: Duration.seconds(RECONCILER_RETRY.maximumEventAgeSeconds),
      }),
    });
  }
}
