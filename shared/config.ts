/**
 * Configuration, read once from the environment. The same names are set by the CDK stack in AWS
 * and by the local runner (`npm start`); there is no other switch between the two.
 */
export const ENV = {
  guestsTable: 'GUESTS_TABLE',
  directoryTable: 'DIRECTORY_TABLE',
  idempotencyTable: 'IDEMPOTENCY_TABLE',
  stateMachineArn: 'STATE_MACHINE_ARN',
  senderEmail: 'SENDER_EMAIL',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  activationUrl: 'ACTIVATION_URL',
  portalUrl: 'PORTAL_URL',
  peopleDirectoryUrl: 'PEOPLE_DIRECTORY_URL',
  hsrDirectoryUrl: 'HSR_DIRECTORY_URL',
  huidClaim: 'HUID_CLAIM',
  rolesClaim: 'ROLES_CLAIM',
  hmsItRole: 'HMS_IT_ROLE',
} as const;

export interface Config {
  guestsTable: string;
  directoryTable: string;
  idempotencyTable?: string | undefined;
  stateMachineArn: string;
  senderEmail: string;
  sesConfigurationSet?: string | undefined;
  activationUrl: string;
  portalUrl: string;
  peopleDirectoryUrl?: string | undefined;
  hsrDirectoryUrl?: string | undefined;
  huidClaim: string;
  rolesClaim: string;
  hmsItRole: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const get = (k: keyof typeof ENV, fallback?: string): string => {
    const v = env[ENV[k]] ?? fallback;
    if (v === undefined || v === '') throw new Error(`Missing configuration: ${ENV[k]}`);
    return v;
  };
  return {
    guestsTable: get('guestsTable'),
    directoryTable: get('directoryTable'),
    idempotencyTable: env[ENV.idempotencyTable] || undefined,
    stateMachineArn: get('stateMachineArn', ''.concat('unset')),
    senderEmail: get('senderEmail', 'hms-guest-accounts@hms.harvard.edu'),
    sesConfigurationSet: env[ENV.sesConfigurationSet] || undefined,
    activationUrl: get('activationUrl', 'https://guests.hms.harvard.edu/activate'),
    portalUrl: get('portalUrl', 'https://guests.hms.harvard.edu'),
    peopleDirectoryUrl: env[ENV.peopleDirectoryUrl] || undefined,
    hsrDirectoryUrl: env[ENV.hsrDirectoryUrl] || undefined,
    huidClaim: get('huidClaim', 'huid'),
    rolesClaim: get('rolesClaim', 'hms_roles'),
    hmsItRole: get('hmsItRole', 'hms-it'),
  };
}
