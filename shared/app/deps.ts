/** What a use case needs, and the wiring of the real adapters from configuration. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Config } from '../config.ts';
import type { Alerts, AttemptCounter, Clock, GuestRepository, HsrDirectory, LifecycleWorkflow, Mailer, PeopleDirectory, Random } from '../ports.ts';
import { DynamoAttemptCounter, DynamoGuestRepository } from '../adapters/dynamo-guests.ts';
import { DynamoDirectory, HttpHsrDirectory, HttpPeopleDirectory } from '../adapters/directories.ts';
import { LogAlerts, type AlertWriter } from '../adapters/log-alerts.ts';
import { SesMailer } from '../adapters/ses-mailer.ts';
import { StepFunctionsWorkflow } from '../adapters/sfn-workflow.ts';
import { clock, random } from '../adapters/system.ts';
import type { Links } from './emails.ts';

export interface Deps {
  guests: GuestRepository;
  attempts: AttemptCounter;
  alerts: Alerts;
  people: PeopleDirectory;
  hsr: HsrDirectory;
  mailer: Mailer;
  workflow: LifecycleWorkflow;
  clock: Clock;
  random: Random;
  links: Links;
  hmsItRole: string;
}

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
