/** Handler tests: the deployed handlers with the AWS SDK mocked (aws-sdk-client-mock). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { setRuntimeDeps } from '../../functions/runtime.ts';
import { handler as api } from '../../functions/api.ts';
import { handler as task } from '../../functions/lifecycle-task.ts';
import { handler as reconciler } from '../../functions/reconciler.ts';
import { useClock } from '../../shared/adapters/system.ts';
import { checkRouteAnswer } from '../support/contract.ts';

const NOW = new Date('2027-01-04T14:00:00Z');
const ctx = { functionName: 'test', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const dynamo = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESClient);
const sfn = mockClient(SFNClient);

const SPONSOR = { pk: 'PERSON#10000001', huid: '10000001', name: 'Ada Faculty', email: 'ada@hms.harvard.edu', role: 'faculty', school: 'HMS', site: 'Quad', active: true };
const HSR = { pk: 'HSR#20000001', huid: '20000001', firstName: 'Grace', lastName: 'Guest', personalEmail: 'grace@example.org', status: 'active', endDate: '2030-12-31' };

function apiEvent(routeKey: string, opts: { body?: unknown; huid?: string | null; roles?: string; path?: Record<string, string>; query?: Record<string, string> } = {}) {
  const huid = opts.huid === undefined ? '10000001' : opts.huid;
  return {
    version: '2.0',
    routeKey,
    rawPath: routeKey.split(' ')[1],
    headers: { 'content-type': 'application/json' },
    body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
    isBase64Encoded: false,
    pathParameters: opts.path,
    queryStringParameters: opts.query,
    requestContext: { requestId: 'r1', routeKey, http: { method: routeKey.split(' ')[0], sourceIp: '127.0.0.1' }, ...(huid ? { authorizer: { jwt: { claims: { huid, hms_roles: opts.roles ?? '[]' }, scopes: null } } } : {}) },
  } as never;
}

beforeEach(() => {
  // Prepare: configuration as the stack sets it, and a fixed clock
  Object.assign(process.env, { GUESTS_TABLE: 'Guests', DIRECTORY_TABLE: 'Directory', STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111111111111:stateMachine:GuestLifecycle', O2_TABLE: 'O2', O2_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111111111111:stateMachine:O2Lifecycle', AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT' });
  setRuntimeDeps(undefined);
  useClock({ now: () => NOW });
  dynamo.reset();
  ses.reset();
  sfn.reset();
  dynamo.on(GetCommand).resolves({});
  dynamo.on(GetCommand, { Key: { pk: 'PERSON#10000001' } }).resolves({ Item: SPONSOR });
  dynamo.on(GetCommand, { Key: { pk: 'HSR#20000001' } }).resolves({ Item: HSR });
  dynamo.on(PutCommand).resolves({});
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: NOW });
  ses.on(SendEmailCommand).resolves({ MessageId: 'm1' });
});

afterEach(() => setRuntimeDeps(undefined));

describe('api handler', () => {
  it('POST /v1/guests: writes the guest with a create-only condition, audits it and starts its execution', async () => {
    // Act
    const res = await api(apiEvent('POST /v1/guests', { body: { guestHuid: '20000001', population: 'visiting-faculty', endDate: '2027-06-30' } }), ctx);
    // Assess
    expect(res.statusCode).toBe(202);
    const guest = JSON.parse(res.body!);
    expect(guest).toMatchObject({ status: 'PENDING_APPROVAL', sponsorHuid: '10000001', startDate: '2027-01-04', endDate: '2027-06-30', approval: { bySubmission: true } });
    const puts = dynamo.commandCalls(PutCommand).map((c) => c.args[0].input);
    // The person's claim (one live account per person), then the guest, then its audit event: each create-only.
    expect(puts[0]!.Item).toMatchObject({ pk: 'PERSON#20000001', sk: 'LIVE', guestId: guest.guestId });
    expect(puts[1]!.Item).toMatchObject({ pk: `GUEST#${guest.guestId}`, sk: 'GUEST' });
    expect(puts[2]!.Item).toMatchObject({ sk: 'AUDIT#00000001', action: 'requested', actor: '10000001' });
    for (const put of puts) expect(put.ConditionExpression).toBe('attribute_not_exists(pk)');
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.name).toBe(`${guest.guestId}-1`);
    expect(JSON.parse(start.input!)).toEqual({ v: 1, guestId: guest.guestId });
  });

  it.each([
    ['an unknown field', { guestHuid: '20000001', population: 'visiting-faculty', endDate: '2027-06-30', admin: true }, '#/admin'],
    ['a bad HUID', { guestHuid: '123', population: 'visiting-faculty', endDate: '2027-06-30' }, '#/guestHuid'],
    ['an unlisted population', { guestHuid: '20000001', population: 'friend', endDate: '2027-06-30' }, '#/population'],
    ['an impossible date', { guestHuid: '20000001', population: 'visiting-faculty', endDate: '2027-02-30' }, '#/endDate'],
    ['an end date more than a year out', { guestHuid: '20000001', population: 'visiting-faculty', endDate: '2028-01-05' }, '#/endDate'],
  ])('POST /v1/guests with %s: 400 problem+json naming the field, nothing written', async (_name, body, pointer) => {
    const res = await api(apiEvent('POST /v1/guests', { body }), ctx);
    expect(res.statusCode).toBe(400);
    expect(res.headers!['content-type']).toBe('application/problem+json');
    const problem = JSON.parse(res.body!);
    expect(problem.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('a contractor without a HU contractor ID is refused field by field', async () => {
    const res = await api(apiEvent('POST /v1/guests', { body: { guestHuid: '20000001', population: 'harvard-contractor', endDate: '2027-06-30' } }), ctx);
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body!).errors).toEqual([{ pointer: '#/contractorId', detail: 'required for population harvard-contractor' }]);
  });

  it('a caller who is not an eligible sponsor gets 403 with the reason', async () => {
    dynamo.on(GetCommand, { Key: { pk: 'PERSON#10000006' } }).resolves({ Item: { ...SPONSOR, pk: 'PERSON#10000006', huid: '10000006', role: 'student' } });
    const res = await api(apiEvent('POST /v1/guests', { huid: '10000006', body: { guestHuid: '20000001', population: 'agency-temp', endDate: '2027-06-30' } }), ctx);
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body!).detail).toContain('faculty or staff');
  });

  it('a Wyss requester is pointed to Wyss HR and Academic Affairs', async () => {
    dynamo.on(GetCommand, { Key: { pk: 'PERSON#10000005' } }).resolves({ Item: { ...SPONSOR, pk: 'PERSON#10000005', huid: '10000005', school: 'Wyss', site: 'Wyss', role: 'staff' } });
    const res = await api(apiEvent('POST /v1/guests', { huid: '10000005', body: { guestHuid: '20000001', population: 'agency-temp', endDate: '2027-06-30' } }), ctx);
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body!).detail).toContain('AcademicAffairs@wyss.harvard.edu');
  });

  it('no HUID claim: 401, nothing read', async () => {
    const res = await api(apiEvent('GET /v1/guests', { huid: null }), ctx);
    expect(res.statusCode).toBe(401);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('a guest of another sponsor answers 404, like a missing one', async () => {
    const other = { pk: 'GUEST#6b1f7c0e-0000-4000-8000-000000000001', sk: 'GUEST', guestId: '6b1f7c0e-0000-4000-8000-000000000001', sponsorHuid: '10000002', status: 'ACTIVE' };
    dynamo.on(GetCommand, { Key: { pk: `GUEST#${other.guestId}`, sk: 'GUEST' } }).resolves({ Item: other });
    const seen = await api(apiEvent('GET /v1/guests/{guestId}', { path: { guestId: other.guestId } }), ctx);
    const missing = await api(apiEvent('GET /v1/guests/{guestId}', { path: { guestId: '6b1f7c0e-0000-4000-8000-000000000002' } }), ctx);
    expect(seen.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(seen.body!).title).toBe(JSON.parse(missing.body!).title);
  });

  it('a DynamoDB failure is a 500 problem without internals', async () => {
    dynamo.on(GetCommand).rejects(new Error('ProvisionedThroughputExceededException: secret detail'));
    const res = await api(apiEvent('POST /v1/guests', { body: { guestHuid: '20000001', population: 'visiting-faculty', endDate: '2027-06-30' } }), ctx);
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret detail');
  });

  it('answers with what the document declares, the ETag of the guest and where it is', async () => {
    // Act
    const res = await api(apiEvent('POST /v1/guests', { body: { guestHuid: '20000001', population: 'visiting-faculty', endDate: '2027-06-30' } }), ctx);
    // Assess
    const guest = JSON.parse(res.body!);
    expect(res.headers).toMatchObject({ etag: '"1"', location: `/v1/guests/${guest.guestId}` });
    checkRouteAnswer('POST /v1/guests', { status: res.statusCode!, headers: res.headers as Record<string, string>, body: res.body! });
  });

  it('GET /v1/me: the caller, the sponsors who named them (one read of the reverse item, each sponsor read), whether they may sponsor', async () => {
    // Prepare: Lee, named by Ada
    dynamo.on(GetCommand, { Key: { pk: 'PERSON#10000004' } }).resolves({ Item: { ...SPONSOR, pk: 'PERSON#10000004', huid: '10000004', name: 'Lee LabAdmin', role: 'staff' } });
    dynamo.on(GetCommand, { Key: { pk: 'PERSON#10000001' } }).resolves({ Item: { ...SPONSOR, delegates: ['10000004'] } });
    dynamo.on(GetCommand, { Key: { pk: 'DELEGATE#10000004' } }).resolves({ Item: { pk: 'DELEGATE#10000004', huid: '10000004', sponsors: ['10000001'] } });
    // Act
    const res = await api(apiEvent('GET /v1/me', { huid: '10000004' }), ctx);
    // Assess
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body!)).toEqual({
      huid: '10000004',
      name: 'Lee LabAdmin',
      email: SPONSOR.email,
      roles: ['sponsor', 'delegate'],
      sponsorEligibility: { eligible: true, reason: null, detail: null, contact: null },
      delegateOf: [{ huid: '10000001', name: 'Ada Faculty', eligible: true }],
    });
    checkRouteAnswer('GET /v1/me', { status: res.statusCode!, headers: res.headers as Record<string, string>, body: res.body! });
    expect(dynamo.calls().every((c) => c.args[0] instanceof GetCommand)).toBe(true);
  });

  it('GET /v1/guests?as=hms-it: one query per status on the status index, never a Scan; refused without the role', async () => {
    // Prepare
    dynamo.on(QueryCommand).resolves({ Items: [] });
    // Act
    const all = await api(apiEvent('GET /v1/guests', { query: { as: 'hms-it' }, roles: '[hms-it]' }), ctx);
    const active = await api(apiEvent('GET /v1/guests', { query: { as: 'hms-it', status: 'ACTIVE', expiringBefore: '2027-03-01' }, roles: '[hms-it]' }), ctx);
    const refused = await api(apiEvent('GET /v1/guests', { query: { as: 'hms-it' } }), ctx);
    // Assess
    expect(all.statusCode).toBe(200);
    expect(JSON.parse(all.body!)).toEqual({ items: [], cursor: null });
    const queries = dynamo.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries.map((q) => [q.IndexName, q.ExpressionAttributeValues?.[':p']])).toEqual([
      ...['PENDING_HSR', 'PENDING_APPROVAL', 'PENDING_ACTIVATION', 'ACTIVE', 'EXPIRED', 'DENIED', 'APPROVAL_EXPIRED', 'HSR_TIMEOUT', 'CANCELLED', 'FAILED'].map((s) => ['byStatus', s]),
      ['byStatus', 'ACTIVE'],
    ]);
    expect(queries.at(-1)).toMatchObject({ KeyConditionExpression: '#p = :p AND #e < :e', ExpressionAttributeValues: { ':p': 'ACTIVE', ':e': '2027-03-01' } });
    expect(active.statusCode).toBe(200);
    expect(refused.statusCode).toBe(403);
    checkRouteAnswer('GET /v1/guests', { status: refused.statusCode!, headers: refused.headers as Record<string, string>, body: refused.body! });
  });

  it('GET /openapi.json is an OpenAPI 3.1 document with every route', async () => {
    const res = await api(apiEvent('GET /openapi.json', { huid: null }), ctx);
    const doc = JSON.parse(res.body!);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/guests', '/v1/guests/{guestId}/decision', '/v1/activate']));
    expect(doc.paths['/v1/guests'].post.requestBody.content['application/json'].schema.required).toEqual(['guestHuid', 'population', 'endDate']);
  });
});

describe('lifecycle task handler', () => {
  it('plan: an active account far from its end date waits until 09:00 New York time on T-7', async () => {
    const guest = { pk: 'GUEST#g1', sk: 'GUEST', guestId: 'g1', status: 'ACTIVE', endDate: '2027-03-01', sponsorHuid: '10000001', version: 3, dueAt: '2027-01-01T00:00:00.000Z' };
    dynamo.on(GetCommand, { Key: { pk: 'GUEST#g1', sk: 'GUEST' } }).resolves({ Item: guest });
    const out = await task({ v: 1, task: 'plan', guestId: 'g1', executionStartTime: NOW.toISOString(), iteration: 0 }, ctx);
    expect(out).toEqual({ action: 'wait', at: '2027-02-22T14:00:00Z', iteration: 1 });
    const save = dynamo.commandCalls(PutCommand)[0]!.args[0].input;
    expect(save.ConditionExpression).toBe('#version = :expected');
    expect(save.ExpressionAttributeValues).toEqual({ ':expected': 3 });
    expect(save.Item).toMatchObject({ dueAt: '2027-02-22T14:00:00.000Z', dueShard: 'DUE', version: 4 });
  });

  it('refuses a task payload from a newer definition', async () => {
    await expect(task({ v: 99, task: 'plan', guestId: 'g1' } as never, ctx)).rejects.toThrow(/version 99/);
  });
});

describe('reconciler handler', () => {
  it('restarts a guest whose execution failed, reading only the due index', async () => {
    const guest = { pk: 'GUEST#g2', sk: 'GUEST', guestId: 'g2', status: 'ACTIVE', endDate: '2027-03-01', sponsorHuid: '10000001', version: 5, dueAt: '2027-01-03T00:00:00.000Z', execution: { name: 'g2-1', generation: 1 } };
    dynamo.on(QueryCommand).resolves({ Items: [] }).on(QueryCommand, { TableName: 'Guests' }).resolves({ Items: [guest] });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED' });
    const report = await reconciler({}, ctx);
    expect(report.restarted).toEqual(['g2']);
    expect(dynamo.commandCalls(QueryCommand)[0]!.args[0].input.IndexName).toBe('byDue');
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.name).toBe('g2-2');
    expect(JSON.parse(start.input!)).toEqual({ v: 1, guestId: 'g2', phase: 'schedule', iteration: 0 });
  });

  it('leaves a running, on-time execution alone', async () => {
    const guest = { pk: 'GUEST#g3', sk: 'GUEST', guestId: 'g3', status: 'ACTIVE', endDate: '2027-03-01', sponsorHuid: '10000001', version: 5, dueAt: NOW.toISOString(), execution: { name: 'g3-1', generation: 1 } };
    dynamo.on(QueryCommand).resolves({ Items: [] }).on(QueryCommand, { TableName: 'Guests' }).resolves({ Items: [guest] });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    const report = await reconciler({}, ctx);
    expect(report).toMatchObject({ examined: 1, restarted: [], skipped: 1 });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

