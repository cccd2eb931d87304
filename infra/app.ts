/**
 * CDK app entry (`npm run synth`, `npm run deploy`). Configuration comes from context, e.g.
 * `npx cdk synth -c issuer=https://... -c audience=client-id -c senderEmail=... -c alarmEmail=...
 * -c domainName=guests.hms.harvard.edu -c certificateArn=arn:aws:acm:us-east-1:...`; every key has
 * a default so that `cdk synth` works offline with no context. Two stacks: GuestAccounts (in the
 * `region` context, else the CLI's region, else us-east-1) and GuestAccountsEdge (us-east-1 always).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GuestAccountsStack } from './guest-accounts-stack.ts';
import { configFromContext, DEFAULT_REGION } from './stack-config.ts';

const app = new App();

const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = (app.node.tryGetContext('region') as string | undefined) || process.env.CDK_DEFAULT_REGION || DEFAULT_REGION;
const stackName = (app.node.tryGetContext('stackName') as string | undefined) ?? 'GuestAccounts';

new GuestAccountsStack(app, stackName, {
  description: 'HMS sponsored guest accounts: site and API behind CloudFront, lifecycle state machine, tables, email, reconciler, alarms, dashboard',
  config: configFromContext(app.node),
  // An explicit region (the edge stack is referenced across regions); the account when the CLI knows it.
  env: { account, region },
});

// cdk-nag 3 is a policy validation plugin: findings fail the synth (see the report in cdk.out).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

app.synth();
