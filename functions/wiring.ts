/**
 * The composition root: the real adapters, wired from configuration, for every handler in this
 * folder. Use cases (shared/app) receive them as ports and never import an adapter or the AWS SDK;
 * tests wire in-memory ports instead (shared/adapters/memory.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Config } from '../shared/config.ts';
import type { Deps } from '../shared/app/deps.ts';
import { inProcessGuestEvents } from '../shared/app/events.ts';
import { onGuestEvent } from '../shared/o2/app/guest-events.ts';
import { METRIC_NAMES, type AccountDirectory, type Mailer, type Metrics } from '../shared/core/ports.ts';
import { DirectoryUnavailableError } from '../shared/core/domain/errors.ts';
import { DynamoAttemptCounter, DynamoCheckpoints, DynamoGuestRepository } from '../shared/guest/adapters/dynamo-guests.ts';
import { DynamoO2Repository } from '../shared/o2/adapters/dynamo-o2.ts';
import { ScimAccountDirectory } from '../shared/adapters/scim-directory.ts';
import { SecretToken } from '../shared/adapters/secret-token.ts';
import { DynamoDirectory, HttpHsrDirectory, HttpPeopleDirectory } from '../shared/adapters/directories.ts';
import { LogAlerts, type AlertWriter } from '../shared/adapters/log-alerts.ts';
import { DynamoSendRateLimiter, RateLimitedMailer } from '../shared/adapters/send-rate.ts';
import { SesMailer } from '../shared/adapters/ses-mailer.ts';
import { StepFunctionsWorkflow } from '../shared/adapters/sfn-workflow.ts';
import { clock, random } from '../shared/adapters/system.ts';

/** SDK clients retry with backoff (standard mode, up to 5 attempts) before an error reaches a use case. */
const sdk = { maxAttempts: 5, retryMode: 'standard' as const };

/** What the handlers observe with (functions/runtime.ts): the metrics adapter, and tracing of SDK clients. */
export interface Instruments {
  metrics: Metrics;
  /** Traces an AWS SDK client's calls (Powertools Tracer's captureAWSv3Client; the client as it is when tracing is off). */
  capture: <T>(client: T) => T;
}

/** SES, through the one send-rate limiter when the stack gives its table (every deployed function). */
function mailer(config: Config, ses: SESClient, dynamo: DynamoDBClient): Mailer {
  const direct = new SesMailer(ses, config.senderEmail, config.sesConfigurationSet);
  return config.sendRateTable ? new RateLimitedMailer(direct, new DynamoSendRateLimiter(dynamo, config.sendRateTable, config.sendRatePerSecond)) : direct;
}

export function createDeps(config: Config, alert: AlertWriter, instruments: Instruments): Deps {
  const { capture } = instruments;
  const dynamo = capture(new DynamoDBClient(sdk));
  const directory = new DynamoDirectory(dynamo, config.directoryTable);
  const deps: Deps = {
    guests: new DynamoGuestRepository(dynamo, config.guestsTable),
    attempts: new DynamoAttemptCounter(dynamo, config.guestsTable),
    alerts: new LogAlerts(alert),
    people: config.peopleDirectoryUrl ? new HttpPeopleDirectory(config.peopleDirectoryUrl) : directory,
    hsr: config.hsrDirectoryUrl ? new HttpHsrDirectory(config.hsrDirectoryUrl) : directory,
    mailer: mailer(config, capture(new SESClient(sdk)), dynamo),
    workflow: new StepFunctionsWorkflow(capture(new SFNClient(sdk)), config.stateMachineArn),
    clock,
    random,
    links: { activationUrl: config.activationUrl, portalUrl: config.portalUrl },
    hmsItRole: config.hmsItRole,
    metrics: instruments.metrics,
    accounts: accountDirectory(config, alert, instruments),
    checkpoints: new DynamoCheckpoints(dynamo, config.guestsTable),
    o2: new DynamoO2Repository(dynamo, config.o2Table),
    o2Workflow: new StepFunctionsWorkflow(capture(new SFNClient(sdk)), config.o2StateMachineArn),
    // The guest lifecycle's events reach the O2 lifecycle in this function (shared/app/events.ts).
    guestEvents: inProcessGuestEvents(() => deps, [onGuestEvent]),
  };
  return deps;
}

/**
 * The HMS account directory over SCIM 2.0, its bearer token from Secrets Manager (read at the first
 * call, kept). Each failed call is counted (DirectoryFailures, alarmed) and logged, without a body,
 * a token or a password. Without an endpoint or a secret, every call fails as the directory being
 * unavailable: nothing is lost, and the alarm says so.
 */
function accountDirectory(config: Config, alert: AlertWriter, instruments: Instruments): AccountDirectory {
  if (!config.scimEndpoint || !config.scimTokenSecret) {
    const missing = !config.scimEndpoint ? 'SCIM_ENDPOINT' : 'SCIM_TOKEN_SECRET';
    const fail = async (): Promise<never> => {
      instruments.metrics.count(METRIC_NAMES.directoryFailure);
      throw new DirectoryUnavailableError(`The account directory is not configured (${missing} is not set).`);
    };
    return { findByExternalId: fail, findByUserName: fail, modifiedSince: fail, create: fail, update: fail, setPassword: fail, addToGroup: fail, removeFromGroup: fail };
  }
  const token = new SecretToken(instruments.capture(new SecretsManagerClient(sdk)), config.scimTokenSecret);
  return new ScimAccountDirectory({
    endpoint: config.scimEndpoint,
    token,
    setPasswordUrl: config.setPasswordUrl,
    onFailure: (failure) => {
      instruments.metrics.count(METRIC_NAMES.directoryFailure);
      alert('account directory call failed', { directoryFailure: failure });
    },
  });
}
