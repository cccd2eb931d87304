/**
 * Idempotency records belong to one caller: the same Idempotency-Key from two people never shares
 * a record, whatever the claim that carries the HUID is called; the same caller retrying gets the
 * first answer. Powertools idempotency on dynalite.
 */
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIdempotentApi } from '../../shared/http/idempotency.ts';
import type { ApiEvent } from '../../shared/http/api.ts';
import { lambdaContext } from '../../local/api-server.ts';
import { startTestDynamo, type TestDynamo } from '../support/dynalite.ts';

let db: TestDynamo;
beforeAll(async () => {
  db = await startTestDynamo();
});
afterAll(async () => {
  await db.stop();
});

const event = (claims: Record<string, string> | undefined, sourceIp = '192.0.2.1') =>
  ({
    routeKey: 'POST /v1/guests',
    rawPath: '/v1/guests',
    headers: { 'idempotency-key': 'same-key-0001', 'content-type': 'application/json' },
    body: '{"guestHuid":"20000001"}',
    requestContext: { http: { method: 'POST', sourceIp }, ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}) },
  }) as unknown as ApiEvent;

describe('Idempotency-Key records are bound to the caller', () => {
  it('two callers with the same key each get their own answer; a retry by one gets that one again (HUID under a custom claim name)', async () => {
    // Prepare: a handler that answers with who called it
    const calls: string[] = [];
    const handle = async (e: ApiEvent): Promise<APIGatewayProxyStructuredResultV2> => {
      const who = String((e.requestContext.authorizer?.jwt?.claims as Record<string, string>).employee_id);
      calls.push(who);
      return { statusCode: 202, body: JSON.stringify({ createdFor: who }) };
    };
    const idempotent = makeIdempotentApi(handle, db.idempotencyTable, { huidClaim: 'employee_id' }, db.client);
    const ctx = (): Context => lambdaContext('api');

    // Act
    const a = await idempotent(event({ employee_id: '10000001' }), ctx());
    const b = await idempotent(event({ employee_id: '10000002' }), ctx());
    const aAgain = await idempotent(event({ employee_id: '10000001' }), ctx());

    // Assess
    expect(JSON.parse(String(a.body))).toEqual({ createdFor: '10000001' });
    expect(JSON.parse(String(b.body))).toEqual({ createdFor: '10000002' });
    expect(aAgain.body).toBe(a.body);
    expect(calls).toEqual(['10000001', '10000002']);
  });

  it('on a public route, callers are told apart by source address', async () => {
    // Prepare
    let n = 0;
    const idempotent = makeIdempotentApi(async () => ({ statusCode: 200, body: String(++n) }), db.idempotencyTable, { huidClaim: 'huid' }, db.client);

    // Act
    const one = await idempotent(event(undefined, '198.51.100.1'), lambdaContext('api'));
    const two = await idempotent(event(undefined, '198.51.100.2'), lambdaContext('api'));
    const oneAgain = await idempotent(event(undefined, '198.51.100.1'), lambdaContext('api'));

    // Assess
    expect([one.body, two.body, oneAgain.body]).toEqual(['1', '2', '1']);
  });
});
