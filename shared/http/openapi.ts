/** OpenAPI 3.1, generated from the same zod schemas that validate requests. */
import { z } from 'zod';
import { POPULATIONS, SERVICES, STATUSES } from '../domain/model.ts';
import * as S from './schemas.ts';

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

const problems = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: 'Problem details (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } }]));
const ok = (description: string, schema: unknown = { $ref: '#/components/schemas/Guest' }, code = '200') => ({ [code]: { description, content: { 'application/json': { schema } } } });
const jsonBody = (schema: z.ZodType, required = true) => ({ required, content: { 'application/json': { schema: json(schema) } } });
const guestIdParam = { name: 'guestId', in: 'path', required: true, schema: json(S.GuestId) };
const secured = [{ harvardKey: [] }];

let cached: Record<string, unknown> | undefined;

export function openApiDocument(): Record<string, unknown> {
  cached ??= {
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
    paths: {
      '/v1/guests': {
        post: {
          summary: 'Request a guest account',
          security: secured,
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 128 } }],
          requestBody: jsonBody(S.CreateGuestBody),
          responses: { ...ok('Accepted: the lifecycle has started', undefined, '202'), ...problems(400, 401, 403, 409, 413, 415, 422) },
        },
        get: {
          summary: "List the caller's guests",
          security: secured,
          parameters: Object.entries(json(S.ListQuery).properties as Record<string, unknown>).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
          responses: { ...ok('A page of guests', { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Guest' } }, cursor: { type: ['string', 'null'] } } }), ...problems(400, 401, 403) },
        },
      },
      '/v1/guests/{guestId}': {
        get: { summary: 'Read a guest', security: secured, parameters: [guestIdParam], responses: { ...ok('The guest'), ...problems(400, 401, 404) } },
      },
      '/v1/guests/{guestId}/decision': {
        post: { summary: 'Approve or deny (the sponsor)', security: secured, parameters: [guestIdParam], requestBody: jsonBody(S.DecisionBody), responses: { ...ok('Decided'), ...problems(400, 401, 403, 404, 409, 412) } },
      },
      '/v1/guests/{guestId}/extension': {
        post: { summary: 'Extend, or restore within 30 days of expiry', security: secured, parameters: [guestIdParam], requestBody: jsonBody(S.ExtensionBody), responses: { ...ok('Extended'), ...problems(400, 401, 403, 404, 409, 412, 422) } },
      },
      '/v1/guests/{guestId}/cancel': {
        post: { summary: 'Cancel the request or account', security: secured, parameters: [guestIdParam], requestBody: jsonBody(S.ReasonBody, false), responses: { ...ok('Cancelled'), ...problems(400, 401, 403, 404, 409, 412) } },
      },
      '/v1/guests/{guestId}/activation/resend': {
        post: { summary: 'Send a new activation code (the old one stops working)', security: secured, parameters: [guestIdParam], responses: { ...ok('Sent'), ...problems(400, 401, 403, 404, 409, 412) } },
      },
      '/v1/guests/{guestId}/history': {
        get: { summary: 'Audit trail of a guest', security: secured, parameters: [guestIdParam], responses: { ...ok('Audit events', { type: 'object', properties: { items: { type: 'array', items: { $ref: '#/components/schemas/HistoryItem' } } } }), ...problems(400, 401, 404) } },
      },
      '/v1/guests/{guestId}/expire': {
        post: { summary: 'Expire now (HMS IT)', security: secured, parameters: [guestIdParam], requestBody: jsonBody(S.ReasonBody, false), responses: { ...ok('Expired'), ...problems(400, 401, 403, 404, 409, 412) } },
      },
      '/v1/guests/{guestId}/reassign': {
        post: { summary: 'Move to another sponsor (HMS IT)', security: secured, parameters: [guestIdParam], requestBody: jsonBody(S.ReassignBody), responses: { ...ok('Reassigned'), ...problems(400, 401, 403, 404, 412) } },
      },
      '/v1/activate': {
        post: {
          summary: 'Activate an HMS account (the guest; no login)',
          description:
            'Every attempt without the right code gets the same 400, whatever the account ID (or a 429 when the caller must slow down). Only a caller holding the right code learns that the account is already active (200 again), closed or its code expired or locked (410), or not started yet (422).',
          requestBody: jsonBody(S.ActivateBody),
          responses: { ...ok('Activated', { type: 'object', properties: { accountId: { type: 'string' }, status: { type: 'string' }, activatedAt: { type: 'string' } } }), ...problems(400, 410, 422, 429) },
        },
      },
      '/openapi.json': { get: { summary: 'This document', responses: ok('OpenAPI 3.1', { type: 'object' }) } },
    },
  };
  return cached;
}
