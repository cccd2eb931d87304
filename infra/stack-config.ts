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
  /** Optional address subscribed to the alarm topic. */
  readonly alarmEmail?: string | undefined;
  readonly activationUrl: string;
  readonly portalUrl: string;
  readonly peopleDirectoryUrl?: string | undefined;
  readonly hsrDirectoryUrl?: string | undefined;
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

export const DEFAULT_CONFIG: StackConfig = {
  issuer: 'https://login.hms.harvard.edu',
  audience: ['hms-guest-accounts'],
  senderEmail: 'hms-guest-accounts@hms.harvard.edu',
  alarmEmail: undefined,
  activationUrl: 'https://guests.hms.harvard.edu/activate',
  portalUrl: 'https://guests.hms.harvard.edu',
  peopleDirectoryUrl: undefined,
  hsrDirectoryUrl: undefined,
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

/** Reads the configuration from the construct tree's context, falling back to the defaults. */
export function configFromContext(node: Node, defaults: StackConfig = DEFAULT_CONFIG): StackConfig {
  return {
    issuer: str(node, 'issuer') ?? defaults.issuer,
    audience: list(node, 'audience') ?? defaults.audience,
    senderEmail: str(node, 'senderEmail') ?? defaults.senderEmail,
    alarmEmail: str(node, 'alarmEmail') ?? defaults.alarmEmail,
    activationUrl: str(node, 'activationUrl') ?? defaults.activationUrl,
    portalUrl: str(node, 'portalUrl') ?? defaults.portalUrl,
    peopleDirectoryUrl: str(node, 'peopleDirectoryUrl') ?? defaults.peopleDirectoryUrl,
    hsrDirectoryUrl: str(node, 'hsrDirectoryUrl') ?? defaults.hsrDirectoryUrl,
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
