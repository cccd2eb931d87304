/**
 * The HTTP API: each route of the table (shared/http/routes.ts, found by API Gateway route key) to
 * its use case. Input is parsed by the route's zod schemas, the caller comes from the verified JWT
 * claims only, and every error leaves as problem+json.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod';
import { UnauthenticatedError, ValidationError } from '../core/domain/errors.ts';
import type { Caller } from '../core/domain/people.ts';
import type { Deps } from '../app/deps.ts';
import { whoAmI } from '../app/me.ts';
import type { GuestView } from '../guest/app/view.ts';
import { GUEST_HANDLERS } from '../guest/http/handlers.ts';
import { O2_HANDLERS } from '../o2/http/handlers.ts';
import type { ApiEvent, HandlersOf, Reply, Request } from './handler.ts';
import { HttpProblem, parseWith } from './problem.ts';
import { openApiDocument } from './openapi.ts';
import { clientAddress } from './origin.ts';
import { ROUTES, routeKey, type Route, type RouteName, type RouteSpec } from './routes.ts';

export type { ApiEvent };

export const MAX_BODY_BYTES = 16 * 1024;

/** Where the caller's identity is in the token (CDK context, see infra/stack-config.ts), and the role names there are. */
export interface ClaimNames {
  huidClaim: string;
  rolesClaim: string;
  hmsItRole: string;
}

/** What the API reads of the configuration: the claim names, and the origin secret of its distribution (shared/http/origin.ts). */
export interface ApiSettings extends ClaimNames {
  originSecret?: string | undefined;
}

/**
 * A claim as API Gateway's HTTP API JWT authorizer passes it in a payload-v2 event: a string as it
 * is, an array as "[a b c]" (its elements joined by single spaces), anything else as a string.
 * Only strings are accepted here, so what runs in the tests is what runs behind API Gateway.
 */
export function claimValues(raw: unknown): string[] {
  if (typeof raw !== 'string' || raw === '') return [];
  const m = /^\[(.*)\]$/s.exec(raw);
  if (!m) return [raw];
  // "[]" is an empty array; otherwise every element is kept as it comes, empty ones too: "[hms-it ]"
  // is ["hms-it",""] or ["hms-it "], and " hms-it" is not "hms-it" — a padded claim is not a role.
  return m[1] === '' ? [] : m[1]!.split(' ');
}

/**
 * The caller's HUID and roles, from the verified token's claims (never from the body). Roles come
 * from the dedicated role claim only, and only as exact, known role names (HMS IT's): API
 * Gateway's "[a b]" form cannot tell ["x hms-it"] from ["x", "hms-it"], so a claim holding any
 * value that is not a known role grants no role at all.
 */
export function callerFrom(event: ApiEvent, names: ClaimNames): Caller {
  const claims = (event.requestContext.authorizer?.jwt?.claims ?? {}) as Record<string, unknown>;
  const huid = claims[names.huidClaim];
  if (typeof huid !== 'string' || !/^\d{8}$/.test(huid)) throw new UnauthenticatedError(`The token has no valid ${names.huidClaim} claim.`);
  const values = claimValues(claims[names.rolesClaim]);
  const known = [names.hmsItRole];
  // Every element a known role, each once: "[hms-it hms-it]" is one element "hms-it hms-it" as often as two.
  const roles = values.every((v) => known.includes(v)) && new Set(values).size === values.length ? values : [];
  return { huid, roles };
}

function body<T extends z.ZodType>(event: ApiEvent, schema: T, optional = false): z.infer<T> {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) throw new HttpProblem(413, 'Request body too large', `The body must be at most ${MAX_BODY_BYTES} bytes.`, {}, { '': [`must be at most ${MAX_BODY_BYTES} bytes`] });
  if (!raw.trim()) {
    if (optional) return parseWith(schema, {}, 'body');
    throw new HttpProblem(400, 'Request body required', 'This endpoint needs a JSON body.', {}, { '': ['is required'] });
  }
  const type = event.headers?.['content-type'] ?? event.headers?.['Content-Type'] ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new HttpProblem(415, 'Unsupported media type', 'Send the body as application/json.', {}, { 'header:Content-Type': ['must be application/json'] });
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new HttpProblem(400, 'Malformed JSON', 'The request body is not valid JSON.', {}, { '': ['is not valid JSON'] });
  }
  return parseWith(schema, value, 'body');
}

/** If-Match: "<version>" (as the ETag of the guest, lab or O2 account): the write happens only on that version. */
function ifMatch(e: ApiEvent, what: string): number | undefined {
  const raw = e.headers?.['if-match'];
  if (raw === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(raw.trim());
  if (!m) throw new ValidationError('The If-Match header is not valid.', { 'header:If-Match': [`must be the ETag of the ${what}, e.g. "3"`] });
  return Number(m[1]);
}

/** What a route's resource is called in its messages, by its path. */
function resourceOf(route: Pick<RouteSpec, 'path'>): string {
  if (route.path.startsWith('/v1/labs')) return 'lab';
  if (route.path.startsWith('/v1/o2-accounts')) return 'O2 account';
  return 'guest';
}

/** Exactly one handler per route of the table: each lifecycle's own, and the two that belong to none. */
const handlers: HandlersOf<Route, Deps, GuestView> = {
  ...GUEST_HANDLERS,
  ...O2_HANDLERS,
  me: async (r) => ({ body: await whoAmI(r.deps, r.caller) }),
  openApi: async () => ({ body: openApiDocument() }),
};

/**
 * The query's parameters, once every one of them is percent-encoded UTF-8: API Gateway passes a
 * value it cannot decode ("%zz", "%C3") on as it came, which a free-text parameter would take for
 * text. Such a parameter is refused by name (400), as a value that breaks its schema is.
 */
function wellEncoded(raw: string | undefined, parameters: Record<string, string | undefined>): Record<string, string | undefined> {
  const fields: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const pair of (raw ?? '').split('&')) {
    if (!pair) continue;
    const at = pair.indexOf('=');
    const [key, value] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
    let name: string;
    try {
      name = decodeURIComponent(key.replace(/\+/g, ' '));
    } catch {
      (fields['query:(all)'] ??= []).push('has a parameter name that is not percent-encoded UTF-8');
      continue;
    }
    try {
      decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      (fields[`query:${name}`] ??= []).push('is not percent-encoded UTF-8');
    }
  }
  if (Object.keys(fields).length) throw new ValidationError('The query parameters are not percent-encoded UTF-8.', fields);
  return parameters;
}

const ROUTES_BY_KEY = new Map<string, RouteSpec>(ROUTES.map((r) => [routeKey(r), r]));

export async function handleApi(event: ApiEvent, deps: Deps, settings: ApiSettings): Promise<APIGatewayProxyStructuredResultV2> {
  // Before anything else: a request that went around the distribution is refused (403), whatever it asks.
  const client = clientAddress(event, settings.originSecret);
  const route = ROUTES_BY_KEY.get(event.routeKey);
  if (!route) throw new HttpProblem(404, 'No such route', `${event.routeKey} is not a route of this API.`);
  const op = route.operation;
  // In this order, as a handler reading them one by one would: who, which guest, then what.
  const caller = route.auth ? callerFrom(event, settings) : undefined;
  const params = op.params ? parseWith(op.params, event.pathParameters ?? {}, 'path') : undefined;
  const query = op.query ? parseWith(op.query, wellEncoded(event.rawQueryString, event.queryStringParameters ?? {}), 'query') : undefined;
  const input = op.body ? body(event, op.body.schema, !op.body.required) : undefined;
  const version = op.ifMatch ? ifMatch(event, resourceOf(route)) : undefined;
  const handler = handlers[route.name as RouteName] as (request: Request<Route, Deps>) => Promise<Reply>;
  const reply = await handler({ event, deps, caller, client, params, query, body: input, ifMatch: version } as Request<Route, Deps>);
  return {
    statusCode: op.success.status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...reply.headers },
    body: JSON.stringify(reply.body),
  };
}
