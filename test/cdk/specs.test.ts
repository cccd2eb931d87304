/** The CDK-free modules the stack, the handlers and the local mode share: the route table, the schedule; and the local template resolver. */
import { describe, expect, it } from 'vitest';
import { matchRoute } from '../../local/route-match.ts';
import { stateMachinesFromTemplate } from '../../local/state-machines.ts';
import { localFunctionArn, localNames, resolve, type CfnTemplate } from '../../local/template.ts';
import { clientThrottleFor } from '../../local/throttle.ts';
import { RECONCILER_SCHEDULE } from '../../infra/schedule-spec.ts';
import { answersOf, openApiDocument } from '../../shared/http/openapi.ts';
import { DEFAULT_THROTTLE, pathParameterNames, ROUTES, routeKey, scopesFor, throttleFor, type RouteSpec } from '../../shared/http/routes.ts';

const route = (key: string): RouteSpec => ROUTES.find((r) => routeKey(r) === key)!;

describe('route table', () => {
  it('has unique route keys and handler names, public only for activation and the OpenAPI document', () => {
    const keys = ROUTES.map(routeKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(ROUTES.map((r) => r.name)).size).toBe(ROUTES.length);
    expect(ROUTES.filter((r) => !r.auth).map(routeKey).sort()).toEqual(['GET /openapi.json', 'POST /v1/activate']);
    // 16 for guests, activation and the document; 15 for labs and O2 accounts (issue 14); the HSR and PI confirmations (issue 20) among them.
    expect(ROUTES).toHaveLength(32);
  });

  it('declares a schema for exactly the path parameters of each path', () => {
    for (const r of ROUTES as readonly RouteSpec[]) {
      expect(Object.keys(r.operation.params?.shape ?? {}), routeKey(r)).toEqual(pathParameterNames(r.path));
    }
  });

  it('is what the OpenAPI document describes: every route, its operationId, security, parameters, body and statuses', () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, Record<string, unknown>>>; components: { schemas: Record<string, unknown> } };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(ROUTES.map(routeKey).sort());
    for (const r of ROUTES as readonly RouteSpec[]) {
      const op = doc.paths[r.path]![r.method.toLowerCase()]!;
      expect(op.operationId, routeKey(r)).toBe(r.name);
      expect(op.summary, routeKey(r)).toBe(r.operation.summary);
      // Secured routes name the scheme and the scopes the authorizer requires; public ones say they need nothing.
      expect(op.security, routeKey(r)).toEqual(r.auth ? [{ harvardKey: [...scopesFor(r)] }] : []);
      expect(Object.keys(op.responses as object).sort(), routeKey(r)).toEqual([...answersOf(r).keys()].map(String).sort());
      expect((op.requestBody as { required?: boolean } | undefined)?.required, routeKey(r)).toBe(r.operation.body?.required);
      const pathParams = ((op.parameters ?? []) as { in: string; name: string }[]).filter((p) => p.in === 'path').map((p) => p.name);
      expect(pathParams, routeKey(r)).toEqual(pathParameterNames(r.path));
    }
    // Every reference names a component of the document.
    for (const [, name] of JSON.stringify(doc).matchAll(/"#\/components\/schemas\/(\w+)"/g)) expect(doc.components.schemas, name).toHaveProperty(name!);
  });

  it('declares what each kind of route can answer: bad input, no token, body limits, If-Match, Idempotency-Key, throttling, 500', () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; responses: Record<string, { content: Record<string, unknown>; headers?: Record<string, { required: boolean }> }> }>> };
    for (const r of ROUTES as readonly RouteSpec[]) {
      const op = doc.paths[r.path]![r.method.toLowerCase()]!;
      const types = (status: number) => Object.keys(op.responses[String(status)]?.content ?? {}).sort();
      const headers = (op.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name);
      // The gateway's throttle and failures, and the handler's, on every route.
      expect(types(429), routeKey(r)).toContain('application/json');
      expect(types(500), routeKey(r)).toEqual(['application/json', 'application/problem+json']);
      if (r.auth) expect(types(401), routeKey(r)).toEqual(['application/json', 'application/problem+json']);
      else expect(op.responses['401'], routeKey(r)).toBeUndefined();
      if (r.operation.body) {
        expect(types(413), routeKey(r)).toEqual(['application/json', 'application/problem+json']);
        expect(types(415), routeKey(r)).toEqual(['application/problem+json']);
      }
      expect(headers.includes('Idempotency-Key'), routeKey(r)).toBe(r.method === 'POST');
      if (r.method === 'POST') expect(op.responses['409']?.headers?.['Retry-After']?.required, routeKey(r)).toBe(false);
      expect(headers.includes('If-Match'), routeKey(r)).toBe(Boolean(r.operation.ifMatch));
      expect(Boolean(op.responses['412']), routeKey(r)).toBe(Boolean(r.operation.ifMatch));
      // One guest, lab or O2 account answered: with its ETag, always.
      const success = op.responses[String(r.operation.success.status)]!;
      expect(success.headers?.ETag?.required ?? false, routeKey(r)).toBe(!r.operation.success.schema || r.operation.success.etag === true);
    }
    expect(doc.paths['/v1/guests']!.post!.responses['202']!.headers?.Location?.required).toBe(true);
    expect(doc.paths['/v1/activate']!.post!.responses['429']!.content).toHaveProperty(['application/problem+json']);
  });

  it('throttles activation harder than the default', () => {
    expect(throttleFor(route('POST /v1/activate'))).toEqual({ burstLimit: 100, rateLimit: 50 });
    expect(throttleFor(route('GET /v1/guests'))).toBe(DEFAULT_THROTTLE);
    expect(throttleFor(route('POST /v1/activate')).rateLimit).toBeLessThan(DEFAULT_THROTTLE.rateLimit);
  });
});

describe('the local gateway', () => {
  it('matches requests to routes of the table, with path parameters', () => {
    expect(matchRoute('POST', '/v1/guests/g-123/decision')).toEqual({ route: route('POST /v1/guests/{guestId}/decision'), pathParameters: { guestId: 'g-123' } });
    expect(matchRoute('POST', '/v1/guests/g-123/decision')?.route).toMatchObject({ method: 'POST', path: '/v1/guests/{guestId}/decision', auth: true });
    expect(matchRoute('get', '/v1/guests')?.route.path).toBe('/v1/guests');
    expect(matchRoute('GET', '/v1/guests/')).toBeUndefined();
    expect(matchRoute('DELETE', '/v1/guests/x')).toBeUndefined();
    expect(matchRoute('POST', '/v1/activate')?.route.auth).toBe(false);
    expect(matchRoute('GET', '/v1/guests/a%20b')?.pathParameters).toEqual({ guestId: 'a b' });
    expect(matchRoute('GET', '/v1/guests/%E0%A4%A')?.pathParameters).toEqual({ guestId: '%E0%A4%A' });
  });

  it('limits each client well under the route ceilings (the local gateway; a WAF rule in AWS)', () => {
    for (const r of ROUTES) {
      const key = routeKey(r);
      expect(clientThrottleFor(key).burstLimit * 4, key).toBeLessThanOrEqual(throttleFor(r).burstLimit);
      expect(clientThrottleFor(key).rateLimit * 4, key).toBeLessThanOrEqual(throttleFor(r).rateLimit);
    }
  });
});

describe('reconciler schedule spec', () => {
  it('is daily at 06:00 New York time', () => {
    expect(RECONCILER_SCHEDULE).toEqual({ expression: 'cron(0 6 * * ? *)', timezone: 'America/New_York' });
  });
});

describe('template resolver (local/template.ts, local/state-machines.ts)', () => {
  const template: CfnTemplate = {
    Resources: {
      Fn1: { Type: 'AWS::Lambda::Function' },
      SomeTable: { Type: 'AWS::DynamoDB::Table' },
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
      Named: { Type: 'AWS::StepFunctions::StateMachine', Properties: { StateMachineName: 'Second', DefinitionString: '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}' } },
    },
  };

  it('resolves every state machine: pseudo parameters, function ARNs and other references', () => {
    const [machine, named] = stateMachinesFromTemplate(template);
    expect(machine).toMatchObject({ logicalId: 'Machine', name: 'Machine', arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Machine', functions: ['Fn1'] });
    expect(machine!.definition).toEqual({
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Resource: localFunctionArn('Fn1'), Next: 'B' },
        B: {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution',
          Parameters: { StateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Self', Input: { t: 'SomeTable' } },
          End: true,
        },
      },
    });
    expect(named).toMatchObject({ logicalId: 'Named', name: 'Second', arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Second', functions: [] });
  });

  it('names the stack as it was synthesized', () => {
    expect(resolve({ 'Fn::Sub': '${AWS::StackName}-x' }, localNames(template, 'MyStack'))).toBe('MyStack-x');
    expect(resolve({ Ref: 'AWS::StackName' }, localNames(template))).toBe('GuestAccounts');
  });

  it('refuses intrinsics it cannot resolve, and references to resources the template does not hold', () => {
    expect(() => resolve({ 'Fn::ImportValue': 'x' }, localNames(template))).toThrow(/Unsupported intrinsic Fn::ImportValue/);
    expect(() => resolve({ Ref: 'Missing' }, localNames(template))).toThrow('The template has no resource Missing');
  });
});
