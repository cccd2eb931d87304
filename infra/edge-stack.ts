/**
 * What CloudFront needs in us-east-1, whatever the region of the rest: the WAF web ACL of the
 * distribution (a CLOUDFRONT-scope web ACL exists only there; one created in another region's stack
 * synthesizes, then fails at deploy) and the site's ACM certificate. A small stack of its own, which
 * GuestAccountsStack creates beside itself and reads through weak cross-stack references
 * (`Fn::GetStackOutput` across regions: no custom resource, no export that pins this stack).
 *
 * The rate-based rules take their numbers from the limits per client the local gateway applies
 * (shared/http/client-limits.ts), turned from token buckets into counts per window.
 */
import { CfnOutput, CrossStackReferences, ReferenceStrength, Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { CLIENT_THROTTLE, clientThrottleFor, EDGE_WINDOW_SECONDS, requestsPerWindow } from '../shared/http/client-limits.ts';
import { ROUTES, throttleFor } from '../shared/http/routes.ts';

/** CloudFront's region: web ACLs of scope CLOUDFRONT and the distribution's certificate live here. */
export const CLOUDFRONT_REGION = 'us-east-1';

/** What API Gateway answers when it throttles; WAF answers its rate-based blocks with the same (the OpenAPI document declares it). */
export const TOO_MANY_REQUESTS_BODY = '{"message":"Too Many Requests"}';

/** The smallest rate API Gateway allows a route, for all callers together (requests per second): what one address must stay under. */
export const SMALLEST_ROUTE_RATE = Math.min(...ROUTES.map((r) => throttleFor(r).rateLimit));

/**
 * One source address's share of the smallest route rate: the per-address ceiling over the API is
 * this fraction of it, so that no one address — whatever tokens it sends, forged ones included,
 * each a new `Authorization` value — can use up any route for everyone.
 */
export const EDGE_ADDRESS_SHARE = 0.5;

/** The rate-based rules: name, requests per window (EDGE_WINDOW_SECONDS) and what they count. */
export const EDGE_RATE_LIMITS = {
  /** Per source address on POST /v1/activate (the route's client throttle). */
  activatePerAddress: requestsPerWindow(clientThrottleFor('POST /v1/activate'), EDGE_WINDOW_SECONDS),
  /** Per Authorization header on /v1/ (a signed-in client: the client throttle). */
  signedInPerClient: requestsPerWindow(CLIENT_THROTTLE, EDGE_WINDOW_SECONDS),
  /** Per source address over every request to the API: half the smallest route rate (25/s over the window). */
  perAddress: Math.floor(SMALLEST_ROUTE_RATE * EDGE_WINDOW_SECONDS * EDGE_ADDRESS_SHARE),
} as const;

/** What a request to the API looks like at the edge (the paths the distribution sends to the API: infra/web.ts API_PATHS). */
export const API_PATH_PREFIXES = ['/v1/', '/openapi.json'] as const;

export interface EdgeStackProps extends StackProps {
  /** The site's domain (guests.hms.harvard.edu). */
  readonly domainName: string;
  /**
   * An ACM certificate for the domain, in us-east-1, issued already (its ARN). Without one, this
   * stack requests it, validated by DNS: the deploy waits until the CNAME record ACM names (in the
   * ACM console, or the stack's events) is added to the domain's zone.
   */
  readonly certificateArn?: string | undefined;
}

/** The web ACL's metric name: the `WebACL` dimension of its CloudWatch metrics (AWS/WAFV2, us-east-1). */
export const WEB_ACL_METRIC_NAME = 'GuestAccountsWebAcl';

export class EdgeStack extends Stack {
  readonly webAcl: wafv2.CfnWebACL;
  readonly certificate: acm.ICertificate;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, { ...props, env: { account: props.env?.account, region: CLOUDFRONT_REGION } });

    if (props.certificateArn) {
      const region = props.certificateArn.split(':')[3];
      if (region !== CLOUDFRONT_REGION) throw new Error(`certificateArn must be an ACM certificate in ${CLOUDFRONT_REGION} (CloudFront's), not in ${region ?? 'no region'}: ${props.certificateArn}`);
      this.certificate = acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn);
    } else {
      const certificate = new acm.Certificate(this, 'Certificate', {
        domainName: props.domainName,
        validation: acm.CertificateValidation.fromDns(),
      });
      CrossStackReferences.of(certificate).produce(ReferenceStrength.WEAK);
      this.certificate = certificate;
    }

    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    // Blocked by a rate rule: API Gateway's own 429 answer, so a client sees one kind of throttling.
    const tooManyRequests: wafv2.CfnWebACL.RuleActionProperty = {
      block: { customResponse: { responseCode: 429, customResponseBodyKey: 'TooManyRequests' } },
    };
    const path = (searchString: string, positionalConstraint: 'EXACTLY' | 'STARTS_WITH'): wafv2.CfnWebACL.StatementProperty => ({
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint,
        searchString,
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      description: 'HMS guest accounts: limits per client, as the local gateway applies them, and the AWS common rule set',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(WEB_ACL_METRIC_NAME),
      customResponseBodies: { TooManyRequests: { contentType: 'APPLICATION_JSON', content: TOO_MANY_REQUESTS_BODY } },
      rules: [
        {
          // The one public route that touches data: per address, as the local gateway's bucket for it.
          name: 'ActivatePerAddress',
          priority: 0,
          action: tooManyRequests,
          visibilityConfig: visibility('ActivatePerAddress'),
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              limit: EDGE_RATE_LIMITS.activatePerAddress,
              evaluationWindowSec: EDGE_WINDOW_SECONDS,
              scopeDownStatement: path('/v1/activate', 'EXACTLY'),
            },
          },
        },
        {
          // Signed-in routes, per client: the bearer token (the local gateway counts per token subject;
          // WAF cannot read the token, so each Authorization value is one client). A request without
          // the header is not counted here; the per-address rule counts it.
          name: 'SignedInPerClient',
          priority: 1,
          action: tooManyRequests,
          visibilityConfig: visibility('SignedInPerClient'),
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'CUSTOM_KEYS',
              customKeys: [{ header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } }],
              limit: EDGE_RATE_LIMITS.signedInPerClient,
              evaluationWindowSec: EDGE_WINDOW_SECONDS,
              scopeDownStatement: path('/v1/', 'STARTS_WITH'),
            },
          },
        },
        {
          // Every request to the API, per address, whatever its token: under the smallest route
          // rate (half of it), so that one address — a flood of forged tokens, each a new
          // Authorization value the rule above never groups — cannot use up a route for everyone
          // (API Gateway answers those 401 but counts them against the route's throttle). Still
          // many people wide: people share addresses behind hospital and VPN gateways.
          name: 'PerAddress',
          priority: 2,
          action: tooManyRequests,
          visibilityConfig: visibility('PerAddress'),
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              limit: EDGE_RATE_LIMITS.perAddress,
              evaluationWindowSec: EDGE_WINDOW_SECONDS,
              scopeDownStatement: { orStatement: { statements: API_PATH_PREFIXES.map((p) => path(p, 'STARTS_WITH')) } },
            },
          },
        },
        {
          name: 'AWSManagedRulesCommonRuleSet',
          priority: 3,
          overrideAction: { none: {} },
          visibilityConfig: visibility('AWSManagedRulesCommonRuleSet'),
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: 'AWSManagedRulesCommonRuleSet',
              // The rule set blocks bodies over 8 KB; the API takes up to 16 KB and answers larger ones
              // itself (413 problem+json, as the OpenAPI document says): counted here, not blocked.
              ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }],
            },
          },
        },
      ],
    });
    CrossStackReferences.of(this.webAcl).produce(ReferenceStrength.WEAK);

    new CfnOutput(this, 'WebAclArn', { value: this.webAcl.attrArn, description: 'WAF web ACL of the distribution (CloudFront scope)' });
    new CfnOutput(this, 'CertificateArn', { value: this.certificate.certificateArn, description: `ACM certificate of ${props.domainName}` });
  }
}
