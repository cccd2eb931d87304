/**
 * Idempotency-Key on POST endpoints (Powertools idempotency, DynamoDB persistence): a retried
 * request with the same key, caller and route creates nothing twice and gets the first answer.
 * The same key with a different body is refused. Failed requests are not remembered.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ValidationError } from '../core/domain/errors.ts';
import type { ApiEvent, ApiSettings } from './api.ts';
import { clientAddress } from './origin.ts';
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
 * What the idempotency record's payload hash is taken of: the body (empty when there is none), but
 * never a password — the activation's is left out, so that no hash of it is stored beside the key.
 * The same key with the same account ID and code and another password is the same request.
 */
export function validationPayload(event: Pick<ApiEvent, 'body' | 'isBase64Encoded'>): string {
  if (!event.body) return '';
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, 'password')) {
      const { password: _password, ...rest } = value as Record<string, unknown>;
      return JSON.stringify(rest);
    }
  } catch {
    // not JSON: the handler refuses it; hashed as it is
  }
  return event.body;
}

/**
 * Whose request this is, for scoping idempotency records: the HUID from the verified token (under
 * the configured claim name) on signed-in routes, the client's address on public ones (the viewer's
 * behind the distribution: `clientAddress`, which also refuses a request that went around it, before
 * any stored answer is looked up). Two callers using the same key never share a record.
 */
export function idempotencyScope(event: ApiEvent, settings: Pick<ApiSettings, 'huidClaim' | 'originSecret'>): string {
  const client = clientAddress(event, settings.originSecret);
  const huid = (event.requestContext.authorizer?.jwt?.claims as Record<string, unknown> | undefined)?.[settings.huidClaim];
  return typeof huid === 'string' && huid ? `huid:${huid}` : `source:${client}`;
}

/** Wraps `handle` so that requests carrying an Idempotency-Key are answered once per key and caller. */
export function makeIdempotentApi(handle: Handle, tableName: string, settings: Pick<ApiSettings, 'huidClaim' | 'originSecret'>, client: DynamoDBClient = new DynamoDBClient({ maxAttempts: 5 })) {
  const config = new IdempotencyConfig({
    // Scoped to the route, the path (the guest), the caller and the key.
    eventKeyJmesPath: '[routeKey, rawPath, idempotencyScope, headers."idempotency-key"]',
    // The body as `validationPayload` gives it: a POST without a body (cancel, resend, expire) as
    // empty, an activation without its password (no hash of a password is ever stored).
    payloadValidationJmesPath: 'idempotencyPayload',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: 24 * 60 * 60,
  });
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
  const idempotent = makeIdempotent((event: ApiEvent & { idempotencyScope: string; idempotencyPayload: string }) => {
    const { idempotencyScope: _scope, idempotencyPayload: _payload, ...original } = event;
    return handle(original as ApiEvent);
  }, { persistenceStore, config });
  return (event: ApiEvent, context: Context) => {
    config.registerLambdaContext(context);
    return idempotent({ ...event, idempotencyScope: idempotencyScope(event, settings), idempotencyPayload: validationPayload(event) });
  };
}
