/**
 * The deployed shape in front of the API: the us-east-1 edge stack (WAF web ACL, certificate)
 * referenced weakly from the main stack; the CloudFront distribution serving the pages from a
 * private bucket (origin access control) and the API on the same origin, with the origin secret and
 * the viewer's address; the security headers; the site deployment; the dashboard; tracing.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { API_PATH_PREFIXES, CLOUDFRONT_REGION, EDGE_RATE_LIMITS, TOO_MANY_REQUESTS_BODY } from '../../infra/edge-stack.ts';
import { ROUTES, throttleFor } from '../../shared/http/routes.ts';
import { GuestAccountsStack } from '../../infra/guest-accounts-stack.ts';
import { cdkJsonContext, configFromContext, DEFAULT_CONFIG } from '../../infra/stack-config.ts';
import { API_PATHS, contentSecurityPolicy, SITE_PLACEHOLDER, siteSourceDir, WEB_DIST } from '../../infra/web.ts';
import { deploymentFromTemplate } from '../../local/synth.ts';
import { originHeadersFromTemplate } from '../../local/edge.ts';
import type { CfnTemplate } from '../../local/template.ts';
import { CLIENT_THROTTLE, clientThrottleFor, EDGE_WINDOW_SECONDS } from '../../shared/http/client-limits.ts';
import { ORIGIN_VERIFY_HEADER } from '../../shared/http/origin.ts';
import { METRIC_NAMES } from '../../shared/core/ports.ts';
import { buildApp, STACK_NAME } from './build.ts';

type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> };
// Both stacks of the app, read now (the synthesis folder goes once they are).
const built = buildApp();
const template = Template.fromStack(built.stack);
const edge = Template.fromStack(built.stack.edge);
const assembly = built.app.synth();
const artifacts = { main: assembly.getStackByName(STACK_NAME), edge: assembly.getStackByName(`${STACK_NAME}Edge`) };
built.cleanup();
const only = (t: Template, type: string): Resource => {
  const found = Object.values(t.findResources(type)) as Resource[];
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
const distributionConfig = () => only(template, 'AWS::CloudFront::Distribution').Properties.DistributionConfig as Record<string, unknown> & {
  Origins: { Id: string; DomainName: unknown; S3OriginConfig?: unknown; CustomOriginConfig?: Record<string, unknown>; OriginAccessControlId?: unknown; OriginCustomHeaders?: { HeaderName: string; HeaderValue: unknown }[] }[];
  DefaultCacheBehavior: Record<string, unknown>;
  CacheBehaviors: Record<string, unknown>[];
};
const logicalId = (t: Template, type: string, props: Record<string, unknown> = {}): string => {
  const ids = Object.keys(t.findResources(type, { Properties: Match.objectLike(props) }));
  expect(ids, type).toHaveLength(1);
  return ids[0]!;
};
/** The secret's value as CloudFormation resolves it at deploy time: a dynamic reference, never the value. */
const originSecret = () => logicalId(template, 'AWS::SecretsManager::Secret', { Description: Match.stringLikeRegexp(ORIGIN_VERIFY_HEADER) });
const secretReference = () => ({ 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: originSecret() }, ':SecretString:::}}']] });

describe('the stacks', () => {
  it('the edge stack is in us-east-1 (CloudFront\'s region), the main stack in an explicit region, deployed after it', () => {
    const { main, edge: edgeArtifact } = artifacts;
    expect(edgeArtifact.environment.region).toBe(CLOUDFRONT_REGION);
    expect(main.environment.region).toBe('us-east-1');
    expect(main.dependencies.map((d) => d.id)).toContain(edgeArtifact.id);
  });

  it('the main stack reads the web ACL and the certificate with weak references (Fn::GetStackOutput across regions, no custom resource)', () => {
    const config = distributionConfig();
    const viewerCertificate = config.ViewerCertificate as Record<string, unknown>;
    const fromEdge = (output: RegExp) => ({ 'Fn::GetStackOutput': { StackName: `${STACK_NAME}Edge`, Region: CLOUDFRONT_REGION, OutputName: expect.stringMatching(output) } });
    expect(config.WebACLId).toEqual(fromEdge(/WebAcl/));
    expect(viewerCertificate.AcmCertificateArn).toEqual(fromEdge(/Certificate/));
    // The outputs exist in the edge stack under those names.
    const outputs = edge.findOutputs('*');
    const webAclOutput = (config.WebACLId as { 'Fn::GetStackOutput': { OutputName: string } })['Fn::GetStackOutput'].OutputName;
    expect(outputs[webAclOutput]?.Value).toEqual({ 'Fn::GetAtt': [logicalId(edge, 'AWS::WAFv2::WebACL'), 'Arn'] });
    expect(Object.keys(template.findResources('AWS::CloudFormation::CustomResource'))).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toContain('ExportsReader');
  });
});

describe('WAF web ACL (edge stack)', () => {
  const acl = () => only(edge, 'AWS::WAFv2::WebACL').Properties as { Scope: string; DefaultAction: unknown; Rules: Record<string, unknown>[]; CustomResponseBodies: Record<string, unknown> };
  const rule = (name: string) => acl().Rules.find((r) => r.Name === name)!;

  it('has CloudFront scope and allows what no rule blocks', () => {
    expect(acl()).toMatchObject({ Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
  });

  it('limits per client with the local gateway\'s numbers: a token bucket\'s burst plus its rate over the window', () => {
    // The numbers, pinned: 20 + 2/s × 60 s on activation, 60 + 20/s × 60 s per signed-in client, half of 50/s × 60 s per address.
    expect(EDGE_RATE_LIMITS).toEqual({ activatePerAddress: 140, signedInPerClient: 1260, perAddress: 1500 });
    expect(EDGE_RATE_LIMITS.activatePerAddress).toBe(clientThrottleFor('POST /v1/activate').burstLimit + clientThrottleFor('POST /v1/activate').rateLimit * EDGE_WINDOW_SECONDS);
    expect(EDGE_RATE_LIMITS.signedInPerClient).toBe(CLIENT_THROTTLE.burstLimit + CLIENT_THROTTLE.rateLimit * EDGE_WINDOW_SECONDS);
    expect(acl().Rules.map((r) => [r.Name, r.Priority])).toEqual([
      ['ActivatePerAddress', 0],
      ['SignedInPerClient', 1],
      ['PerAddress', 2],
      ['AWSManagedRulesCommonRuleSet', 3],
    ]);
  });

  it('is stricter on POST /v1/activate, per source address', () => {
    expect(rule('ActivatePerAddress').Statement).toEqual({
      RateBasedStatement: {
        AggregateKeyType: 'IP',
        Limit: EDGE_RATE_LIMITS.activatePerAddress,
        EvaluationWindowSec: 60,
        ScopeDownStatement: { ByteMatchStatement: { FieldToMatch: { UriPath: {} }, PositionalConstraint: 'EXACTLY', SearchString: '/v1/activate', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } },
      },
    });
  });

  it('counts signed-in clients by their Authorization header (a custom aggregation key) on /v1/, and every address over everything', () => {
    expect(rule('SignedInPerClient').Statement).toMatchObject({
      RateBasedStatement: {
        AggregateKeyType: 'CUSTOM_KEYS',
        CustomKeys: [{ Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }],
        Limit: EDGE_RATE_LIMITS.signedInPerClient,
        ScopeDownStatement: { ByteMatchStatement: { PositionalConstraint: 'STARTS_WITH', SearchString: '/v1/' } },
      },
    });
    const prefix = (p: string) => ({ ByteMatchStatement: { FieldToMatch: { UriPath: {} }, PositionalConstraint: 'STARTS_WITH', SearchString: p, TextTransformations: [{ Priority: 0, Type: 'NONE' }] } });
    expect(rule('PerAddress').Statement).toEqual({
      RateBasedStatement: { AggregateKeyType: 'IP', Limit: EDGE_RATE_LIMITS.perAddress, EvaluationWindowSec: 60, ScopeDownStatement: { OrStatement: { Statements: [prefix('/v1/'), prefix('/openapi.json')] } } },
    });
  });

  it('no one address can use up a route for everyone: every per-address rule is under the smallest rate of the routes it covers, over the window', () => {
    // The routes the API's behaviours send (every /v1/ route and /openapi.json): the smallest API Gateway rate among them.
    const covered = ROUTES.filter((r) => r.path.startsWith('/v1/') || r.path === '/openapi.json');
    const smallest = Math.min(...covered.map((r) => throttleFor(r).rateLimit));
    expect(smallest).toBe(50); // POST /v1/activate
    for (const name of ['PerAddress', 'ActivatePerAddress']) {
      const limit = (rule(name).Statement as { RateBasedStatement: { Limit: number; EvaluationWindowSec: number } }).RateBasedStatement;
      expect(limit.Limit, name).toBeLessThan(smallest * limit.EvaluationWindowSec);
    }
    // And what every path of the API behaviours is covered by: the per-address rule's prefixes.
    for (const path of API_PATHS) expect(API_PATH_PREFIXES.some((p) => path.replace('*', 'x').startsWith(p)), path).toBe(true);
  });

  it('the distribution takes IPv4 only: WAF counts per address, and one IPv6 client commonly holds a /48', () => {
    expect(distributionConfig().IPV6Enabled).toBe(false);
  });

  it("answers a rate-based block as API Gateway answers throttling: 429 {\"message\":\"Too Many Requests\"}", () => {
    for (const name of ['ActivatePerAddress', 'SignedInPerClient', 'PerAddress']) {
      expect(rule(name).Action, name).toEqual({ Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'TooManyRequests' } } });
    }
    expect(acl().CustomResponseBodies).toEqual({ TooManyRequests: { ContentType: 'APPLICATION_JSON', Content: TOO_MANY_REQUESTS_BODY } });
  });

  it('runs the AWS managed common rule set, counting (not blocking) bodies over 8 KB: the API answers up to 16 KB itself', () => {
    expect(rule('AWSManagedRulesCommonRuleSet')).toMatchObject({
      OverrideAction: { None: {} },
      Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet', RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }] } },
    });
  });

  it('each rule and the web ACL publish metrics and sampled requests', () => {
    for (const r of [acl(), ...acl().Rules] as { VisibilityConfig: unknown }[]) expect(r.VisibilityConfig).toMatchObject({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true });
  });
});

describe('the distribution', () => {
  it('answers on the site\'s domain with its certificate, TLS 1.2 (2021) and SNI, HTTP/2 and 3', () => {
    expect(distributionConfig()).toMatchObject({
      Aliases: [DEFAULT_CONFIG.domainName],
      ViewerCertificate: { MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
      HttpVersion: 'http2and3',
      DefaultRootObject: 'index.html',
      Logging: { Prefix: 'cloudfront/' },
    });
    edge.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: DEFAULT_CONFIG.domainName, ValidationMethod: 'DNS' });
  });

  it('serves the pages from a private bucket through origin access control', () => {
    const config = distributionConfig();
    const s3 = config.Origins.find((o) => o.S3OriginConfig)!;
    expect(config.DefaultCacheBehavior.TargetOriginId).toBe(s3.Id);
    expect(s3.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [logicalId(template, 'AWS::CloudFront::OriginAccessControl'), 'Id'] });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', { OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' } });
    const bucket = logicalId(template, 'AWS::S3::Bucket', { LoggingConfiguration: Match.anyValue() });
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: Match.anyValue(),
    });
    // Only CloudFront, only this distribution, only reads.
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 's3:GetObject',
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Resource: Match.anyValue(),
            Condition: { StringEquals: { 'AWS:SourceArn': Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([{ Ref: logicalId(template, 'AWS::CloudFront::Distribution') }])] }) } },
          },
        ]),
      },
    });
  });

  it('routes deep links to the app with a viewer-request function on the pages only, and has no error responses (the API\'s 403 and 404 stay its own)', () => {
    const config = distributionConfig();
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [logicalId(template, 'AWS::CloudFront::Function'), 'FunctionARN'] } }],
    });
    expect(config.CustomErrorResponses).toBeUndefined();
    for (const b of config.CacheBehaviors) expect(b.FunctionAssociations, String(b.PathPattern)).toBeUndefined();
    template.hasResourceProperties('AWS::CloudFront::Function', { FunctionConfig: { Runtime: 'cloudfront-js-2.0' } });
  });

  it('sends /v1/* and /openapi.json to the HTTP API, HTTPS only, every method, with the origin secret as a custom origin header', () => {
    const config = distributionConfig();
    const api = config.Origins.find((o) => o.CustomOriginConfig)!;
    expect(config.CacheBehaviors.map((b) => b.PathPattern)).toEqual(['/v1/*', '/openapi.json']);
    for (const b of config.CacheBehaviors) {
      expect(b).toMatchObject({ TargetOriginId: api.Id, ViewerProtocolPolicy: 'https-only', AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'] });
    }
    expect(api.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    expect(api.DomainName).toEqual({ 'Fn::Join': ['', [{ Ref: logicalId(template, 'AWS::ApiGatewayV2::Api') }, '.execute-api.us-east-1.', { Ref: 'AWS::URLSuffix' }]] });
    expect(api.OriginCustomHeaders).toEqual([{ HeaderName: ORIGIN_VERIFY_HEADER, HeaderValue: secretReference() }]);
  });

  it('never caches the API and forwards Authorization (in the key), the headers the API reads and CloudFront-Viewer-Address; no Host, no cookies', () => {
    const [v1] = distributionConfig().CacheBehaviors;
    expect(v1!.CachePolicyId).toEqual({ Ref: logicalId(template, 'AWS::CloudFront::CachePolicy') });
    expect(v1!.OriginRequestPolicyId).toEqual({ Ref: logicalId(template, 'AWS::CloudFront::OriginRequestPolicy') });
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: {
        MinTTL: 0,
        DefaultTTL: 0,
        MaxTTL: 1,
        ParametersInCacheKeyAndForwardedToOrigin: { HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization'] }, QueryStringsConfig: { QueryStringBehavior: 'all' }, CookiesConfig: { CookieBehavior: 'none' } },
      },
    });
    const policy = only(template, 'AWS::CloudFront::OriginRequestPolicy').Properties.OriginRequestPolicyConfig as {
      HeadersConfig: { HeaderBehavior: string; Headers: string[] };
      CookiesConfig: unknown;
      QueryStringsConfig: unknown;
    };
    expect(policy.HeadersConfig.HeaderBehavior).toBe('whitelist');
    expect(policy.HeadersConfig.Headers.map((h) => h.toLowerCase()).sort()).toEqual(['accept', 'cloudfront-viewer-address', 'content-type', 'idempotency-key', 'if-match']);
    expect(policy.CookiesConfig).toEqual({ CookieBehavior: 'none' });
    expect(policy.QueryStringsConfig).toEqual({ QueryStringBehavior: 'all' });
  });

  it('adds the security headers to every answer: CSP without unsafe-inline, HSTS, no framing, no referrer, nosniff', () => {
    const id = logicalId(template, 'AWS::CloudFront::ResponseHeadersPolicy');
    const config = distributionConfig();
    for (const b of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) expect(b.ResponseHeadersPolicyId).toEqual({ Ref: id });
    const headers = (only(template, 'AWS::CloudFront::ResponseHeadersPolicy').Properties.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: Record<string, Record<string, unknown>> }).SecurityHeadersConfig;
    expect(headers).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 730 * 86_400, IncludeSubdomains: true, Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      ContentTypeOptions: { Override: true },
    });
    const csp = String(headers.ContentSecurityPolicy!.ContentSecurityPolicy);
    expect(csp).toBe(contentSecurityPolicy(DEFAULT_CONFIG.issuer));
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ${DEFAULT_CONFIG.issuer}`);
    expect(csp).toContain(`form-action 'self' ${DEFAULT_CONFIG.issuer}`);
  });

  it('the CSP names only the issuer\'s origin (HarvardKey is configuration)', () => {
    expect(contentSecurityPolicy('https://idp.example.harvard.edu/oidc/v2')).toContain("connect-src 'self' https://idp.example.harvard.edu;");
  });
});

describe('the origin secret', () => {
  it('is generated by Secrets Manager, and reaches the distribution and the API function as the same dynamic reference (no value in the template)', () => {
    expect(template.findResources('AWS::SecretsManager::Secret')[originSecret()]!.Properties).toMatchObject({ GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 64 } });
    const api = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('HTTP API') } })) as Resource[];
    expect((api[0]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables.ORIGIN_VERIFY_SECRET).toEqual(secretReference());
    // Only the API function has it.
    const others = (Object.values(template.findResources('AWS::Lambda::Function')) as Resource[]).filter((f) => f !== api[0]);
    for (const f of others) expect(JSON.stringify(f.Properties.Environment ?? {})).not.toContain('ORIGIN_VERIFY_SECRET');
  });

  it('the local gateway adds what the distribution adds, resolved as the API function\'s environment is: the check runs locally too', () => {
    const json = template.toJSON() as CfnTemplate;
    const headers = originHeadersFromTemplate(json, STACK_NAME);
    const environment = deploymentFromTemplate(json, STACK_NAME).environment;
    expect(Object.keys(headers)).toEqual([ORIGIN_VERIFY_HEADER]);
    expect(headers[ORIGIN_VERIFY_HEADER]).toBe(environment.ORIGIN_VERIFY_SECRET);
    expect(headers[ORIGIN_VERIFY_HEADER]).toMatch(/^\{\{resolve:secretsmanager:WebOriginSecret\w+:SecretString:::\}\}$/);
  });
});

describe('the pages\' deployment', () => {
  it('copies the build into the bucket twice: content-named assets cached a year, the rest (index.html) revalidated; nothing pruned', () => {
    const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment')) as Resource[];
    expect(deployments.map((d) => [d.Properties.Include ?? null, d.Properties.Exclude, d.Properties.SystemMetadata, d.Properties.Prune])).toEqual([
      [['assets/*'], ['*'], { 'cache-control': 'public, max-age=31536000, immutable' }, false],
      [null, ['assets/*'], { 'cache-control': 'no-cache' }, false],
    ]);
  });

  it('synthesizes without a build: the placeholder page when web/dist holds no index.html', () => {
    const root = mkdtempSync(join(tmpdir(), 'hms-site-'));
    try {
      expect(siteSourceDir(root)).toBe(SITE_PLACEHOLDER);
      mkdirSync(join(root, WEB_DIST), { recursive: true });
      expect(siteSourceDir(root)).toBe(SITE_PLACEHOLDER);
      writeFileSync(join(root, WEB_DIST, 'index.html'), '<!doctype html>');
      expect(siteSourceDir(root)).toBe(WEB_DIST);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('custom domain (context)', () => {
  it('domainName and certificateArn are context; the emailed links are derived from the domain', () => {
    const config = configFromContext(new App({ context: { domainName: 'guests.example.harvard.edu', certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc' } }).node);
    expect(config).toMatchObject({
      domainName: 'guests.example.harvard.edu',
      certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc',
      activationUrl: 'https://guests.example.harvard.edu/activate',
      portalUrl: 'https://guests.example.harvard.edu',
    });
    expect(configFromContext(new App().node)).toMatchObject({ domainName: 'guests.hms.harvard.edu', activationUrl: 'https://guests.hms.harvard.edu/activate', portalUrl: 'https://guests.hms.harvard.edu' });
    expect(() => configFromContext(new App({ context: { domainName: 'https://guests.example.org/' } }).node)).toThrow(/domainName/);
  });

  it('with a certificate ARN: no certificate is requested, the distribution uses it, and the functions link to the domain', () => {
    // Prepare
    const outdir = mkdtempSync(join(tmpdir(), 'hms-guest-accounts-cdk-'));
    try {
      const custom = new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], domainName: 'guests.example.harvard.edu', certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc' } });
      // Act
      const built = new GuestAccountsStack(custom, 'Custom', { config: configFromContext(custom.node) });
      const main = Template.fromStack(built);

      // Assess
      Template.fromStack(built.edge).resourceCountIs('AWS::CertificateManager::Certificate', 0);
      main.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: { Aliases: ['guests.example.harvard.edu'], ViewerCertificate: { AcmCertificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc' } },
      });
      for (const description of ['HTTP API', 'Step Functions task']) {
        main.hasResourceProperties('AWS::Lambda::Function', {
          Description: Match.stringLikeRegexp(description),
          Environment: { Variables: Match.objectLike({ ACTIVATION_URL: 'https://guests.example.harvard.edu/activate', PORTAL_URL: 'https://guests.example.harvard.edu' }) },
        });
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('refuses a certificate outside us-east-1 (CloudFront would refuse it only at deploy)', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'hms-guest-accounts-cdk-'));
    try {
      const custom = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
      expect(() => new GuestAccountsStack(custom, 'Custom', { config: { ...DEFAULT_CONFIG, certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc' } })).toThrow(/us-east-1/);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('ops signals', () => {
  /** The dashboard's body with its CloudFormation references replaced by a placeholder, parsed. */
  function dashboard(): { widgets: { properties: { title: string; region: string; metrics: unknown[][] } }[] } {
    const body = only(template, 'AWS::CloudWatch::Dashboard').Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
    return JSON.parse(body['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'REF')).join('')) as ReturnType<typeof dashboard>;
  }
  /** Every metric of the dashboard as "namespace metric dimension=value…" (dimensions sorted; the region when not the stack's). */
  const metricsShown = () =>
    dashboard().widgets.flatMap((w) =>
      w.properties.metrics.map((m) => {
        const options = (typeof m.at(-1) === 'object' ? m.at(-1) : {}) as { region?: string };
        const [namespace, name, ...dims] = m.filter((x) => typeof x === 'string') as string[];
        const pairs = dims.reduce<string[]>((acc, d, i) => (i % 2 ? [...acc.slice(0, -1), `${acc.at(-1)}=${d}`] : [...acc, d]), []);
        return [namespace, name, ...pairs.sort(), ...(options.region ? [`@${options.region}`] : [])].join(' ');
      }),
    );

  it('the dashboard shows the use cases\' metrics, in the namespace and with the service dimension the functions write', () => {
    const shown = metricsShown();
    for (const name of Object.values(METRIC_NAMES)) expect(shown).toContain(`HmsGuestAccounts ${name} service=hms-guest-accounts`);
  });

  it('and executions started and failed, API 4xx, 5xx and latency, emails sent and bounced, the edge', () => {
    const shown = metricsShown();
    expect(shown).toEqual(
      expect.arrayContaining([
        'AWS/States ExecutionsStarted StateMachineArn=REF',
        'AWS/States ExecutionsFailed StateMachineArn=REF',
        'AWS/ApiGateway 4xx ApiId=REF',
        'AWS/ApiGateway 5xx ApiId=REF',
        'AWS/ApiGateway Latency ApiId=REF',
        'AWS/SES Send ses:configuration-set=REF',
        'AWS/SES Bounce ses:configuration-set=REF',
        'AWS/CloudFront Requests DistributionId=REF Region=Global @us-east-1',
        'AWS/WAFV2 BlockedRequests Rule=ALL WebACL=GuestAccountsWebAcl @us-east-1',
      ]),
    );
  });

  it('the configuration set publishes its sending events as metrics, by configuration set', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: {
        MatchingEventTypes: ['send', 'delivery', 'bounce', 'complaint', 'reject'],
        CloudWatchDestination: { DimensionConfigurations: [{ DimensionName: 'ses:configuration-set', DimensionValueSource: 'messageTag', DefaultDimensionValue: 'none' }] },
      },
    });
  });

  it('the functions are traced (X-Ray active) and so is the state machine', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')) as Resource[]) {
      if (fn.Metadata?.['hms:entry'] === undefined) continue;
      expect(fn.Properties.TracingConfig, String(fn.Metadata['hms:entry'])).toEqual({ Mode: 'Active' });
    }
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true } });
  });
});
