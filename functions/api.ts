/** HTTP API handler: every /v1 route and the OpenAPI document. */
import middy from '@middy/core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { handleApi, type ApiEvent } from '../shared/http/api.ts';
import { idempotencyKey, makeIdempotentApi } from '../shared/http/idempotency.ts';
import { clientAddress } from '../shared/http/origin.ts';
import { toHttp } from '../shared/http/problem.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { logger, metrics, runtimeDeps } from './runtime.ts';

let idempotent: { deps: object; handle: (event: ApiEvent, context: Context) => Promise<APIGatewayProxyStructuredResultV2> } | undefined;

export const handler = middy<ApiEvent, APIGatewayProxyStructuredResultV2>()
  // The metrics counted during the invocation written as one EMF line at its end, whatever the outcome.
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  // The invocation's context in every log line; keys from an earlier invocation never leak into this one.
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .before(async (request) => {
    logger.appendKeys({ routeKey: request.event.routeKey, requestId: request.event.requestContext?.requestId });
  })
  .onError(async (request) => {
    const status = toHttp(request.error).statusCode ?? 500;
    if (status >= 500) logger.error('request failed', { error: request.error as Error });
    else logger.info('request refused', { status, error: (request.error as Error)?.message });
    request.response = toHttp(request.error, request.event.requestContext?.requestId);
  })
  .handler(async (event, context) => {
    const { config, deps } = runtimeDeps();
    // First of all, a request that went around the distribution is refused (403): before its
    // Idempotency-Key is read or a stored answer looked up (handleApi checks it too, for every route).
    clientAddress(event, config.originSecret);
    const handle = (e: ApiEvent) => handleApi(e, deps, config);
    if (idempotencyKey(event) !== undefined && config.idempotencyTable) {
      // Built once per set of adapters (once per container in Lambda).
      if (idempotent?.deps !== deps) idempotent = { deps, handle: makeIdempotentApi(handle, config.idempotencyTable, config, new DynamoDBClient({ maxAttempts: 5 })) };
      return idempotent.handle(event, context);
    }
    return handle(event);
  });
