/** HTTP API handler: every /v1 route and the OpenAPI document. */
import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handleApi, type ApiEvent } from '../shared/http/api.ts';
import { toHttp } from '../shared/http/problem.ts';
import { logger, runtimeDeps } from './runtime.ts';

export const handler = middy<ApiEvent, APIGatewayProxyStructuredResultV2>()
  .before(async (request) => {
    logger.addContext(request.context);
    logger.appendKeys({ routeKey: request.event.routeKey, requestId: request.event.requestContext?.requestId });
  })
  .onError(async (request) => {
    const status = toHttp(request.error).statusCode ?? 500;
    if (status >= 500) logger.error('request failed', { error: request.error as Error });
    else logger.info('request refused', { status, error: (request.error as Error)?.message });
    request.response = toHttp(request.error, request.event.requestContext?.requestId);
  })
  .handler(async (event) => {
    const { config, deps } = runtimeDeps();
    return handleApi(event, deps, config);
  });
