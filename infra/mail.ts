/** SES: the sender identity and a configuration set that suppresses bad addresses and reports bounces. */
import { Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { GuestFunction } from './functions.ts';
import { TABLE_DEFAULTS } from './storage.ts';

/** The dimension of the configuration set's metrics: SES's own message tag naming the configuration set. */
export const CONFIGURATION_SET_DIMENSION = 'ses:configuration-set';

export interface MailProps {
  /** From address of every email. */
  readonly senderEmail: string;
  /** SES's maximum send rate, recipients per second, shared by every sending function. @default 14 */
  readonly sendRate?: number;
}

export class Mail extends Construct {
  readonly configurationSet: ses.ConfigurationSet;
  readonly identity: ses.EmailIdentity;
  /** Bounce and complaint notifications from SES. */
  readonly feedbackTopic: sns.Topic;
  readonly senderEmail: string;
  /** One counter item per second (shared/adapters/send-rate.ts), expiring a day later: every sender's slots. */
  readonly sendRateTable: dynamodb.Table;
  readonly sendRate: number;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    this.senderEmail = props.senderEmail;
    this.sendRate = props.sendRate ?? 14;
    // Counters only, each gone a day later (TTL); the same settings as every table all the same.
    this.sendRateTable = new dynamodb.Table(this, 'SendRateTable', {
      ...TABLE_DEFAULTS,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
    });

    this.feedbackTopic = new sns.Topic(this, 'FeedbackTopic', {
      displayName: 'HMS guest accounts: SES bounces and complaints',
      enforceSSL: true,
    });

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      reputationMetrics: true,
      sendingEnabled: true,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });
    // The event destination also adds the topic policy letting this configuration set publish.
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: ses.EventDestination.snsTopic(this.feedbackTopic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });
    // Every sending event as a CloudWatch metric of this configuration set (AWS/SES, dimension
    // `ses:configuration-set`, the tag SES puts on every message it sends through it): the dashboard's emails.
    this.configurationSet.addEventDestination('Metrics', {
      destination: ses.EventDestination.cloudWatchDimensions([
        { name: CONFIGURATION_SET_DIMENSION, source: ses.CloudWatchDimensionSource.MESSAGE_TAG, defaultValue: 'none' },
      ]),
      events: [ses.EmailSendingEvent.SEND, ses.EmailSendingEvent.DELIVERY, ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT, ses.EmailSendingEvent.REJECT],
    });

    this.identity = new ses.EmailIdentity(this, 'SenderIdentity', {
      identity: ses.Identity.email(props.senderEmail),
      configurationSet: this.configurationSet,
    });
  }

  /** A sending event of this configuration set, counted (`Send`, `Delivery`, `Bounce`, `Complaint`, `Reject`). */
  metric(metricName: 'Send' | 'Delivery' | 'Bounce' | 'Complaint' | 'Reject', period: Duration = Duration.hours(1)): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/SES',
      metricName,
      dimensionsMap: { [CONFIGURATION_SET_DIMENSION]: this.configurationSetName },
      statistic: 'Sum',
      period,
    });
  }

  get configurationSetName(): string {
    return this.configurationSet.configurationSetName;
  }

  get configurationSetArn(): string {
    return Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });
  }

  /** `grantSend`, the send-rate limiter's table, and the sender and configuration set the function sends with (SENDER_EMAIL, SES_CONFIGURATION_SET, SEND_RATE_TABLE, SEND_RATE_PER_SECOND). */
  bindSend(fn: GuestFunction): iam.Grant {
    fn.configure({ senderEmail: this.senderEmail, sesConfigurationSet: this.configurationSetName, sendRateTable: this.sendRateTable.tableName, sendRatePerSecond: String(this.sendRate) });
    // The one call the limiter makes: a conditional ADD on a second's counter.
    this.sendRateTable.grant(fn.role, 'dynamodb:UpdateItem');
    return this.grantSend(fn.role);
  }

  /**
   * Lets the grantee send email from the sender identity through the configuration set, nothing
   * else: `ses:SendEmail`, the one call SesMailer makes (SES v1 SendEmail; no raw messages).
   */
  grantSend(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['ses:SendEmail'],
      resourceArns: [this.identity.emailIdentityArn, this.configurationSetArn],
    });
  }
}
