/**
 * CDK app entry (`npm run synth`, `npm run deploy`). Configuration comes from context, e.g.
 * `npx cdk synth -c issuer=https://... -c audience=client-id -c senderEmail=... -c alarmEmail=...`;
 * every key has a default so that `cdk synth` works offline with no context.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GuestAccountsStack } from './guest-accounts-stack.ts';
import { configFromContext } from './stack-config.ts';

const app = new App();

const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
const stackName = (app.node.tryGetContext('stackName') as string | undefined) ?? 'GuestAccounts';

new GuestAccountsStack(app, stackName, {
  description: 'HMS sponsored guest accounts: API, lifecycle state machine, tables, email, reconciler, alarms',
  config: configFromContext(app.node),
  // Environment-agnostic unless the CLI knows the account and region.
  ...(account && region ? { env: { account, region } } : {}),
});

// cdk-nag 3 is a policy validation plugin: findings fail the synth (see the report in cdk.out).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

app.synth();
