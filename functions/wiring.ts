/**
 * The composition root: the real adapters, wired from configuration, for every handler in this
 * folder. Use cases (shared/app) receive them as ports and never import an adapter or the AWS SDK;
 * tests wire in-memory ports instead (shared/adapters/memory.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Config } from '../shared/config.ts';
import type { Deps } from '../shared/app/deps.ts';
import { DynamoAttemptCounter, DynamoGuestRepository } from '../shared/adapters/dynamo-guests.ts';
import { DynamoDirectory, HttpHsrDirectory, HttpPeopleDirectory } from '../shared/adapters/directories.ts';
import { LogAlerts, type AlertWriter } from '../shared/adapters/log-alerts.ts';
import { SesMailer } from '../shared/adapters/ses-mailer.ts';
import { StepFunctionsWorkflow } from '../shared/adapters/sfn-workflow.ts';
import { clock, random } from '../shared/adapters/system.ts';

/** SDK clients retry with backoff (standard mode, up to 5 attempts) before an error reaches a use case. */
const sdk = { maxAttempts: 5, retryMode: 'standard' as const };

export function createDeps(config: Config, alert: AlertWriter): Deps {
  const dynamo = new DynamoDBClient(sdk);
  const directory = new DynamoDirectory(dynamo, config.directoryTable);
  return {
    guests: new DynamoGuestRepository(dynamo, config.guestsTable),
    attempts: new DynamoAttemptCounter(dynamo, config.guestsTable),
    alerts: new LogAlerts(alert),
    people: config.peopleDirectoryUrl ? new HttpPeopleDirectory(config.peopleDirectoryUrl) : directory,
    hsr: config.hsrDirectoryUrl ? new HttpHsrDirectory(config.hsrDirectoryUrl) : directory,
    mailer: new SesMailer(new SESClient(sdk), config.senderEmail, config.sesConfigurationSet),
    workflow: new StepFunctionsWorkflow(new SFNClient(sdk), config.stateMachineArn),
    clock,
    random,
    links: { activationUrl: config.activationUrl, portalUrl: config.portalUrl },
    hmsItRole: config.hmsItRole,
  };
}
