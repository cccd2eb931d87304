/**
 * Idempotency-Key on POST endpoints (Powertools idempotency, DynamoDB persistence): a retried
 * request with the same key, caller and route creates nothing twice and gets the first answer.
 * The same key with a different body is refused. Failed requests are not remembered.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ValidationError } from '../domain/errors.ts';
import type { ApiEvent, ClaimNames } from './api.ts';
import { IDEMPOTENCY_KEY_PATTERN as KEY } from './schemas.ts';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** The key from the request, validated; undefined when the request does not use one. */
export function idempotencyKey(event: ApiEvent): string | undefined {
  if (event.requestContext?.http?.method !== 'POST') return undefined;
  const key = event.headers?.[IDEMPOTENCY_HEADER];
  if (key === undefined) return undefined;
  if (!KEY.test(key)) throw new ValidationError('The Idempotency-Key header is not valid.', { [`header:Idempotency-Key`]: ['must be 8 to 128 visible ASCII characters'] });
  return key;
}

type Handle = (event: ApiEvent) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Whose request this is, for scoping idempotency records: the HUID from the verified token (under
 * the configured claim name) on signed-in routes, the source address on public ones. Two callers
 * using the same key never share a record.
 */
export function idempotencyScope(event: ApiEvent, claims: Pick<ClaimNames, 'huidClaim'>): string {
  const huid = (event.requestContext.authorizer?.jwt?.claims as Record<string, unknown> | undefined)?.[claims.huidClaim];
  return typeof huid === 'string' && huid ? `huid:${huid}` : `source:${event.requestContext.http.sourceIp}`;
}

/** Wraps `handle` so that requests carrying an Idempotency-Key are answered once per key and caller. */
export function makeIdempotentApi(handle: Handle, tableName: string, claims: Pick<ClaimNames, 'huidClaim'>, client: DynamoDBClient = new DynamoDBClient({ maxAttempts: 5 })) {
  const config = new IdempotencyConfig({
    // Scoped to the route, the path (the guest), the caller and the key.
    eventKeyJmesPath: '[routeKey, rawPath, idempotencyScope, headers."idempotency-key"]',
    // A POST without a body (cancel, resend, expire) has none: hash it as empty, not fail on undefined.
    payloadValidationJmesPath: "body || ''",
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: 24 * 60 * 60,
  });
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
  const idempotent = makeIdempotent((event: ApiEvent & { idempotencyScope: string }) => {
    const { idempotencyScope: _scope, ...original } = event;
    return handle(original as ApiEvent);
  }, { persistenceStore, config });
  return (event: ApiEvent, context: Context) => {
    config.registerLambdaContext(context);
    return idempotent({ ...event, idempotencyScope: idempotencyScope(event, claims) });
  };
}
