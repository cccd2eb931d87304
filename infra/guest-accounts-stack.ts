/** The whole system in one stack. The stack only composes: each concern is its own construct. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Api } from './api.ts';
import { Lifecycle } from './lifecycle.ts';
import { Mail } from './mail.ts';
import { Monitoring } from './monitoring.ts';
import { Schedules } from './schedules.ts';
import { DEFAULT_CONFIG, type StackConfig } from './stack-config.ts';
import { Storage } from './storage.ts';

export interface GuestAccountsStackProps extends StackProps {
  readonly config?: StackConfig;
}

export class GuestAccountsStack extends Stack {
  readonly storage: Storage;
  readonly mail: Mail;
  readonly lifecycle: Lifecycle;
  readonly api: Api;
  readonly schedules: Schedules;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: GuestAccountsStackProps = {}) {
    super(scope, id, props);
    const config = props.config ?? DEFAULT_CONFIG;

    this.storage = new Storage(this, 'Storage');
    this.mail = new Mail(this, 'Mail', { senderEmail: config.senderEmail });

    // Named, so that the ARN is known before the state machine exists (no dependency cycle with the
    // functions it invokes or that start it, nor with its own continue-as-new).
    const stateMachineName = `${this.stackName}-GuestLifecycle`;

    // Settings no resource gives; each resource's variable is set by the binding that grants it
    // (Storage.bindGuests, Mail.bindSend, Lifecycle.bindStart, ...). Names: shared/config.ts ENV.
    const links = { activationUrl: config.activationUrl, portalUrl: config.portalUrl };
    const directories = { peopleDirectoryUrl: config.peopleDirectoryUrl, hsrDirectoryUrl: config.hsrDirectoryUrl };
    const claims = { huidClaim: config.huidClaim, rolesClaim: config.rolesClaim, hmsItRole: config.hmsItRole };

    this.lifecycle = new Lifecycle(this, 'Lifecycle', {
      stateMachineName,
      storage: this.storage,
      mail: this.mail,
      settings: { ...links, ...directories },
    });
    this.api = new Api(this, 'Api', {
      storage: this.storage,
      mail: this.mail,
      lifecycle: this.lifecycle,
      issuer: config.issuer,
      audience: config.audience,
      settings: { ...links, ...directories, ...claims },
    });
    this.schedules = new Schedules(this, 'Schedules', {
      storage: this.storage,
      lifecycle: this.lifecycle,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      stateMachine: this.lifecycle.stateMachine,
      functions: {
        Api: this.api.function.fn,
        LifecycleTask: this.lifecycle.taskFunction.fn,
        Reconciler: this.schedules.reconciler.fn,
      },
      httpApi: this.api.httpApi,
      deadLetterQueue: this.schedules.deadLetterQueue,
      alertLogGroups: { Api: this.api.function.logGroup },
      alarmEmail: config.alarmEmail,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'HTTP API endpoint' });
    new CfnOutput(this, 'StateMachineArn', { value: this.lifecycle.stateMachine.stateMachineArn });
    new CfnOutput(this, 'GuestsTableName', { value: this.storage.guests.tableName });
    new CfnOutput(this, 'DirectoryTableName', { value: this.storage.directory.tableName });
    new CfnOutput(this, 'IdempotencyTableName', { value: this.storage.idempotency.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'SesFeedbackTopicArn', { value: this.mail.feedbackTopic.topicArn });
  }
}
