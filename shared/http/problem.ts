/** RFC 9457 problem details: the one place errors become HTTP answers. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { DomainError, RateLimitedError, ValidationError, type FieldErrors } from '../domain/errors.ts';

export const PROBLEM_TYPE_BASE = 'https://guests.hms.harvard.edu/problems/';

const STATUS: Record<DomainError['kind'], number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unprocessable: 422,
  locked: 423,
  'rate-limited': 429,
};

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { pointer?: string; parameter?: string; header?: string; detail: string }[];
}

/** Field errors in RFC 9457 style: a JSON pointer for the body, a name for parameters and headers. */
function fieldErrors(fields: FieldErrors): NonNullable<ProblemBody['errors']> {
  const out: NonNullable<ProblemBody['errors']> = [];
  for (const [field, messages] of Object.entries(fields)) {
    const [where, name] = field.includes(':') ? (field.split(':', 2) as [string, string]) : ['body', field];
    for (const detail of messages) {
      if (where === 'query' || where === 'path') out.push({ parameter: name, detail });
      else if (where === 'header') out.push({ header: name, detail });
      else out.push({ pointer: `#/${name.split('.').join('/')}`, detail });
    }
  }
  return out;
}

export function problemResponse(err: unknown): { body: ProblemBody; headers: Record<string, string> } {
  if (err instanceof DomainError) {
    const status = STATUS[err.kind];
    const body: ProblemBody = { type: `${PROBLEM_TYPE_BASE}${err.kind}`, title: err.title, status, detail: err.message };
    if (err.fields) body.errors = fieldErrors(err.fields);
    return { body, headers: err instanceof RateLimitedError ? { 'retry-after': String(err.retryAfterSeconds) } : {} };
  }
  const name = (err as { name?: string } | undefined)?.name;
  if (name === 'IdempotencyValidationError') {
    return { body: { type: `${PROBLEM_TYPE_BASE}idempotency-key-reused`, title: 'Idempotency-Key reused', status: 422, detail: 'This Idempotency-Key was already used with a different request body.' }, headers: {} };
  }
  if (name === 'IdempotencyAlreadyInProgressError') {
    return { body: { type: `${PROBLEM_TYPE_BASE}idempotency-in-progress`, title: 'Request in progress', status: 409, detail: 'A request with this Idempotency-Key is still being processed; retry shortly.' }, headers: { 'retry-after': '1' } };
  }
  if (err instanceof HttpProblem) {
    return { body: { type: `${PROBLEM_TYPE_BASE}http-${err.status}`, title: err.title, status: err.status, detail: err.detail }, headers: err.headers };
  }
  return {
    body: { type: `${PROBLEM_TYPE_BASE}internal`, title: 'Internal error', status: 500, detail: 'Something went wrong on our side; it has been logged. Try again later.' },
    headers: {},
  };
}

export function toHttp(err: unknown, requestId?: string): APIGatewayProxyStructuredResultV2 {
  const { body, headers } = problemResponse(err);
  return {
    statusCode: body.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify(requestId ? { ...body, instance: `urn:request:${requestId}` } : body),
  };
}

/** Parses `value` with `schema`; a failure becomes a ValidationError naming each bad field. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'path' | 'header'): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields: FieldErrors = {};
  for (const issue of result.error.issues) {
    let name = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const k = `${where === 'body' ? '' : `${where}:`}${name ? `${name}.` : ''}${key}`;
        (fields[k] ??= []).push('is not a known field');
      }
      continue;
    }
    if (!name) name = where === 'body' ? '' : '(all)';
    const key = where === 'body' ? name : `${where}:${name}`;
    (fields[key] ??= []).push(issue.message);
  }
  throw new ValidationError(`The ${where === 'body' ? 'request body' : `${where} parameters`} ${Object.keys(fields).length === 1 ? 'has an error' : 'have errors'}.`, fields);
}
