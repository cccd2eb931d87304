/**
 * The whole system in one stack, and beside it the small us-east-1 stack CloudFront needs (the WAF
 * web ACL and the certificate: infra/edge-stack.ts), which this stack creates and reads through
 * weak cross-stack references. The stack only composes: each concern is its own construct.
 */
import { App, CfnOutput, CrossStackReferences, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AccountDirectory } from './account-directory.ts';
import { Api } from './api.ts';
import { EdgeStack, WEB_ACL_METRIC_NAME } from './edge-stack.ts';
import { SERVICE_NAME } from './functions.ts';
import { Lifecycle } from './lifecycle.ts';
import { Mail } from './mail.ts';
import { Monitoring } from './monitoring.ts';
import { O2Lifecycle } from './o2-lifecycle.ts';
import { Schedules } from './schedules.ts';
import { DEFAULT_CONFIG, DEFAULT_REGION, type StackConfig } from './stack-config.ts';
import { Storage } from './storage.ts';
import { Web } from './web.ts';

export interface GuestAccountsStackProps extends StackProps {
  readonly config?: StackConfig;
}

/** The id of the us-east-1 stack beside a GuestAccountsStack of this id. */
export const edgeStackId = (id: string): string => `${id}Edge`;

export class GuestAccountsStack extends Stack {
  readonly storage: Storage;
  readonly mail: Mail;
  readonly lifecycle: Lifecycle;
  readonly o2Lifecycle: O2Lifecycle;
  readonly api: Api;
  readonly schedules: Schedules;
  readonly monitoring: Monitoring;
  readonly accounts: AccountDirectory;
  readonly edge: EdgeStack;
  readonly web: Web;

  constructor(scope: Construct, id: string, props: GuestAccountsStackProps = {}) {
    // A region of its own always: stacks are referenced across regions only between explicit ones.
    super(scope, id, { ...props, env: { account: props.env?.account, region: props.env?.region ?? DEFAULT_REGION } });
    const config = props.config ?? DEFAULT_CONFIG;
    if (!App.isApp(scope)) throw new Error('GuestAccountsStack belongs directly to an App (its edge stack is created beside it)');
    // What this stack reads of another (the edge stack's web ACL and certificate): Fn::GetStackOutput,
    // across regions, with no custom resource and no export pinning the edge stack.
    CrossStackReferences.of(this).consume(ReferenceStrength.WEAK);
    this.edge = new EdgeStack(scope, edgeStackId(id), {
      description: 'HMS sponsored guest accounts: what CloudFront needs in us-east-1 (WAF web ACL, certificate)',
      env: { account: props.env?.account },
      domainName: config.domainName,
      certificateArn: config.certificateArn,
    });

    this.storage = new Storage(this, 'Storage');
    this.mail = new Mail(this, 'Mail', { senderEmail: config.senderEmail, sendRate: config.sesSendRate });

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
    // The O2 lifecycle (issue 14): one execution per O2 account, named for the same reason.
    this.o2Lifecycle = new O2Lifecycle(this, 'O2Lifecycle', {
      stateMachineName: `${this.stackName}-O2Lifecycle`,
      storage: this.storage,
      mail: this.mail,
      guestLifecycle: this.lifecycle,
      settings: { ...links, ...directories },
    });
    // The one door between the lifecycles that needs grants: the guest lifecycle's events
    // (shared/guest/app/events.ts) reach the O2 lifecycle's subscriber (shared/o2/app/guest-events.ts)
    // in process, inside the function that publishes them (shared/app/events.ts). So the guest task
    // function holds what that subscriber does when a guest account an O2 account rests on moves:
    // read and change that O2 account (O2 table Get/Put), wake its waiting execution
    // (SendTaskSuccess), or (the guest account ended) replace the one waiting for its next notice
    // (StartExecution, StopExecution), so that the O2 account expires with it at once. The API and
    // the reconciler hold these for their own O2 routes and repairs already.
    this.storage.bindO2(this.lifecycle.taskFunction, ['dynamodb:GetItem', 'dynamodb:PutItem']);
    this.o2Lifecycle.bindTaskResponse(this.lifecycle.taskFunction);
    this.o2Lifecycle.bindStart(this.lifecycle.taskFunction);
    this.o2Lifecycle.bindExecutions(this.lifecycle.taskFunction, ['states:StopExecution']);
    this.api = new Api(this, 'Api', {
      storage: this.storage,
      mail: this.mail,
      lifecycle: this.lifecycle,
      o2Lifecycle: this.o2Lifecycle,
      issuer: config.issuer,
      audience: config.audience,
      settings: { ...links, ...directories, ...claims },
    });
    this.web = new Web(this, 'Web', {
      httpApi: this.api.httpApi,
      domainName: config.domainName,
      certificate: this.edge.certificate,
      webAclArn: this.edge.webAcl.attrArn,
      issuer: config.issuer,
      clientId: config.webClientId,
      resource: config.webResource,
    });
    this.web.bindOriginSecret(this.api.function);
    this.schedules = new Schedules(this, 'Schedules', {
      storage: this.storage,
      lifecycle: this.lifecycle,
      o2Lifecycle: this.o2Lifecycle,
    });
    // The HMS account directory (SCIM 2.0): the functions that call it read its token's secret.
    this.accounts = new AccountDirectory(this, 'AccountDirectory', { endpoint: config.scimEndpoint, setPasswordUrl: config.setPasswordUrl });
    for (const fn of [this.lifecycle.taskFunction, this.o2Lifecycle.taskFunction, this.api.function, this.schedules.reconciler]) this.accounts.bindAccess(fn);
    this.monitoring = new Monitoring(this, 'Monitoring', {
      stateMachine: this.lifecycle.stateMachine,
      o2StateMachine: this.o2Lifecycle.stateMachine,
      functions: {
        Api: this.api.function.fn,
        LifecycleTask: this.lifecycle.taskFunction.fn,
        O2Task: this.o2Lifecycle.taskFunction.fn,
        Reconciler: this.schedules.reconciler.fn,
      },
      httpApi: this.api.httpApi,
      deadLetterQueue: this.schedules.deadLetterQueue,
      // Each alert, from the log groups of the functions that raise it.
      alertLogGroups: { 'activation-ceiling': { Api: this.api.function.logGroup }, 'o2-rc-core-overdue': { O2Task: this.o2Lifecycle.taskFunction.logGroup } },
      alarmEmail: config.alarmEmail,
      serviceName: SERVICE_NAME,
      mail: this.mail,
      edge: { distributionId: this.web.distribution.distributionId, webAclName: WEB_ACL_METRIC_NAME },
    });

    new CfnOutput(this, 'SiteUrl', { value: config.portalUrl, description: 'The pages and the API (/v1/), through the distribution' });
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'HTTP API endpoint (answers only requests from the distribution)' });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
    new CfnOutput(this, 'StateMachineArn', { value: this.lifecycle.stateMachine.stateMachineArn });
    new CfnOutput(this, 'O2StateMachineArn', { value: this.o2Lifecycle.stateMachine.stateMachineArn });
    new CfnOutput(this, 'GuestsTableName', { value: this.storage.guests.tableName });
    new CfnOutput(this, 'O2TableName', { value: this.storage.o2.tableName });
    new CfnOutput(this, 'DirectoryTableName', { value: this.storage.directory.tableName });
    new CfnOutput(this, 'IdempotencyTableName', { value: this.storage.idempotency.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'SesFeedbackTopicArn', { value: this.mail.feedbackTopic.topicArn });
  }
}
