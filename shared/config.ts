/**
 * Configuration, read once from the environment. ENV is the one list of the variables' names: the
 * CDK constructs that own a resource set them as they grant access to it (`Storage.bindGuests`,
 * `Mail.bindSend`, `Lifecycle.bindStart`, ... in infra/), and the local system takes them from the
 * synthesized template; there is no other switch between AWS and local. No SDK import here.
 */
export const ENV = {
  guestsTable: 'GUESTS_TABLE',
  directoryTable: 'DIRECTORY_TABLE',
  idempotencyTable: 'IDEMPOTENCY_TABLE',
  stateMachineArn: 'STATE_MACHINE_ARN',
  o2Table: 'O2_TABLE',
  o2StateMachineArn: 'O2_STATE_MACHINE_ARN',
  senderEmail: 'SENDER_EMAIL',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  activationUrl: 'ACTIVATION_URL',
  portalUrl: 'PORTAL_URL',
  peopleDirectoryUrl: 'PEOPLE_DIRECTORY_URL',
  hsrDirectoryUrl: 'HSR_DIRECTORY_URL',
  huidClaim: 'HUID_CLAIM',
  rolesClaim: 'ROLES_CLAIM',
  hmsItRole: 'HMS_IT_ROLE',
  scimEndpoint: 'SCIM_ENDPOINT',
  scimTokenSecret: 'SCIM_TOKEN_SECRET',
  setPasswordUrl: 'SET_PASSWORD_URL',
  originSecret: 'ORIGIN_VERIFY_SECRET',
  sendRateTable: 'SEND_RATE_TABLE',
  sendRatePerSecond: 'SEND_RATE_PER_SECOND',
} as const;

export type ConfigKey = keyof typeof ENV;

/**
 * What `loadConfig` cannot do without (no default): a handler whose environment lacks one fails at
 * start, naming it. Every handler in functions/ loads the whole configuration, so the stack gives
 * each of them these (infra/functions.ts refuses to synthesize a function without them).
 */
export const REQUIRED_CONFIG = ['guestsTable', 'directoryTable', 'stateMachineArn', 'o2Table', 'o2StateMachineArn'] as const satisfies readonly ConfigKey[];

export interface Config {
  guestsTable: string;
  directoryTable: string;
  idempotencyTable?: string | undefined;
  stateMachineArn: string;
  /**
   * Labs and O2 accounts (issue 14), and the O2 lifecycle's state machine: every function uses them
   * (the API's O2 routes, the O2 tasks, the reconciler's O2 repairs, and the guest tasks through the
   * one door between the lifecycles: shared/app/events.ts).
   */
  o2Table: string;
  o2StateMachineArn: string;
  senderEmail: string;
  sesConfigurationSet?: string | undefined;
  activationUrl: string;
  portalUrl: string;
  peopleDirectoryUrl?: string | undefined;
  hsrDirectoryUrl?: string | undefined;
  huidClaim: string;
  rolesClaim: string;
  hmsItRole: string;
  /** The HMS account directory's SCIM 2.0 base URL (CDK context `scimEndpoint`). */
  scimEndpoint?: string | undefined;
  /** The Secrets Manager secret (ARN) holding the directory's bearer token. */
  scimTokenSecret?: string | undefined;
  /** Where guests set their password, for a directory that takes no password writes (CDK context `setPasswordUrl`). */
  setPasswordUrl?: string | undefined;
  /**
   * The secret the CloudFront distribution adds to every request it sends to the API
   * (shared/http/origin.ts): requests without it are refused. Unset (a stack without a
   * distribution): no request is refused for it, and the source address is the client's.
   */
  originSecret?: string | undefined;
  /**
   * The send-rate limiter's table (issue 21): one counter item per second, shared by every function
   * that sends email, so that all of them together stay within SES's maximum send rate. Unset (the
   * tests' in-memory world): no limiter.
   */
  sendRateTable?: string | undefined;
  /** SES's maximum send rate, in recipients per second (CDK context `sesSendRate`; 14 by default, a new account's rate out of the sandbox). */
  sendRatePerSecond: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const get = (k: ConfigKey, fallback?: string): string => {
    const v = env[ENV[k]] ?? fallback;
    if (v === undefined || v === '') throw new Error(`Missing configuration: ${ENV[k]}`);
    return v;
  };
  const required = (k: (typeof REQUIRED_CONFIG)[number]): string => get(k);
  return {
    guestsTable: required('guestsTable'),
    directoryTable: required('directoryTable'),
    idempotencyTable: env[ENV.idempotencyTable] || undefined,
    stateMachineArn: required('stateMachineArn'),
    o2Table: required('o2Table'),
    o2StateMachineArn: required('o2StateMachineArn'),
    senderEmail: get('senderEmail', 'hms-guest-accounts@hms.harvard.edu'),
    sesConfigurationSet: env[ENV.sesConfigurationSet] || undefined,
    activationUrl: get('activationUrl', 'https://guests.hms.harvard.edu/activate'),
    portalUrl: get('portalUrl', 'https://guests.hms.harvard.edu'),
    peopleDirectoryUrl: env[ENV.peopleDirectoryUrl] || undefined,
    hsrDirectoryUrl: env[ENV.hsrDirectoryUrl] || undefined,
    huidClaim: get('huidClaim', 'huid'),
    rolesClaim: get('rolesClaim', 'hms_roles'),
    hmsItRole: get('hmsItRole', 'hms-it'),
    scimEndpoint: env[ENV.scimEndpoint] || undefined,
    scimTokenSecret: env[ENV.scimTokenSecret] || undefined,
    setPasswordUrl: env[ENV.setPasswordUrl] || undefined,
    originSecret: env[ENV.originSecret] || undefined,
    sendRateTable: env[ENV.sendRateTable] || undefined,
    sendRatePerSecond: positiveInteger(get('sendRatePerSecond', '14'), ENV.sendRatePerSecond),
  };
}

function positiveInteger(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, not ${value}`);
  return n;
}
