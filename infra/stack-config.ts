/** Deployment configuration of the stack, from CDK context (`-c key=value` or cdk.json) with defaults. */
import { readFileSync } from 'node:fs';
import type { Node } from 'constructs';

export interface StackConfig {
  /**
   * HarvardKey's OIDC issuer (`iss`), trusted by the HTTP API's JWT authorizer, which reads its
   * keys from `<issuer>/.well-known/openid-configuration`.
   */
  readonly issuer: string;
  /**
   * Audiences the JWT authorizer accepts in `aud` (or `client_id` when a token has no `aud`): the
   * API's resource identifier that HarvardKey's access tokens carry (RFC 8707 resource
   * indicators, as the local provider does), and/or the pages' client ID if its access tokens name
   * that. An ID token's `aud` is the client ID: what keeps ID tokens out is the routes' scopes
   * (shared/http/routes.ts `scopesFor`), which an ID token does not carry.
   */
  readonly audience: readonly string[];
  /** From address of every email (an SES email identity is created for it). */
  readonly senderEmail: string;
  /** SES's maximum send rate for this account, in recipients per second (context `sesSendRate`): every function's email shares it (issue 21). */
  readonly sesSendRate: number;
  /** Optional address subscribed to the alarm topic. */
  readonly alarmEmail?: string | undefined;
  /**
   * The site's domain: the CloudFront distribution answers on it (the pages, and the API under
   * /v1/), and every link the system emails points at it (`activationUrl`, `portalUrl`).
   */
  readonly domainName: string;
  /**
   * ACM certificate of `domainName`, in us-east-1 (CloudFront's region), already issued: its ARN.
   * Without one the edge stack requests it, validated by DNS (infra/edge-stack.ts).
   */
  readonly certificateArn?: string | undefined;
  /** The activation page, `https://<domainName>/activate` (the "Activate your HMS account" email links here). */
  readonly activationUrl: string;
  /** The pages, `https://<domainName>` (the guest links of the emails are under it). */
  readonly portalUrl: string;
  /** The pages' public OpenID client ID at HarvardKey (code + PKCE, no secret): written in the site's /config.json. */
  readonly webClientId: string;
  /** The RFC 8707 resource indicator the pages ask access tokens for, when HarvardKey needs one (the API's identifier, an `audience`). */
  readonly webResource?: string | undefined;
  readonly peopleDirectoryUrl?: string | undefined;
  readonly hsrDirectoryUrl?: string | undefined;
  /**
   * The HMS account directory's SCIM 2.0 base URL (HTTPS): where guest accounts are created,
   * enabled, disabled and put in groups. Its bearer token is in the stack's secret (SECURITY.md).
   */
  readonly scimEndpoint: string;
  /**
   * Where guests set their password, for a directory that takes no password writes (its
   * ServiceProviderConfig says changePassword is not supported): the activation answers with it.
   */
  readonly setPasswordUrl?: string | undefined;
  /** Name of the access-token claim that carries the caller's HUID. */
  readonly huidClaim: string;
  /**
   * Name of the dedicated claim that carries the caller's roles in this system (e.g. `hms-it`),
   * assigned by HMS IT in the identity provider: never a claim of free-form group names, which API
   * Gateway flattens to a space-separated string that a group named "x hms-it" could forge.
   */
  readonly rolesClaim: string;
  /** The role value (exact) that makes a caller HMS IT. */
  readonly hmsItRole: string;
}

/** The links the emails carry, on the site's domain. */
export function siteLinks(domainName: string): Pick<StackConfig, 'activationUrl' | 'portalUrl'> {
  return { activationUrl: `https://${domainName}/activate`, portalUrl: `https://${domainName}` };
}

/** The site's domain today (the links already emailed point here). */
export const DEFAULT_DOMAIN = 'guests.hms.harvard.edu';

/** Region of the main stack when neither the context (`region`) nor the CDK CLI (CDK_DEFAULT_REGION) names one. */
export const DEFAULT_REGION = 'us-east-1';

export const DEFAULT_CONFIG: StackConfig = {
  issuer: 'https://login.hms.harvard.edu',
  audience: ['hms-guest-accounts'],
  senderEmail: 'hms-guest-accounts@hms.harvard.edu',
  sesSendRate: 14,
  alarmEmail: undefined,
  domainName: DEFAULT_DOMAIN,
  certificateArn: undefined,
  ...siteLinks(DEFAULT_DOMAIN),
  webClientId: 'hms-guest-accounts-web',
  webResource: undefined,
  peopleDirectoryUrl: undefined,
  hsrDirectoryUrl: undefined,
  scimEndpoint: 'https://identity.hms.harvard.edu/scim/v2',
  setPasswordUrl: undefined,
  huidClaim: 'huid',
  rolesClaim: 'hms_roles',
  hmsItRole: 'hms-it',
};

function str(node: Node, key: string): string | undefined {
  const v: unknown = node.tryGetContext(key);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new Error(`Context "${key}" must be a string`);
  return v;
}

function list(node: Node, key: string): string[] | undefined {
  const v: unknown = node.tryGetContext(key);
  if (v === undefined || v === null || v === '') return undefined;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  throw new Error(`Context "${key}" must be a string or a list of strings`);
}

/** The password travels to the directory only over TLS: its endpoint is an https URL. */
function https(url: string, key: string): string {
  if (!/^https:\/\/[^\s/]+/.test(url)) throw new Error(`Context "${key}" must be an https:// URL (the guests' passwords travel to it): ${url}`);
  return url;
}

/** SES's maximum send rate: a whole number of recipients per second. */
function sendRate(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`Context "sesSendRate" must be a whole number of recipients per second, e.g. 14: ${value}`);
  return n;
}

/** Reads the configuration from the construct tree's context, falling back to the defaults. */
export function configFromContext(node: Node, defaults: StackConfig = DEFAULT_CONFIG): StackConfig {
  const domainName = str(node, 'domainName') ?? defaults.domainName;
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domainName)) throw new Error(`Context "domainName" must be a lower-case DNS name, e.g. ${DEFAULT_DOMAIN}: ${domainName}`);
  return {
    issuer: str(node, 'issuer') ?? defaults.issuer,
    audience: list(node, 'audience') ?? defaults.audience,
    senderEmail: str(node, 'senderEmail') ?? defaults.senderEmail,
    sesSendRate: sendRate(str(node, 'sesSendRate') ?? String(defaults.sesSendRate)),
    alarmEmail: str(node, 'alarmEmail') ?? defaults.alarmEmail,
    domainName,
    certificateArn: str(node, 'certificateArn') ?? defaults.certificateArn,
    // Derived, never configured apart: the emailed links always lead to the deployed site.
    ...siteLinks(domainName),
    webClientId: str(node, 'webClientId') ?? defaults.webClientId,
    webResource: str(node, 'webResource') ?? defaults.webResource,
    peopleDirectoryUrl: str(node, 'peopleDirectoryUrl') ?? defaults.peopleDirectoryUrl,
    hsrDirectoryUrl: str(node, 'hsrDirectoryUrl') ?? defaults.hsrDirectoryUrl,
    scimEndpoint: https(str(node, 'scimEndpoint') ?? defaults.scimEndpoint, 'scimEndpoint'),
    setPasswordUrl: str(node, 'setPasswordUrl') ?? defaults.setPasswordUrl,
    huidClaim: str(node, 'huidClaim') ?? defaults.huidClaim,
    rolesClaim: str(node, 'rolesClaim') ?? defaults.rolesClaim,
    hmsItRole: str(node, 'hmsItRole') ?? defaults.hmsItRole,
  };
}

/**
 * The context (feature flags) cdk.json gives the app run by the CDK CLI: an app built in-process
 * (tests, the local system) passes it too, so that it synthesizes the same template.
 */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}
