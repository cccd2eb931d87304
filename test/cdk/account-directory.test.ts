/**
 * The HMS account directory in the stack (issue 13): the token's secret, the endpoint as CDK
 * context, bound to the functions that call the directory; alarms on SCIM failures and on drift
 * repairs; the lifecycle's retries of directory failures (transient: a few, permanent: none).
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DIRECTORY_ERRORS } from '../../shared/core/domain/errors.ts';
import { configFromContext } from '../../infra/stack-config.ts';
import { STATE } from '../../workflows/guest.ts';
import { buildApp } from './build.ts';
import { definition, template } from './synth.ts';

type Fn = { Properties: { Description: string; Environment: { Variables: Record<string, unknown> } } };

const functions = () => Object.values(template.findResources('AWS::Lambda::Function', { Metadata: { 'hms:entry': Match.anyValue() } })) as Fn[];

describe('the account directory', () => {
  it("has one secret for the bearer token, kept when the stack goes, HMS IT's to fill", () => {
    // Assess
    const secrets = template.findResources('AWS::SecretsManager::Secret', { Properties: { Description: Match.stringLikeRegexp('Bearer token of the HMS account directory') } });
    expect(Object.keys(secrets)).toEqual([expect.stringMatching(/^AccountDirectoryScimToken/)]);
    expect(Object.values(secrets)[0]).toMatchObject({ DeletionPolicy: 'Retain' });
  });

  it('gives every function that calls it the endpoint and the secret (by reference): the tasks of both lifecycles, the API, the reconciler', () => {
    // Act
    const fns = functions();

    // Assess
    expect(fns).toHaveLength(4);
    for (const fn of fns) {
      expect(fn.Properties.Environment.Variables.SCIM_ENDPOINT, fn.Properties.Description).toBe('https://identity.hms.harvard.edu/scim/v2');
      expect(fn.Properties.Environment.Variables.SCIM_TOKEN_SECRET, fn.Properties.Description).toEqual({ Ref: expect.stringMatching(/^AccountDirectoryScimToken/) });
    }
  });

  it('takes the endpoint and the set-password link from CDK context; an endpoint that is not https is refused', () => {
    // Prepare
    const built = buildApp({ scimEndpoint: 'https://scim.example.org/v2', setPasswordUrl: 'https://password.example.org/set' });
    try {
      // Act
      const t = Template.fromStack(built.stack);

      // Assess
      for (const fn of Object.values(t.findResources('AWS::Lambda::Function', { Metadata: { 'hms:entry': Match.anyValue() } })) as Fn[]) {
        expect(fn.Properties.Environment.Variables).toMatchObject({ SCIM_ENDPOINT: 'https://scim.example.org/v2', SET_PASSWORD_URL: 'https://password.example.org/set' });
      }
    } finally {
      built.cleanup();
    }
    const app = new App({ context: { scimEndpoint: 'http://scim.example.org/v2' } });
    expect(() => configFromContext(app.node)).toThrow(/"scimEndpoint" must be an https:\/\/ URL/);
    expect(configFromContext(new App({ context: { scimEndpoint: 'https://scim.example.org/v2' } }).node).scimEndpoint).toBe('https://scim.example.org/v2');
  });

  it('alarms on failed SCIM calls and on accounts the reconciler set right (the use cases\' metrics, by service)', () => {
    for (const metric of ['DirectoryFailures', 'AccountsRepaired']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'HmsGuestAccounts',
        Dimensions: [{ Name: 'service', Value: 'hms-guest-accounts' }],
        Threshold: 1,
        AlarmActions: Match.anyValue(),
      });
    }
  });
});

describe('the lifecycle and the directory', () => {
  it('every Lambda task: a permanent directory failure is not retried, a transient one a few times, first; then the other retries', () => {
    // Prepare
    const states = definition().States;
    const tasks = Object.entries(states).filter(([name, s]) => s.Type === 'Task' && s.Catch?.some((c) => c.Next === STATE.RecordFailure) && name !== STATE.RequestApproval && name !== STATE.RemindApproval && name !== STATE.ContinueAsNew);
    expect(tasks.length).toBeGreaterThan(4);

    for (const [name, s] of tasks) {
      // Assess
      const retry = s.Retry!;
      const permanent = retry.findIndex((r) => r.ErrorEquals.join() === DIRECTORY_ERRORS.permanent.join());
      const transient = retry.findIndex((r) => r.ErrorEquals.join() === DIRECTORY_ERRORS.transient.join());
      const taskFailed = retry.findIndex((r) => r.ErrorEquals.includes('States.TaskFailed'));
      expect(retry[permanent], name).toMatchObject({ MaxAttempts: 0 });
      expect(retry[transient], name).toMatchObject({ MaxAttempts: 3, IntervalSeconds: 1 });
      // The first retrier whose errors match decides: the directory's come before the catch-all.
      expect(permanent, name).toBeGreaterThanOrEqual(0);
      expect(permanent < taskFailed && transient < taskFailed, name).toBe(true);
    }
  });
});
