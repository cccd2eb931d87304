/** OpenAPI 3.1, generated from the route table (shared/http/routes.ts) and the zod schemas that validate requests. */
import { z } from 'zod';
import { POPULATIONS, SERVICES, STATUSES } from '../domain/model.ts';
import { ROUTES, type RouteSpec } from './routes.ts';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });

const GuestSchema = {
  type: 'object',
  required: ['guestId', 'status', 'guestHuid', 'sponsorHuid', 'population', 'startDate', 'endDate', 'accountId', 'entitlements', 'createdAt', 'updatedAt'],
  properties: {
    guestId: { type: 'string', format: 'uuid' },
    status: { enum: [...STATUSES] },
    guestHuid: { type: 'string' },
    guestName: { type: 'string' },
    sponsorHuid: { type: 'string' },
    submittedBy: { type: 'string' },
    population: { enum: [...POPULATIONS] },
    services: { type: 'array', items: { enum: [...SERVICES] } },
    startDate: { type: 'string', format: 'date' },
    endDate: { type: 'string', format: 'date' },
    accountId: { type: ['string', 'null'] },
    entitlements: {
      type: 'array',
      items: { type: 'object', properties: { name: { type: 'string' }, granted: { type: 'boolean' }, reason: { type: 'string' } } },
    },
    approval: { type: ['object', 'null'] },
    activation: { type: ['object', 'null'], properties: { expiresAt: { type: 'string' }, used: { type: 'boolean' }, locked: { type: 'boolean' } } },
    nextActionAt: { type: ['string', 'null'], format: 'date-time' },
    failure: { type: ['object', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    version: { type: 'integer' },
  },
};

/** One history event, redacted as the guest view is (shared/app/view.ts, toHistoryItem). */
const HistoryItem = {
  type: 'object',
  required: ['seq', 'at', 'actor', 'action', 'before', 'after', 'detail'],
  additionalProperties: false,
  properties: {
    seq: { type: 'integer', description: 'The guest version this event produced' },
    at: { type: 'string', format: 'date-time' },
    actor: { type: 'string', description: 'HUID of the person, or workflow, reconciler, activation-limiter' },
    action: { type: 'string', examples: ['requested', 'approved', 'provisioned', 'activated', 'extended', 'expiry-notice-sent', 'expired'] },
    before: { type: 'object', description: 'The changed fields before, as the guest view shows them (only fields the view shows)', properties: GuestSchema.properties },
    after: { type: 'object', description: 'The changed fields after, as the guest view shows them', properties: GuestSchema.properties },
    detail: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: { reason: { type: 'string' }, role: { type: 'string' }, hsr: { type: 'string' }, noticeDate: { type: 'string', format: 'date' }, to: { type: 'string' } },
    },
  },
};

const Problem = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { pointer: { type: 'string' }, parameter: { type: 'string' }, header: { type: 'string' }, detail: { type: 'string' } } },
    },
  },
};

const problems = (codes: readonly number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: 'Problem details (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } }]));
const secured = [{ harvardKey: [] }];

/** A path parameter per property of the schema (required), or a query parameter (optional). */
function parameters(schema: z.ZodObject, where: 'path' | 'query'): Record<string, unknown>[] {
  if (where === 'path') return Object.entries(schema.shape).map(([name, property]) => ({ name, in: 'path', required: true, schema: json(property) }));
  return Object.entries((json(schema).properties ?? {}) as Record<string, unknown>).map(([name, property]) => ({ name, in: 'query', required: false, schema: property }));
}

/** One operation of the document, from its route (shared/http/routes.ts). */
function operation(route: RouteSpec): Record<string, unknown> {
  const op = route.operation;
  const params = [
    ...(op.params ? parameters(op.params, 'path') : []),
    ...(op.query ? parameters(op.query, 'query') : []),
    ...(op.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: false, schema: h.schema })),
  ];
  return {
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(route.auth ? { security: secured } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(op.body ? { requestBody: { required: op.body.required, content: { 'application/json': { schema: json(op.body.schema) } } } } : {}),
    responses: {
      [String(op.success.status)]: { description: op.success.description, content: { 'application/json': { schema: op.success.schema ?? { $ref: '#/components/schemas/Guest' } } } },
      ...problems(op.problems),
    },
  };
}

let cached: Record<string, unknown> | undefined;

export function openApiDocument(): Record<string, unknown> {
  cached ??= document();
  return cached;
}

function document(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'HMS sponsored guest accounts',
      version: '1.0.0',
      description: 'Sponsors request, approve, extend and cancel HMS accounts for guests; guests activate them.',
    },
    components: {
      securitySchemes: { harvardKey: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Guest: GuestSchema, HistoryItem, Problem },
    },
    paths,
  };
}
