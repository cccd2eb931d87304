/**
 * The site: the pages (web/, built to web/dist) in a private S3 bucket, and one CloudFront
 * distribution in front of both the pages and the HTTP API, on the site's own domain: the pages and
 * `/v1/*` (and `/openapi.json`) share one origin, so the browser needs no CORS. The WAF web ACL and
 * the certificate come from the us-east-1 edge stack (infra/edge-stack.ts).
 *
 * The API answers only through the distribution: the distribution adds a generated secret
 * (Secrets Manager) to every request it sends to the API as a custom origin header, and the API
 * function refuses requests without it (shared/http/origin.ts); the function gets the value in its
 * environment (`bindOriginSecret`).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER } from '../shared/http/origin.ts';
import { IDEMPOTENCY_HEADER } from '../shared/http/idempotency.ts';
import { PROJECT_ROOT, type GuestFunction } from './functions.ts';
import { acknowledge, acknowledgeWildcardResource } from './nag.ts';
import { SPA_ROUTING_FUNCTION, WEB_ASSETS_DIR } from './site-routing.ts';

/** Where the pages' build is (web/vite.config.ts `build.outDir`), from the repository root. */
export const WEB_DIST = 'web/dist';
/** Deployed instead when the pages are not built (a synthesis must not need a build): one page saying so. */
export const SITE_PLACEHOLDER = 'infra/site-placeholder';

/** What to deploy from under `root`: the pages' build when it holds an index.html, else the placeholder page. */
export function siteSourceDir(root: string = PROJECT_ROOT): string {
  return existsSync(join(root, WEB_DIST, 'index.html')) ? WEB_DIST : SITE_PLACEHOLDER;
}

/** Paths of the distribution that go to the HTTP API (shared/http/routes.ts: every route is under /v1/, but the OpenAPI document). */
export const API_PATHS = ['/v1/*', '/openapi.json'] as const;

/**
 * The request headers the API reads, besides `Authorization` (in the cache key, which forwards it):
 * the body's type, If-Match, Idempotency-Key, and the viewer's address CloudFront adds. Nothing else
 * of the viewer's request reaches the API (no cookies, no Host: API Gateway needs its own).
 */
export const API_FORWARDED_HEADERS = ['Accept', 'Content-Type', 'If-Match', IDEMPOTENCY_HEADER, VIEWER_ADDRESS_HEADER] as const;

/**
 * The pages' Content-Security-Policy: everything from the site itself, no inline script or style;
 * the sign-in issuer (HarvardKey) for the token and discovery requests the pages make to it
 * (connect-src) and a form posted to it (form-action: sign-out); never framed.
 */
export function contentSecurityPolicy(issuer: string): string {
  const idp = new URL(issuer).origin;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    `connect-src 'self' ${idp}`,
    `form-action 'self' ${idp}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
    'upgrade-insecure-requests',
  ].join('; ');
}

/**
 * The pages' /config.json (web/src/config.ts `AppConfig`): where they sign in, as which client, and
 * the API (empty: their own origin, the distribution). Written at deployment, beside the pages.
 */
export interface PagesConfig {
  issuer: string;
  clientId: string;
  scopes: string;
  apiUrl: string;
  resource?: string;
}

/** The scopes the pages ask for: OpenID's and the API's (shared/http/routes.ts SCOPES). */
export const PAGES_SCOPES = 'openid profile email guests:read guests:write';

export interface WebProps {
  readonly httpApi: apigwv2.IHttpApi;
  /** The site's domain, and its certificate (us-east-1). */
  readonly domainName: string;
  readonly certificate: acm.ICertificate;
  /** The WAF web ACL (CloudFront scope) of the distribution. */
  readonly webAclArn: string;
  /** The sign-in issuer the pages talk to (the CSP allows it). */
  readonly issuer: string;
  /** The pages' public client ID at the issuer, and the resource indicator they ask tokens for (if any). */
  readonly clientId: string;
  readonly resource?: string | undefined;
  /** The pages' build, from the repository root. @default WEB_DIST (SITE_PLACEHOLDER when it holds no index.html) */
  readonly webDist?: string;
}

export class Web extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly originSecret: secretsmanager.Secret;
  readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  readonly apiCachePolicy: cloudfront.CachePolicy;
  readonly apiOriginRequestPolicy: cloudfront.OriginRequestPolicy;
  /** What was deployed: the pages' build, or the placeholder page. */
  readonly siteSource: string;
  /** What the site's /config.json says. */
  readonly pagesConfig: PagesConfig;

  constructor(scope: Construct, id: string, props: WebProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // Access logs of the distribution and of the pages' bucket. CloudFront's standard logs are
    // written with an ACL grant, so this bucket keeps ACLs (object writer); 90 days.
    this.logBucket = new s3.Bucket(this, 'LogBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(this.logBucket, 'AwsSolutions-S1', 'This is the access-log bucket of the site and of the distribution; logging its own access would log the log writes.');

    this.bucket = new s3.Bucket(this, 'SiteBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'site-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.originSecret = new secretsmanager.Secret(this, 'OriginSecret', {
      description: `Sent by the CloudFront distribution to the HTTP API in ${ORIGIN_VERIFY_HEADER}; the API refuses requests without it`,
      generateSecretString: { excludePunctuation: true, passwordLength: 64 },
    });
    acknowledge(
      this.originSecret,
      'AwsSolutions-SMG4',
      'Rotating it needs the distribution and the API function to change together (a deploy reads it into both); to rotate: put a new value, then deploy.',
    );

    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'HMS guest accounts: CSP without unsafe-inline, HSTS, no framing, no referrer, nosniff',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(props.issuer), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        // Activation links and the sign-in callback carry identifiers in their query string.
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        contentTypeOptions: { override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()', override: true },
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
        ],
      },
    });

    // The API: never cached (max 1 s only so that Authorization may be in the key, which is how
    // CloudFront forwards it; every API answer says no-store), only the headers it reads.
    this.apiCachePolicy = new cloudfront.CachePolicy(this, 'ApiCachePolicy', {
      comment: 'HMS guest accounts API: not cached; Authorization forwarded',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(1),
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList('Authorization'),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
    });
    this.apiOriginRequestPolicy = new cloudfront.OriginRequestPolicy(this, 'ApiOriginRequestPolicy', {
      comment: 'HMS guest accounts API: the headers it reads and the viewer address; no Host, no cookies',
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList(...API_FORWARDED_HEADERS),
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.all(),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
    });

    const apiOrigin = new origins.HttpOrigin(`${props.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      // Resolved by CloudFormation at deploy time: the value is in no template.
      customHeaders: { [ORIGIN_VERIFY_HEADER]: this.originSecret.secretValue.unsafeUnwrap() },
    });
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: apiOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: this.apiCachePolicy,
      originRequestPolicy: this.apiOriginRequestPolicy,
      responseHeadersPolicy: this.responseHeadersPolicy,
    };

    const spaRouting = new cloudfront.Function(this, 'SpaRouting', {
      comment: 'Deep links into the pages (no file extension) are answered with /index.html',
      code: cloudfront.FunctionCode.fromInline(SPA_ROUTING_FUNCTION),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `HMS guest accounts: ${props.domainName}`,
      domainNames: [props.domainName],
      certificate: props.certificate,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      sslSupportMethod: cloudfront.SSLMethod.SNI,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // IPv4 only: WAF's rate-based rules count each address, and one IPv6 client commonly holds a
      // whole /48 (a free tunnel gives one), which no rate rule can group (SECURITY.md, "Limits per client").
      enableIpv6: false,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      webAclId: props.webAclArn,
      defaultRootObject: 'index.html',
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        functionAssociations: [{ function: spaRouting, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: Object.fromEntries(API_PATHS.map((path) => [path, apiBehavior])),
    });
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'No geo restriction: guests (visiting faculty, collaborators, contractors) activate and sponsors work from anywhere; WAF limits each client instead.',
    );

    this.siteSource = props.webDist ?? siteSourceDir();
    this.pagesConfig = {
      issuer: props.issuer,
      clientId: props.clientId,
      scopes: PAGES_SCOPES,
      apiUrl: '',
      ...(props.resource ? { resource: props.resource } : {}),
    };
    this.deploySite(this.siteSource, this.pagesConfig);

    new CfnOutput(this, 'DistributionDomainName', {
      value: this.distribution.distributionDomainName,
      description: `Point ${props.domainName} here (CNAME, or an alias record)`,
    });
  }

  /**
   * The pages into the bucket with BucketDeployment: the content-named files of the build
   * (WEB_ASSETS_DIR) cached for a year, everything else (index.html, config.json) revalidated on every load,
   * so that a deploy is seen at once. Nothing is pruned: a page loaded before a deploy still finds
   * the files it names. The deployment's function gets its own role, with exactly what it does
   * (read this asset, list and write the bucket, its log group), and no AWS managed policy.
   */
  private deploySite(dir: string, pagesConfig: PagesConfig): void {
    const asset = new s3assets.Asset(this, 'SiteFiles', { path: join(PROJECT_ROOT, dir) });
    // /config.json: an asset of its own, from a folder removed as soon as the asset is staged.
    const configDir = mkdtempSync(join(tmpdir(), 'hms-site-config-'));
    let configAsset: s3assets.Asset;
    try {
      writeFileSync(join(configDir, 'config.json'), `${JSON.stringify(pagesConfig, null, 2)}\n`);
      configAsset = new s3assets.Asset(this, 'SiteConfig', { path: configDir });
    } finally {
      rmSync(configDir, { recursive: true, force: true });
    }
    const logGroup = new logs.LogGroup(this, 'DeploymentLogs', { retention: logs.RetentionDays.ONE_MONTH });
    const role = new iam.Role(this, 'DeploymentRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the pages into the site bucket (BucketDeployment)',
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [asset.bucket.arnForObjects(asset.s3ObjectKey), configAsset.bucket.arnForObjects(configAsset.s3ObjectKey)] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects('*')] }));
    logGroup.grantWrite(role);
    acknowledgeWildcardResource(role, this.bucket.arnForObjects('*'), 'The deployment writes the files of each build of the pages, named by their content: any key of the site bucket.');
    // BucketDeployment grants itself more (read, delete on both buckets): the role it is given takes none of it.
    const deploymentRole = role.withoutPolicyUpdates({ addGrantsToResources: false });
    const site = s3deploy.Source.bucket(asset.bucket, asset.s3ObjectKey);
    const config = s3deploy.Source.bucket(configAsset.bucket, configAsset.s3ObjectKey);
    const common = { destinationBucket: this.bucket, prune: false, role: deploymentRole, logGroup, memoryLimit: 512 };

    const assets = new s3deploy.BucketDeployment(this, 'DeployAssets', {
      ...common,
      sources: [site],
      exclude: ['*'],
      include: [`${WEB_ASSETS_DIR}/*`],
      cacheControl: [s3deploy.CacheControl.setPublic(), s3deploy.CacheControl.maxAge(Duration.days(365)), s3deploy.CacheControl.immutable()],
    });
    const pages = new s3deploy.BucketDeployment(this, 'DeployPages', {
      ...common,
      sources: [site, config],
      exclude: [`${WEB_ASSETS_DIR}/*`],
      cacheControl: [s3deploy.CacheControl.noCache()],
    });
    // The files a page names are there before the page.
    pages.node.addDependency(assets);
    for (const d of [assets, pages]) d.node.addDependency(role);
    // The one function behind every BucketDeployment of the stack (a singleton at the stack's root).
    const handler = Stack.of(this).node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!handler) throw new Error('No BucketDeployment function found in the stack');
    acknowledge(
      handler,
      'AwsSolutions-L1',
      "BucketDeployment's function is aws-cdk-lib's own (Python with the AWS CLI layer); its runtime moves with aws-cdk-lib, not with this project.",
    );
  }

  /** The origin secret in the API function's environment (ORIGIN_VERIFY_SECRET), as the distribution sends it. */
  bindOriginSecret(fn: GuestFunction): void {
    fn.configure({ originSecret: this.originSecret.secretValue.unsafeUnwrap() });
  }
}
