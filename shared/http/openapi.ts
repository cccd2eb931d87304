/**
 * OpenAPI 3.1, generated from the route table (shared/http/routes.ts), the zod schemas that
 * validate requests (schemas.ts) and the zod schemas that type the answers (shared/guest/app/view.ts and shared/o2/app/view.ts,
 * problem.ts): every status an operation can answer, from the handler (problem+json) or from
 * API Gateway itself (its fixed JSON bodies), with the headers each answer carries.
 */
import * as z from 'zod';
import { GuestViewSchema } from '../guest/app/view.ts';
import { ProblemSchema } from './problem.ts';
import { ROUTES, scopesFor, type RouteSpec } from './routes.ts';
import { IDEMPOTENCY_KEY_PATTERN, type OpenApiDocumentSchema } from './schemas.ts';

/** The document, as GET /openapi.json answers it. */
export type OpenApiDocument = z.output<typeof OpenApiDocumentSchema>;

/** JSON Schema of a request part (what is accepted), as written for the document. */
const json = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/** The component name of a registered answer schema (its `id` metadata). */
function componentOf(schema: z.ZodType): string {
  const id = (z.globalRegistry.get(schema) as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string') throw new Error('An answer schema must have an id (.meta({ id })) to be a component of the document');
  return id;
}

/**
 * API Gateway's own answers, before or instead of the handler: fixed JSON bodies that cannot be
 * changed (a JWT authorizer refusing a token, throttling, no such route, a payload over 10 MB,
 * an integration failure). The local gateway (local/api-server.ts) answers exactly these.
 */
export const GATEWAY_MESSAGES = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Request Entity Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
} as const;
export type GatewayStatus = keyof typeof GATEWAY_MESSAGES;

const gatewaySchemaName = (status: GatewayStatus) => `Gateway${GATEWAY_MESSAGES[status].replace(/\s+/g, '')}`;

/** What each status means, whoever answers it. */
const MEANING: Record<number, string> = {
  400: 'The request is not valid: `errors` names each bad parameter, header or body field',
  401: 'No valid token: the gateway refused it (JSON `{"message":"Unauthorized"}`), or the token has no valid HUID claim (problem+json)',
  403: 'Not allowed: the use case refused the caller (problem+json, with the reason), or the token lacks the route\'s scope (the gateway: `{"message":"Forbidden"}`)',
  404: 'No such guest, lab or O2 account, or one the caller may not see (the same answer)',
  409: 'Conflicts with the guest, lab or O2 account as it is now (its status, or a concurrent change), or a request with this Idempotency-Key is still in progress (with Retry-After)',
  410: 'The activation code can no longer be used (expired, locked, or the account closed)',
  412: 'The guest, lab or O2 account is no longer at the version named by If-Match: read it again',
  413: 'The body is too large: over 16 KB (problem+json), or over 10 MB (the gateway: `{"message":"Request Entity Too Large"}`)',
  415: 'The body is not sent as application/json',
  422: 'Well-formed, but a guest account or O2 rule refuses it; or this Idempotency-Key was used with another body',
  429: 'Too many requests: the gateway\'s throttle (`{"message":"Too Many Requests"}`, no Retry-After), or the activation limits (problem+json with Retry-After)',
  500: 'Something failed on our side: the handler (problem+json) or the integration (the gateway: `{"message":"Internal Server Error"}`)',
  502: 'The HMS account directory refused the change (HMS IT is alerted); nothing was changed here',
  503: 'The HMS account directory is not available right now: nothing was changed or used up; try again after Retry-After seconds',
};

interface HeaderSpec {
  description: string;
  required: boolean;
  schema: Record<string, unknown>;
}

/** One status of an operation: its description, each content type's schema, and its headers. */
export interface AnswerSpec {
  description: string;
  content: Record<string, Record<string, unknown>>;
  headers: Record<string, HeaderSpec>;
}

const ETAG: HeaderSpec = { description: 'Its version in quotes ("3"): send it back as If-Match to write only on that version', required: true, schema: { type: 'string', pattern: '^"\\d+"$' } };
/** Where the new resource is: under the path of the route that made it (`/v1/guests/<id>`). */
const locationOf = (route: RouteSpec): HeaderSpec => ({ description: 'Where the new resource is', required: true, schema: { type: 'string', pattern: `^${route.path}/[0-9a-f-]{36}$` } });
const RETRY_AFTER_409: HeaderSpec = { description: 'Seconds to wait: sent when a request with the same Idempotency-Key is still in progress', required: false, schema: { type: 'string', pattern: '^\\d+$' } };
const RETRY_AFTER_503: HeaderSpec = { description: 'Seconds to wait before trying again', required: true, schema: { type: 'string', pattern: '^\\d+$' } };
const RETRY_AFTER_429: HeaderSpec = { description: 'Seconds to wait: always sent with the problem+json answer (the activation limits); the gateway\'s throttle sends none', required: false, schema: { type: 'string', pattern: '^\\d+$' } };
const WWW_AUTHENTICATE: HeaderSpec = { description: 'The bearer challenge of the gateway\'s refusal', required: false, schema: { type: 'string' } };

/** Every status a route can answer, with who answers it: its use case and what any route of its kind answers, and API Gateway. */
export function answersOf(route: RouteSpec): Map<number, AnswerSpec> {
  const op = route.operation;
  const post = route.method === 'POST';
  const problems = new Set<number>([...op.problems, 500]);
  if (op.params || op.query || op.body || op.ifMatch || post) problems.add(400);
  if (route.auth) problems.add(401);
  if (post) [409, 422].forEach((s) => problems.add(s)); // Idempotency-Key in progress, or reused with another body
  if (op.ifMatch) problems.add(412);
  if (op.body) [413, 415].forEach((s) => problems.add(s));
  const gateway = new Set<GatewayStatus>([429, 500]);
  if (route.auth) gateway.add(401);
  if (scopesFor(route).length) gateway.add(403);
  if (op.body) gateway.add(413);

  const answers = new Map<number, AnswerSpec>();
  // A guest (no schema named), or one lab or O2 account: with its version as the ETag.
  const etag = !op.success.schema || op.success.etag === true;
  answers.set(op.success.status, {
    description: op.success.description,
    content: { 'application/json': ref(componentOf(op.success.schema ?? GuestViewSchema)) },
    headers: { ...(etag ? { ETag: ETAG } : {}), ...(op.success.location ? { Location: locationOf(route) } : {}) },
  });
  for (const status of [...new Set<number>([...problems, ...gateway])].sort()) {
    const content: AnswerSpec['content'] = {};
    if (problems.has(status)) content['application/problem+json'] = ref(componentOf(ProblemSchema));
    if (gateway.has(status as GatewayStatus)) content['application/json'] = ref(gatewaySchemaName(status as GatewayStatus));
    const headers: AnswerSpec['headers'] = {};
    if (status === 409 && post) headers['Retry-After'] = RETRY_AFTER_409;
    if (status === 429) headers['Retry-After'] = RETRY_AFTER_429;
    if (status === 503) headers['Retry-After'] = RETRY_AFTER_503;
    if ((status === 401 || status === 403) && gateway.has(status)) headers['WWW-Authenticate'] = WWW_AUTHENTICATE;
    answers.set(status, { description: MEANING[status] ?? 'Problem details (RFC 9457)', content, headers });
  }
  return answers;
}

/** The request headers an operation reads: If-Match on conditional writes, Idempotency-Key on every POST (shared/http/idempotency.ts). */
function headerParameters(route: RouteSpec): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (route.operation.ifMatch) {
    out.push({ name: 'If-Match', in: 'header', required: false, description: 'The ETag of the guest, lab or O2 account as read ("3"): the write happens only on that version, else 412', schema: { type: 'string', pattern: '^(W/)?"?\\d{1,9}"?$' } });
  }
  if (route.method === 'POST') {
    out.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Retry safely: the first answer to this key (per route, path and caller) is given again for 24 hours; the same key with another body is 422',
      schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN.source },
    });
  }
  return out;
}

/** A path parameter per property of the schema (required), or a query parameter (optional). */
function parameters(schema: z.ZodObject, where: 'path' | 'query'): Record<string, unknown>[] {
  if (where === 'path') return Object.entries(schema.shape).map(([name, property]) => ({ name, in: 'path', required: true, schema: withoutDialect(json(property)) }));
  return Object.entries((json(schema).properties ?? {}) as Record<string, Record<string, unknown>>).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: 'query', required: false, ...(description ? { description } : {}), schema: rest };
  });
}

/** A JSON Schema without `$schema`/`$id`: the document's dialect is OpenAPI 3.1's (2020-12), and components are named by the document. */
function withoutDialect(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

const TAGS = [
  { name: 'guests', description: 'Guest accounts: request, read, decide, extend, cancel, and what HMS IT does' },
  { name: 'labs', description: 'Labs: their PI, on-Quad or off-Quad standing, and registration with the HMS Research Computing Core' },
  { name: 'o2-accounts', description: 'O2 research-cluster accounts: request, approve, complete (RC Core), renew, keep on leaving HMS, cancel' },
  { name: 'caller', description: 'Who is calling' },
  { name: 'activation', description: 'The guest activates the account (no login)' },
  { name: 'document', description: 'This document' },
] as const;

function tagOf(route: RouteSpec): (typeof TAGS)[number]['name'] {
  if (route.path.startsWith('/v1/guests')) return 'guests';
  if (route.path.startsWith('/v1/labs')) return 'labs';
  if (route.path.startsWith('/v1/o2-accounts')) return 'o2-accounts';
  if (route.path === '/v1/me') return 'caller';
  if (route.path === '/v1/activate') return 'activation';
  return 'document';
}

/** One operation of the document, from its route (shared/http/routes.ts). */
function operation(route: RouteSpec): Record<string, unknown> {
  const op = route.operation;
  const params = [...(op.params ? parameters(op.params, 'path') : []), ...(op.query ? parameters(op.query, 'query') : []), ...headerParameters(route)];
  const responses: Record<string, unknown> = {};
  for (const [status, answer] of answersOf(route)) {
    responses[String(status)] = {
      description: answer.description,
      ...(Object.keys(answer.headers).length
        ? { headers: Object.fromEntries(Object.entries(answer.headers).map(([name, h]) => [name, { description: h.description, required: h.required, schema: h.schema }])) }
        : {}),
      content: Object.fromEntries(Object.entries(answer.content).map(([type, schema]) => [type, { schema }])),
    };
  }
  return {
    operationId: route.name,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [tagOf(route)],
    // Public routes say so: no security requirement at all.
    security: route.auth ? [{ harvardKey: [...scopesFor(route)] }] : [],
    ...(params.length ? { parameters: params } : {}),
    ...(op.body ? { requestBody: { required: op.body.required, content: { 'application/json': { schema: withoutDialect(json(op.body.schema)) } } } } : {}),
    responses,
  };
}

/** Every registered answer schema (shared/guest/app/view.ts and shared/o2/app/view.ts, problem.ts, schemas.ts) as a component, referring to one another by name. */
function answerComponents(): Record<string, Record<string, unknown>> {
  const { schemas } = z.toJSONSchema(z.globalRegistry, {
    target: 'draft-2020-12',
    io: 'output',
    uri: (id) => `#/components/schemas/${id}`,
    // Dates and instants are named by `format`; zod's own long patterns for them add nothing a reader or a generator needs.
    override: ({ jsonSchema }) => {
      if ((jsonSchema.format === 'date' || jsonSchema.format === 'date-time') && typeof jsonSchema.pattern === 'string') delete jsonSchema.pattern;
    },
  }) as unknown as { schemas: Record<string, Record<string, unknown>> };
  const gateway = Object.fromEntries(
    (Object.keys(GATEWAY_MESSAGES) as unknown as GatewayStatus[]).map((status) => [
      gatewaySchemaName(status),
      {
        type: 'object',
        description: `API Gateway's own ${status} answer (not the handler's): exactly this body, as application/json`,
        required: ['message'],
        additionalProperties: false,
        properties: { message: { type: 'string', const: GATEWAY_MESSAGES[status] } },
      },
    ]),
  );
  return { ...Object.fromEntries(Object.entries(schemas).map(([id, s]) => [id, withoutDialect(s)])), ...gateway };
}

let cached: OpenApiDocument | undefined;

export function openApiDocument(): OpenApiDocument {
  cached ??= document();
  return cached;
}

function document(): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES as readonly RouteSpec[]) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  const used = new Set(Object.keys(GATEWAY_MESSAGES).map((s) => gatewaySchemaName(Number(s) as GatewayStatus)));
  for (const [, name] of JSON.stringify(paths).matchAll(/"#\/components\/schemas\/(\w+)"/g)) used.add(name!);
  const components = answerComponents();
  return {
    openapi: '3.1.0',
    info: {
      title: 'HMS sponsored guest accounts',
      version: '1.0.0',
      description: [
        'Sponsors request, approve, extend and cancel HMS accounts for guests; guests activate them. PIs and their labs request O2 research-cluster accounts, which the HMS Research Computing Core completes for off-Quad labs.',
        '',
        'Errors from the API are RFC 9457 `application/problem+json`. API Gateway answers some requests itself, before or instead of the handler, with fixed `application/json` bodies that cannot be changed: 401 `{"message":"Unauthorized"}` (no valid token), 403 `{"message":"Forbidden"}` (the token lacks the route\'s scope), 404 `{"message":"Not Found"}` (no such route: any path or method not in this document), 413 `{"message":"Request Entity Too Large"}` (over 10 MB), 429 `{"message":"Too Many Requests"}` (throttled) and 500 `{"message":"Internal Server Error"}`. Each operation lists them with the content type that tells them apart.',
      ].join('\n'),
      license: { name: 'Proprietary: Harvard Medical School, all rights reserved', identifier: 'LicenseRef-HMS-Proprietary' },
    },
    servers: [{ url: '/', description: 'The origin serving this document: the HTTP API\'s URL in AWS (the stack output ApiUrl), http://127.0.0.1:3000 locally (npm start)' }],
    tags: TAGS.map((t) => ({ ...t })),
    components: {
      securitySchemes: { harvardKey: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from HarvardKey (OpenID Connect); the scopes each operation needs are listed with it' } },
      schemas: Object.fromEntries(Object.entries(components).filter(([name]) => used.has(name) || isReferenced(components, name, used))),
    },
    paths,
  };
}

/** Whether a component is reached from a used one (a Guest's Approval, a page's Guest). */
function isReferenced(components: Record<string, Record<string, unknown>>, name: string, used: Set<string>): boolean {
  const seen = new Set<string>();
  const walk = (n: string): boolean => {
    if (n === name) return true;
    if (seen.has(n)) return false;
    seen.add(n);
    return [...JSON.stringify(components[n] ?? {}).matchAll(/"#\/components\/schemas\/(\w+)"/g)].some(([, m]) => walk(m!));
  };
  return [...used].some((u) => walk(u));
}
