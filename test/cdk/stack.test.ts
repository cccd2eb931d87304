import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GuestFunction } from '../../infra/functions.ts';
import { Storage } from '../../infra/storage.ts';
import { ENV, REQUIRED_CONFIG } from '../../shared/config.ts';
import { DEFAULT_THROTTLE, ROUTES, routeKey, SCOPES, scopesFor, throttleFor } from '../../shared/http/routes.ts';
import { buildApp } from './build.ts';
import { RECONCILER_RETRY, RECONCILER_SCHEDULE } from '../../infra/schedule-spec.ts';
import { configFromContext, DEFAULT_CONFIG } from '../../infra/stack-config.ts';
import { STATE_MACHINE_NAME, template } from './synth.ts';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
const resources = (type: string): Record<string, Resource> => template.findResources(type) as Record<string, Resource>;
/** The project's own functions (GuestFunction: their handler file recorded), not aws-cdk-lib's (the site's BucketDeployment). */
const guestFunctions = (): Record<string, Resource> =>
  Object.fromEntries(Object.entries(resources('AWS::Lambda::Function')).filter(([, fn]) => (fn as { Metadata?: Record<string, unknown> }).Metadata?.['hms:entry'] !== undefined));
const logicalIdOf = (type: string, props: Record<string, unknown>): string => {
  const ids = Object.keys(template.findResources(type, { Properties: Match.objectLike(props) }));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

/** Every IAM statement of every inline policy and role. */
function statements(): { policy: string; Action: string | string[]; Resource: unknown; Effect: string }[] {
  const out: { policy: string; Action: string | string[]; Resource: unknown; Effect: string }[] = [];
  for (const [id, r] of Object.entries(resources('AWS::IAM::Policy'))) {
    const doc = r.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown; Effect: string }[] };
    for (const s of doc.Statement) out.push({ policy: id, ...s });
  }
  return out;
}
const actionsOf = (policyPrefix: string): string[] =>
  statements()
    .filter((s) => s.policy.startsWith(policyPrefix))
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

describe('Lambda functions', () => {
  it('are four, Node.js 24 on arm64, 512 MB, traced, with source maps and the Powertools service name', () => {
    // Besides them, only aws-cdk-lib's function behind the site's BucketDeployment.
    template.resourceCountIs('AWS::Lambda::Function', 5);
    expect(Object.keys(guestFunctions())).toHaveLength(4);
    const others = Object.entries(resources('AWS::Lambda::Function')).filter(([id]) => !(id in guestFunctions()));
    expect(others.map(([id]) => id)).toEqual([expect.stringMatching(/^CustomCDKBucketDeployment/)]);
    for (const fn of Object.values(guestFunctions())) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        TracingConfig: { Mode: 'Active' },
        Environment: {
          Variables: expect.objectContaining({ POWERTOOLS_SERVICE_NAME: 'hms-guest-accounts' }),
        },
      });
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogGroup: { Ref: expect.any(String) } });
    }
  });

  /** The function whose description matches, and its environment variables. */
  const environmentOf = (t: Template, description: RegExp): Record<string, unknown> => {
    const fns = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp(description.source) } })) as Resource[];
    expect(fns).toHaveLength(1);
    return (fns[0]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  };
  const CONFIG_NAMES: string[] = Object.values(ENV);

  it.each([
    ['HTTP API', ['GUESTS_TABLE', 'DIRECTORY_TABLE', 'IDEMPOTENCY_TABLE', 'STATE_MACHINE_ARN', 'SENDER_EMAIL', 'SES_CONFIGURATION_SET', 'SEND_RATE_TABLE', 'SEND_RATE_PER_SECOND', 'ACTIVATION_URL', 'PORTAL_URL', 'HUID_CLAIM', 'ROLES_CLAIM', 'HMS_IT_ROLE', 'ORIGIN_VERIFY_SECRET', 'SCIM_ENDPOINT', 'SCIM_TOKEN_SECRET', 'O2_TABLE', 'O2_STATE_MACHINE_ARN']],
    ['Step Functions task', ['GUESTS_TABLE', 'DIRECTORY_TABLE', 'STATE_MACHINE_ARN', 'SENDER_EMAIL', 'SES_CONFIGURATION_SET', 'SEND_RATE_TABLE', 'SEND_RATE_PER_SECOND', 'ACTIVATION_URL', 'PORTAL_URL', 'SCIM_ENDPOINT', 'SCIM_TOKEN_SECRET', 'O2_TABLE', 'O2_STATE_MACHINE_ARN']],
    ['reconciler', ['GUESTS_TABLE', 'DIRECTORY_TABLE', 'STATE_MACHINE_ARN', 'SCIM_ENDPOINT', 'SCIM_TOKEN_SECRET', 'O2_TABLE', 'O2_STATE_MACHINE_ARN']],
    ['O2 lifecycle', ['GUESTS_TABLE', 'DIRECTORY_TABLE', 'STATE_MACHINE_ARN', 'O2_TABLE', 'O2_STATE_MACHINE_ARN', 'SENDER_EMAIL', 'SES_CONFIGURATION_SET', 'SEND_RATE_TABLE', 'SEND_RATE_PER_SECOND', 'ACTIVATION_URL', 'PORTAL_URL', 'SCIM_ENDPOINT', 'SCIM_TOKEN_SECRET']],
  ])('%s: exactly the configuration its code reads (names from shared/config.ts), and every variable loadConfig requires', (description, expected) => {
    // Act
    const vars = environmentOf(template, new RegExp(description));

    // Assess
    expect(Object.keys(vars).filter((k) => CONFIG_NAMES.includes(k)).sort()).toEqual([...expected].sort());
    expect(Object.keys(vars).filter((k) => !CONFIG_NAMES.includes(k)).sort()).toEqual(['POWERTOOLS_SERVICE_NAME']);
    for (const key of REQUIRED_CONFIG) expect(vars, ENV[key]).toHaveProperty(ENV[key]);
    // Each resource's name is a reference to it; the state machine's ARN is built from its name (no dependency cycle).
    expect(vars.GUESTS_TABLE).toEqual({ Ref: expect.stringMatching(/^StorageGuestsTable/) });
    expect(vars.DIRECTORY_TABLE).toEqual({ Ref: expect.stringMatching(/^StorageDirectoryTable/) });
    expect(JSON.stringify(vars.STATE_MACHINE_ARN)).toContain(`:stateMachine:${STATE_MACHINE_NAME}`);
  });

  it('the settings come from the stack configuration: sender, claim names, links', () => {
    const api = environmentOf(template, /HTTP API/);
    expect(api).toMatchObject({ HUID_CLAIM: 'huid', ROLES_CLAIM: 'hms_roles', HMS_IT_ROLE: 'hms-it', SENDER_EMAIL: DEFAULT_CONFIG.senderEmail, ACTIVATION_URL: DEFAULT_CONFIG.activationUrl, PORTAL_URL: DEFAULT_CONFIG.portalUrl });
    expect(environmentOf(template, /Step Functions task/)).toMatchObject({ SENDER_EMAIL: DEFAULT_CONFIG.senderEmail, ACTIVATION_URL: DEFAULT_CONFIG.activationUrl, PORTAL_URL: DEFAULT_CONFIG.portalUrl });
  });

  it('the directories\' URLs, when configured, go to the functions that read people and HSR records, and only to them', () => {
    // Prepare
    const built = buildApp({ peopleDirectoryUrl: 'https://people.example.org', hsrDirectoryUrl: 'https://hsr.example.org' });
    try {
      // Act
      const t = Template.fromStack(built.stack);

      // Assess
      const urls = { PEOPLE_DIRECTORY_URL: 'https://people.example.org', HSR_DIRECTORY_URL: 'https://hsr.example.org' };
      expect(environmentOf(t, /HTTP API/)).toMatchObject(urls);
      expect(environmentOf(t, /Step Functions task/)).toMatchObject(urls);
      expect(environmentOf(t, /reconciler/)).not.toHaveProperty('PEOPLE_DIRECTORY_URL');
      expect(environmentOf(t, /reconciler/)).not.toHaveProperty('HSR_DIRECTORY_URL');
    } finally {
      built.cleanup();
    }
  });

  it('a function missing a variable loadConfig requires does not synthesize, and the error names the variable', () => {
    // Prepare: a function bound to the guests table only
    const outdir = mkdtempSync(join(tmpdir(), 'hms-guest-accounts-cdk-'));
    try {
      const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Incomplete');
      const storage = new Storage(stack, 'Storage');
      const fn = new GuestFunction(stack, 'Reconciler', { entry: 'functions/reconciler.ts', description: 'incomplete' });
      storage.bindGuests(fn, ['dynamodb:PutItem']);

      // Act
      let error: unknown;
      try {
        app.synth();
      } catch (err) {
        error = err;
      }

      // Assess
      expect(String(error)).toContain('Incomplete/Reconciler: DIRECTORY_TABLE is not set');
      expect(String(error)).toContain('Incomplete/Reconciler: STATE_MACHINE_ARN is not set');
      expect(String(error)).not.toContain('GUESTS_TABLE is not set');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('one variable bound to two different resources is refused', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'hms-guest-accounts-cdk-'));
    try {
      const stack = new Stack(new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } }), 'Twice');
      const fn = new GuestFunction(stack, 'Fn', { entry: 'functions/reconciler.ts', description: 'twice' });
      fn.configure({ guestsTable: 'one' });
      expect(() => fn.configure({ guestsTable: 'one' })).not.toThrow();
      expect(() => fn.configure({ guestsTable: 'another' })).toThrow('Twice/Fn: GUESTS_TABLE is already set to another value');
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('each records its handler file as resource metadata (the local system runs it)', () => {
    const entries = Object.values(guestFunctions()).map((fn) => (fn as { Metadata?: Record<string, unknown> }).Metadata?.['hms:entry']);
    expect(entries.sort()).toEqual(['functions/api.ts', 'functions/lifecycle-task.ts', 'functions/o2-task.ts', 'functions/reconciler.ts']);
  });

  it('give the lifecycle tasks 60 s and API requests 30 s', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('Step Functions task'), Timeout: 60 });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('HTTP API'), Timeout: 30 });
  });

  it('each log to their own log group kept for a month', () => {
    const groups = resources('AWS::Logs::LogGroup');
    for (const fn of Object.values(resources('AWS::Lambda::Function'))) {
      const ref = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(groups[ref]?.Properties.RetentionInDays).toBe(30);
    }
  });

  it('use no AWS managed policies', () => {
    for (const role of Object.values(resources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('DynamoDB tables', () => {
  const common = {
    BillingMode: 'PAY_PER_REQUEST',
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    DeletionProtectionEnabled: true,
    SSESpecification: { SSEEnabled: true },
  };

  it('are on demand, with PITR, deletion protection and encryption, and retained', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 5);
    for (const table of Object.values(template.findResources('AWS::DynamoDB::Table'))) {
      expect(table).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: common });
    }
  });

  it('guests: pk/sk with the bySponsor, byDue and byStatus indexes', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: Match.arrayEquals([
        {
          IndexName: 'bySponsor',
          KeySchema: [
            { AttributeName: 'sponsorHuid', KeyType: 'HASH' },
            { AttributeName: 'endDate', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'byDue',
          KeySchema: [
            { AttributeName: 'dueShard', KeyType: 'HASH' },
            { AttributeName: 'dueAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'endDate', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ]),
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'sponsorHuid', AttributeType: 'S' },
        { AttributeName: 'dueShard', AttributeType: 'S' },
        { AttributeName: 'dueAt', AttributeType: 'S' },
        { AttributeName: 'status', AttributeType: 'S' },
      ]),
    });
  });

  it('directory: pk only; idempotency: id with TTL on expiration', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: Match.absent(),
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
  });
});

describe('IAM', () => {
  it('no statement allows every action', () => {
    for (const s of statements()) {
      const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
      expect(actions, s.policy).not.toContain('*');
      for (const a of actions) expect(a, s.policy).not.toMatch(/^[a-z0-9-]+:\*$/);
    }
  });

  it('the API function can start, stop and resume lifecycle executions and send email', () => {
    const actions = actionsOf('ApiHandlerRole');
    expect(actions).toEqual(
      expect.arrayContaining([
        'states:StartExecution',
        'states:StopExecution',
        'states:SendTaskSuccess',
        'ses:SendEmail',
        'dynamodb:PutItem',
        'dynamodb:Query',
      ]),
    );
  });

  it('the lifecycle task function can send email and complete task tokens', () => {
    expect(actionsOf('LifecycleTaskFunctionRole')).toEqual(
      expect.arrayContaining(['ses:SendEmail', 'states:SendTaskSuccess', 'dynamodb:PutItem']),
    );
  });

  it('the reconciler can start, describe and stop executions but not send email', () => {
    const actions = actionsOf('SchedulesReconcilerRole');
    expect(actions).toEqual(expect.arrayContaining(['states:StartExecution', 'states:DescribeExecution', 'states:StopExecution']));
    expect(actions).not.toContain('ses:SendEmail');
  });

  it('SES sending is scoped to the sender identity and the configuration set', () => {
    for (const s of statements().filter((x) => [x.Action].flat().includes('ses:SendEmail'))) {
      const text = JSON.stringify(s.Resource);
      expect(text).toContain(':identity/');
      expect(text).toContain(':configuration-set/');
      expect(s.Resource).not.toBe('*');
    }
  });

  it('the only wildcard resources are X-Ray/log-delivery policies', () => {
    for (const s of statements().filter((x) => x.Resource === '*' || (Array.isArray(x.Resource) && x.Resource.includes('*')))) {
      for (const a of [s.Action].flat()) expect(a).toMatch(/^(xray|logs):/);
    }
  });
});

describe('SES', () => {
  it('has a configuration set suppressing bounces and complaints, with reputation metrics', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      ReputationOptions: { ReputationMetricsEnabled: true },
    });
  });

  it('sends bounces and complaints to an SNS topic that requires TLS', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: {
        MatchingEventTypes: Match.arrayEquals(['bounce', 'complaint']),
        SnsDestination: { TopicARN: { Ref: Match.anyValue() } },
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'ses.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
  });

  it('has the sender email identity', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: DEFAULT_CONFIG.senderEmail });
  });
});

describe('HTTP API', () => {
  it('has a JWT authorizer with the configured issuer and audience', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: DEFAULT_CONFIG.issuer, Audience: [...DEFAULT_CONFIG.audience] },
    });
  });

  it('has exactly the routes of the route table (shared/http/routes.ts), JWT-protected unless public', () => {
    const routes = Object.values(resources('AWS::ApiGatewayV2::Route'));
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(ROUTES.map(routeKey).sort());
    for (const route of ROUTES) {
      const found = routes.find((r) => r.Properties.RouteKey === routeKey(route))!;
      if (route.auth) {
        expect(found.Properties, routeKey(route)).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: expect.any(String) } });
      } else {
        expect(found.Properties.AuthorizationType, routeKey(route)).toBe('NONE');
      }
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /v1/activate', AuthorizationType: 'NONE' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /openapi.json', AuthorizationType: 'NONE' });
  });

  it('requires scopes on every signed-in route, so that an ID token (no scope) is refused: guests:read to read, guests:write to write', () => {
    const routes = Object.values(resources('AWS::ApiGatewayV2::Route'));
    for (const route of ROUTES) {
      const found = routes.find((r) => r.Properties.RouteKey === routeKey(route))!;
      if (route.auth) {
        expect(found.Properties.AuthorizationScopes, routeKey(route)).toEqual([...scopesFor(route)]);
        expect(found.Properties.AuthorizationScopes, routeKey(route)).toEqual([route.method === 'GET' ? SCOPES.read : SCOPES.write]);
      } else {
        expect(found.Properties, routeKey(route)).not.toHaveProperty('AuthorizationScopes');
      }
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /v1/guests/{guestId}', AuthorizationType: 'JWT', AuthorizationScopes: ['guests:read'] });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /v1/guests/{guestId}/decision', AuthorizationType: 'JWT', AuthorizationScopes: ['guests:write'] });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /v1/guests/{guestId}/expire', AuthorizationType: 'JWT', AuthorizationScopes: ['guests:write'] });
  });

  it('HarvardKey\'s issuer, the audiences and the claim names are CDK context (-c key=value or cdk.json)', () => {
    // Prepare
    const app = new App({
      context: { issuer: 'https://idp.example.harvard.edu/oidc', audience: 'https://guests-api.example.harvard.edu, guests-web-client', huidClaim: 'harvard_huid', rolesClaim: 'guest_roles', hmsItRole: 'hms-it-ops' },
    });
    // Act
    const config = configFromContext(app.node);
    // Assess
    expect(config).toMatchObject({
      issuer: 'https://idp.example.harvard.edu/oidc',
      audience: ['https://guests-api.example.harvard.edu', 'guests-web-client'],
      huidClaim: 'harvard_huid',
      rolesClaim: 'guest_roles',
      hmsItRole: 'hms-it-ops',
    });
    expect(configFromContext(new App().node)).toMatchObject({ issuer: DEFAULT_CONFIG.issuer, audience: DEFAULT_CONFIG.audience, huidClaim: 'huid', rolesClaim: 'hms_roles', hmsItRole: 'hms-it' });
  });

  it('integrates every route with the one API function (payload 2.0)', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  });

  it('has no CORS configuration', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', CorsConfiguration: Match.absent() });
  });

  it('throttles the stage, and the public activation route harder', () => {
    const activate = throttleFor(ROUTES.find((r) => routeKey(r) === 'POST /v1/activate')!);
    expect(activate.burstLimit).toBeLessThan(DEFAULT_THROTTLE.burstLimit);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingBurstLimit: DEFAULT_THROTTLE.burstLimit, ThrottlingRateLimit: DEFAULT_THROTTLE.rateLimit },
      RouteSettings: {
        'POST /v1/activate': { ThrottlingBurstLimit: activate.burstLimit, ThrottlingRateLimit: activate.rateLimit },
      },
    });
    // Route settings for exactly the routes of the table with a throttle of their own.
    const stage = Object.values(resources('AWS::ApiGatewayV2::Stage'))[0]!;
    expect(Object.keys(stage.Properties.RouteSettings as object)).toEqual(ROUTES.filter((r) => 'throttle' in r).map(routeKey));
  });

  it('the stage is created after the routes its settings name', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as Resource;
    const activate = logicalIdOf('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /v1/activate' });
    expect(stage.DependsOn).toContain(activate);
  });

  it('writes JSON access logs with request id, ip, route, status and latency', () => {
    const stage = Object.values(resources('AWS::ApiGatewayV2::Stage'))[0]!;
    const settings = stage.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      routeKey: '$context.routeKey',
      status: '$context.status',
      latency: '$context.responseLatency',
    });
  });
});

describe('reconciler schedule', () => {
  it('runs daily at 06:00 New York time with retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: RECONCILER_SCHEDULE.expression,
      ScheduleExpressionTimezone: RECONCILER_SCHEDULE.timezone,
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Reconciler'), 'Arn'] },
        RetryPolicy: {
          MaximumRetryAttempts: RECONCILER_RETRY.retryAttempts,
          MaximumEventAgeInSeconds: RECONCILER_RETRY.maximumEventAgeSeconds,
        },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] } },
      },
    });
    expect(RECONCILER_SCHEDULE).toEqual({ expression: 'cron(0 6 * * ? *)', timezone: 'America/New_York' });
  });

  it('assumes a role that may only invoke the reconciler and write to its DLQ', () => {
    const roleId = logicalIdOf('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })] },
    });
    const policies = Object.values(resources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId),
    );
    const actions = policies.flatMap((p) =>
      (p.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement.flatMap((s) => [s.Action].flat()),
    );
    expect(actions.sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
  });

  it('has an encrypted, TLS-only dead-letter queue', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });
});

describe('alarms', () => {
  const alarms = () => Object.values(resources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
  const has = (namespace: string, metricName: string) => alarms().filter((a) => a.Namespace === namespace && a.MetricName === metricName);

  it('cover failed and timed-out executions, Lambda errors, API 5xx and dead letters', () => {
    // Of each state machine: the guest lifecycle's and the O2 lifecycle's.
    expect(has('AWS/States', 'ExecutionsFailed')).toHaveLength(2);
    expect(has('AWS/States', 'ExecutionsTimedOut')).toHaveLength(2);
    expect(has('AWS/Lambda', 'Errors')).toHaveLength(4);
    expect(has('AWS/ApiGateway', '5xx')).toHaveLength(1);
    expect(has('AWS/ApiGateway', '5xx')[0]!.Dimensions).toEqual([{ Name: 'ApiId', Value: { Ref: expect.any(String) } }]);
    expect(has('AWS/SQS', 'ApproximateNumberOfMessagesVisible')).toHaveLength(1);
    const reconciler = logicalIdOf('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('reconciler') });
    expect(has('AWS/Lambda', 'Errors').some((a) => JSON.stringify(a.Dimensions).includes(reconciler))).toBe(true);
  });

  it('alert HMS IT when an activation code is locked after too many attempts, and when the RC Core is 10 working days late: a metric filter on the log group of the function raising each counts its alert line', () => {
    // Prepare
    const logGroupOf = (description: string) => {
      const fn = logicalIdOf('AWS::Lambda::Function', { Description: Match.stringLikeRegexp(description) });
      return (resources('AWS::Lambda::Function')[fn]!.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    };
    const filters = Object.values(resources('AWS::Logs::MetricFilter')).map((f) => f.Properties);

    // Assess
    expect(filters).toEqual([
      expect.objectContaining({
        LogGroupName: { Ref: logGroupOf('HTTP API') },
        FilterPattern: '{ $.alert = "activation-ceiling" }',
        MetricTransformations: [expect.objectContaining({ MetricNamespace: 'HmsGuestAccounts/Alerts', MetricName: 'ActivationCeiling', MetricValue: '1' })],
      }),
      expect.objectContaining({
        LogGroupName: { Ref: logGroupOf('O2 lifecycle') },
        FilterPattern: '{ $.alert = "o2-rc-core-overdue" }',
        MetricTransformations: [expect.objectContaining({ MetricNamespace: 'HmsGuestAccounts/Alerts', MetricName: 'O2RcCoreOverdue', MetricValue: '1' })],
      }),
    ]);
    expect(has('HmsGuestAccounts/Alerts', 'ActivationCeiling')).toHaveLength(1);
    expect(has('HmsGuestAccounts/Alerts', 'O2RcCoreOverdue')).toHaveLength(1);
  });

  it('fire at >= 1 and notify the alarm topic', () => {
    const topics = template.findResources('AWS::SNS::Topic', { Properties: { DisplayName: Match.stringLikeRegexp('alarms') } });
    const topic = Object.keys(topics)[0]!;
    expect(alarms().length).toBeGreaterThanOrEqual(6);
    for (const a of alarms()) {
      expect(a).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
      expect(a.AlarmActions).toEqual([{ Ref: topic }]);
    }
  });
});

describe('outputs', () => {
  it('export the API URL, the state machine ARN and the table names', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs).toEqual(expect.arrayContaining(['ApiUrl', 'StateMachineArn', 'GuestsTableName', 'DirectoryTableName', 'IdempotencyTableName']));
  });
});
