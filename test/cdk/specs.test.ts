/** The CDK-free modules the local mode shares with the stack: routes, schedule, definition resolver. */
import { describe, expect, it } from 'vitest';
import { definitionFromTemplate, localFunctionArn, resolveIntrinsic, type CfnTemplate } from '../../infra/definition.ts';
import { clientThrottleFor, DEFAULT_THROTTLE, ROUTES, matchRoute, routeKey, throttleFor } from '../../infra/routes.ts';
import { RECONCILER_SCHEDULE } from '../../infra/schedule-spec.ts';

describe('routes', () => {
  it('are unique and public only for activation and the OpenAPI document', () => {
    const keys = ROUTES.map(routeKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(ROUTES.filter((r) => !r.auth).map(routeKey).sort()).toEqual(['GET /openapi.json', 'POST /v1/activate']);
    expect(ROUTES).toHaveLength(12);
  });

  it('match requests with path parameters', () => {
    expect(matchRoute('POST', '/v1/guests/g-123/decision')).toEqual({
      route: { method: 'POST', path: '/v1/guests/{guestId}/decision', auth: true },
      pathParameters: { guestId: 'g-123' },
    });
    expect(matchRoute('get', '/v1/guests')?.route.path).toBe('/v1/guests');
    expect(matchRoute('GET', '/v1/guests/')).toBeUndefined();
    expect(matchRoute('DELETE', '/v1/guests/x')).toBeUndefined();
    expect(matchRoute('POST', '/v1/activate')?.route.auth).toBe(false);
  });

  it('throttle activation harder than the default', () => {
    expect(throttleFor('POST /v1/activate')).toEqual({ burstLimit: 100, rateLimit: 50 });
    expect(throttleFor('GET /v1/guests')).toBe(DEFAULT_THROTTLE);
    expect(throttleFor('POST /v1/activate').rateLimit).toBeLessThan(DEFAULT_THROTTLE.rateLimit);
  });

  it('limit each client well under the route ceilings (the local gateway; a WAF rule in AWS)', () => {
    for (const route of ROUTES) {
      const key = routeKey(route);
      expect(clientThrottleFor(key).burstLimit * 4, key).toBeLessThanOrEqual(throttleFor(key).burstLimit);
      expect(clientThrottleFor(key).rateLimit * 4, key).toBeLessThanOrEqual(throttleFor(key).rateLimit);
    }
  });
});

describe('reconciler schedule spec', () => {
  it('is daily at 06:00 New York time', () => {
    expect(RECONCILER_SCHEDULE).toEqual({ expression: 'cron(0 6 * * ? *)', timezone: 'America/New_York' });
  });
});

describe('definition resolver', () => {
  const template: CfnTemplate = {
    Resources: {
      Fn1: { Type: 'AWS::Lambda::Function' },
      Machine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          DefinitionString: {
            'Fn::Join': [
              '',
              [
                '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"',
                { 'Fn::GetAtt': ['Fn1', 'Arn'] },
                '","Next":"B"},"B":{"Type":"Task","Resource":"arn:',
                { Ref: 'AWS::Partition' },
                ':states:::states:startExecution","Parameters":{"StateMachineArn":"arn:',
                { Ref: 'AWS::Partition' },
                ':states:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':stateMachine:Self","Input":{"t":"',
                { Ref: 'SomeTable' },
                '"}},"End":true}}}',
              ],
            ],
          },
        },
      },
    },
  };

  it('replaces pseudo parameters, function ARNs and other references', () => {
    const out = definitionFromTemplate(template);
    expect(out.taskFunctionLogicalId).toBe('Fn1');
    expect(out.stateMachineLogicalId).toBe('Machine');
    expect(out.definition).toEqual({
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:Fn1', Next: 'B' },
        B: {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution',
          Parameters: { StateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Self', Input: { t: 'SomeTable' } },
          End: true,
        },
      },
    });
    expect(out.resources).toMatchObject({ Fn1: localFunctionArn('Fn1'), 'AWS::Region': 'us-east-1', SomeTable: 'SomeTable' });
  });

  it('takes another region and account', () => {
    expect(resolveIntrinsic({ 'Fn::GetAtt': ['Fn1', 'Arn'] }, template, { region: 'eu-west-1', account: '123456789012' })).toBe(
      'arn:aws:lambda:eu-west-1:123456789012:function:Fn1',
    );
  });

  it('refuses intrinsics it cannot resolve', () => {
    expect(() => resolveIntrinsic({ 'Fn::ImportValue': 'x' }, template)).toThrow(/Unsupported intrinsic/);
  });
});
