/**
 * Deployable over the running stack (issue 19): every resource that holds state or has a name keeps
 * its logical ID, so a deploy of a reshaped code base replaces nothing (a table, the pages bucket, a
 * secret, a state machine or a log group whose logical ID changed would be created anew and the old
 * one removed or orphaned). A new resource may come; none of these may go or move.
 */
import { describe, expect, it } from 'vitest';
import { template } from './synth.ts';

const KEPT: readonly [type: string, logicalId: string][] = [
  ['AWS::DynamoDB::Table', 'StorageGuestsTable48DF32CF'],
  ['AWS::DynamoDB::Table', 'StorageO2TableFF571A76'],
  ['AWS::DynamoDB::Table', 'StorageDirectoryTableC57CA7C8'],
  ['AWS::DynamoDB::Table', 'StorageIdempotencyTable5D6E4193'],
  ['AWS::DynamoDB::Table', 'MailSendRateTableAB8C4213'],
  ['AWS::S3::Bucket', 'WebSiteBucket1E6F6F45'],
  ['AWS::S3::Bucket', 'WebLogBucket8A1510ED'],
  ['AWS::SecretsManager::Secret', 'AccountDirectoryScimTokenF29F93F3'],
  ['AWS::SecretsManager::Secret', 'WebOriginSecret2E613EFE'],
  ['AWS::StepFunctions::StateMachine', 'LifecycleStateMachine5C00B038'],
  ['AWS::StepFunctions::StateMachine', 'O2LifecycleStateMachineCFB8D0FE'],
  ['AWS::Logs::LogGroup', 'LifecycleLogGroup1C3F0553'],
  ['AWS::Logs::LogGroup', 'O2LifecycleLogGroup48AC6ADC'],
  ['AWS::Logs::LogGroup', 'LifecycleTaskFunctionLogGroup5531FC87'],
  ['AWS::Logs::LogGroup', 'O2LifecycleTaskFunctionLogGroup2D0DC65E'],
  ['AWS::Logs::LogGroup', 'ApiHandlerLogGroup719950EC'],
  ['AWS::Logs::LogGroup', 'ApiAccessLogs50B185DB'],
  ['AWS::Logs::LogGroup', 'SchedulesReconcilerLogGroupDF3A8249'],
  ['AWS::Lambda::Function', 'LifecycleTaskFunctionD5E6598A'],
  ['AWS::Lambda::Function', 'O2LifecycleTaskFunction64225B28'],
  ['AWS::Lambda::Function', 'ApiHandlerFunction426EBE6D'],
  ['AWS::Lambda::Function', 'SchedulesReconcilerFunctionDD66C434'],
  ['AWS::SES::EmailIdentity', 'MailSenderIdentityB30C1300'],
  ['AWS::SES::ConfigurationSet', 'MailConfigurationSet2AA84368'],
  ['AWS::SNS::Topic', 'MonitoringAlarmTopicAF62D4F1'],
  ['AWS::SQS::Queue', 'SchedulesDeadLetterQueue84E31400'],
  ['AWS::Scheduler::Schedule', 'SchedulesDailyAFF74981'],
];

describe('logical IDs of stateful and named resources', () => {
  const resources = (template.toJSON() as { Resources: Record<string, { Type: string }> }).Resources;

  it.each(KEPT)('%s %s is still there, with that logical ID', (type, logicalId) => {
    expect(resources[logicalId]?.Type).toBe(type);
  });

  it('no table, bucket, secret, state machine or log group has a logical ID not listed here (a new one is added to the list on purpose)', () => {
    const stateful = /^AWS::(DynamoDB::Table|S3::Bucket|SecretsManager::Secret|StepFunctions::StateMachine|Logs::LogGroup)$/;
    const listed = new Set(KEPT.map(([, id]) => id));
    const unlisted = Object.entries(resources).filter(([id, r]) => stateful.test(r.Type) && !listed.has(id) && !id.startsWith('WebDeploymentLogs'));
    expect(unlisted.map(([id, r]) => `${r.Type} ${id}`)).toEqual([]);
  });
});
