/**
 * The local API Gateway: matches the same routes as the deployed HTTP API (the one route table,
 * shared/http/routes.ts), with the same throttles, applies the same JWT
 * rules as its authorizer (signature, issuer, audience, real-time expiry, the route's scopes), builds
 * payload-v2 events and invokes the same handler. It also serves the local identity provider
 * (/_local/idp) and the local-only endpoints under /_local (clock, tokens, executions).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { routeKey, scopesFor, throttleFor } from '../shared/http/routes.ts';
import { tokenScopes, type LocalIdentityProvider } from './identity.ts';
import type { LocalClock } from './clock.ts';
import { matchRoute } from './route-match.ts';
import { clientThrottleFor, TokenBuckets } from './throttle.ts';
import type { LocalSite } from './web.ts';
import { viewerAddressHeader } from './edge.ts';
import { VIEWER_ADDRESS_HEADER } from '../shared/http/origin.ts';

export type ApiHandler = (event: unknown, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface LocalEndpoints {
  handle(req: IncomingMessage, body: string, url: URL): Promise<{ status: number; body: unknown } | undefined>;
}

export function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Claims as API Gateway's JWT authorizer hands them to a payload-v2 integration: every value a
 * string, arrays as "[a b]" (elements joined by spaces), so the handler's parser is tested on the
 * form it meets in AWS.
 */
export function gatewayClaims(payload: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(payload)) {
    if (v === undefined || v === null) continue;
    out[k] = Array.isArray(v) ? `[${v.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join(' ')}]` : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

/** Same shape as API Gateway's answers when it refuses before the handler. */
function gatewayAnswer(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ message }));
}

export function createApiServer(opts: {
  handler: ApiHandler;
  idp: LocalIdentityProvider;
  clock: LocalClock;
  local: LocalEndpoints;
  log?: (line: string) => void;
  /** The pages (local/web.ts), served beside the API at `/`: whatever is not the API's, the provider's or /_local/*. */
  site?: LocalSite | undefined;
  /**
   * What the template's distribution adds to the API's requests (local/edge.ts): with them, the
   * viewer's address as CloudFront-Viewer-Address too, as CloudFront does. None: the request as it came.
   */
  originHeaders?: Record<string, string>;
}): Server {
  const buckets = new TokenBuckets();
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // The OpenID provider reads its own request bodies (forms, token requests).
    if (opts.idp.handles(url.pathname)) {
      opts.idp.handle(req, res).catch((err: unknown) => {
        opts.log?.(`${req.method ?? 'GET'} ${url.pathname} 500 ${(err as Error).stack ?? String(err)}`);
        if (!res.headersSent) gatewayAnswer(res, 500, 'Internal Server Error');
        else res.end();
      });
      return;
    }
    // The pages: static files, not system work.
    if (opts.site?.handle(req, res, url)) return;
    // Local endpoints are not system work: moving the clock waits for the system, not for itself.
    const run = url.pathname.startsWith('/_local/') ? (fn: () => Promise<unknown>) => fn() : (fn: () => Promise<unknown>) => opts.clock.track(fn);
    void run(async () => {
      const method = (req.method ?? 'GET').toUpperCase();
      // API Gateway refuses payloads over 10 MB before any handler runs.
      const body = await readBody(req, 10 * 1024 * 1024);
      if (body === undefined) return gatewayAnswer(res, 413, 'Request Entity Too Large');
      try {
        if (url.pathname.startsWith('/_local/')) {
          const out = await opts.local.handle(req, body, url);
          if (!out) return gatewayAnswer(res, 404, 'Not Found');
          res.writeHead(out.status, { 'content-type': 'application/json' });
          return res.end(JSON.stringify(out.body));
        }
        const match = matchRoute(method, url.pathname);
        if (!match) return gatewayAnswer(res, 404, 'Not Found');
        const { route, pathParameters } = match;
        const key = routeKey(route);
        const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
        // Authenticate before counting: a caller without a valid token uses up nobody's requests.
        let claims: Record<string, string> | undefined;
        let scopes: string[] | null = null;
        if (route.auth) {
          const header = String(req.headers.authorization ?? '');
          const m = /^Bearer (.+)$/i.exec(header);
          if (!m) return gatewayAnswer(res, 401, 'Unauthorized', { 'www-authenticate': 'Bearer' });
          let payload: Record<string, unknown>;
          try {
            payload = await opts.idp.verify(m[1]!);
          } catch {
            return gatewayAnswer(res, 401, 'Unauthorized', { 'www-authenticate': 'Bearer error="invalid_token"' });
          }
          // The route's authorizationScopes: at least one in the token's scope (or scp) claim, else
          // 403 {"message":"Forbidden"} (an ID token has none). The handler then gets the token's
          // scopes, all of them, as a list; on a route without scopes API Gateway passes null.
          const required = scopesFor(route);
          if (required.length) {
            scopes = tokenScopes(payload);
            if (!scopes.some((s) => (required as readonly string[]).includes(s))) {
              return gatewayAnswer(res, 403, 'Forbidden', { 'www-authenticate': `Bearer error="insufficient_scope" scope="${required.join(' ')}"` });
            }
          }
          claims = gatewayClaims(payload);
        }
        // One bucket per client (the token's subject on signed-in routes, the source address on
        // public ones), under the route's own ceiling for all callers together, well above it.
        const client = claims ? `sub:${claims.sub ?? ''}` : `ip:${sourceIp}`;
        const nowMs = Date.now();
        if (!buckets.take(`${key}|${client}`, clientThrottleFor(key), nowMs) || !buckets.take(key, throttleFor(route), nowMs)) {
          return gatewayAnswer(res, 429, 'Too Many Requests');
        }
        const now = opts.clock.now();
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : String(v)]));
        // As CloudFront: its own headers replace any the client sent under their names.
        if (opts.originHeaders && Object.keys(opts.originHeaders).length) Object.assign(headers, { ...opts.originHeaders, [VIEWER_ADDRESS_HEADER]: viewerAddressHeader(sourceIp, req.socket.remotePort) });
        // No prototype: a parameter may be called "__proto__" or "constructor".
        const query = Object.create(null) as Record<string, string>;
        for (const [k, v] of url.searchParams) query[k] = Object.hasOwn(query, k) ? `${query[k]},${v}` : v;
        const requestId = randomUUID();
        const event = {
          version: '2.0',
          routeKey: key,
          rawPath: url.pathname,
          rawQueryString: url.search.replace(/^\?/, ''),
          headers,
          queryStringParameters: Object.keys(query).length ? query : undefined,
          pathParameters: Object.keys(pathParameters).length ? pathParameters : undefined,
          body: body.length ? body : undefined,
          isBase64Encoded: false,
          requestContext: {
            accountId: '000000000000',
            apiId: 'local',
            domainName: headers.host ?? 'localhost',
            domainPrefix: 'local',
            http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp, userAgent: headers['user-agent'] ?? '' },
            requestId,
            routeKey: key,
            stage: '$default',
            time: now.toUTCString(),
            timeEpoch: now.getTime(),
            ...(claims ? { authorizer: { jwt: { claims, scopes } } } : {}),
          },
        };
        const out = await opts.handler(event, lambdaContext('api'));
        res.writeHead(out.statusCode ?? 200, { 'apigw-requestid': requestId, ...(out.headers as Record<string, string>) });
        res.end(out.body ?? '');
        opts.log?.(`${method} ${url.pathname} ${out.statusCode}`);
      } catch (err) {
        opts.log?.(`${method} ${url.pathname} 500 ${(err as Error).stack ?? String(err)}`);
        gatewayAnswer(res, 500, 'Internal Server Error');
      }
    });
  });
}
