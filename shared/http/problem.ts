/** RFC 9457 problem details: the one place errors become HTTP answers. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { DirectoryUnavailableError, DomainError, RateLimitedError, ValidationError, type FieldErrors } from '../core/domain/errors.ts';

export const PROBLEM_TYPE_BASE = 'https://guests.hms.harvard.edu/problems/';

const STATUS: Record<DomainError['kind'], number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'precondition-failed': 412,
  gone: 410,
  unprocessable: 422,
  'rate-limited': 429,
  upstream: 502,
  unavailable: 503,
};

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
    /** The bad part(s) of the request, named as in a ValidationError. */
    readonly fields?: FieldErrors,
  ) {
    super(detail);
  }
}

/** A problem details body (RFC 9457), as every error of the API's handler is answered: declared once, for the handler and the OpenAPI document. */
export const ProblemSchema = z
  .strictObject({
    type: z.url().describe(`A URI naming the kind of problem, under ${PROBLEM_TYPE_BASE}`),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string().describe('What went wrong and, where the caller can, what to do'),
    instance: z.string().optional().describe('The request, as urn:request:<request ID>'),
    errors: z
      .array(
        z.strictObject({
          pointer: z.string().optional().describe('A JSON Pointer into the body, as a URI fragment (#/endDate)'),
          parameter: z.string().optional().describe('A path or query parameter by name'),
          header: z.string().optional().describe('A request header by name'),
          detail: z.string(),
        }),
      )
      .optional()
      .describe('Each bad part of the request, named by exactly one of pointer, parameter or header'),
  })
  .meta({ id: 'Problem', description: 'Problem details (RFC 9457)' });
export type ProblemBody = Omit<z.output<typeof ProblemSchema>, 'instance'>;

/** Where a field key (see FieldErrors) points: a parameter or header by name, or a place in the body. */
const LOCATED = /^(query|path|header|body):(.*)$/s;

/** A JSON Pointer (RFC 6901) as a URI fragment: `#` for the whole body, `#/services/0`, `#/a~1b` for the key "a/b". */
function fragment(pointer: string): string {
  const encode = (token: string) =>
    [...Buffer.from(token, 'utf8')].map((b) => (b < 0x80 && /[A-Za-z0-9\-._~!$&'()*+,;=:@]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
  return `#${pointer.split('/').map(encode).join('/')}`;
}

/** One JSON Pointer reference token (RFC 6901): `~` and `/` escaped. */
export const pointerToken = (name: string): string => name.replace(/~/g, '~0').replace(/\//g, '~1');

/** Field errors in RFC 9457 style: a JSON pointer for the body, a name for parameters and headers. */
function fieldErrors(fields: FieldErrors): NonNullable<ProblemBody['errors']> {
  const out: NonNullable<ProblemBody['errors']> = [];
  for (const [field, messages] of Object.entries(fields)) {
    const [, where = 'body', name = field] = LOCATED.exec(field) ?? [];
    // A body field is a top-level name ("endDate") or already a JSON Pointer ("/services/0", "" for the whole body).
    const pointer = name === '' || name.startsWith('/') ? name : `/${pointerToken(name)}`;
    for (const detail of messages) {
      if (where === 'query' || where === 'path') out.push({ parameter: name, detail });
      else if (where === 'header') out.push({ header: name, detail });
      else out.push({ pointer: fragment(pointer), detail });
    }
  }
  return out;
}

export function problemResponse(err: unknown): { body: ProblemBody; headers: Record<string, string> } {
  if (err instanceof DomainError) {
    const status = STATUS[err.kind];
    const body: ProblemBody = { type: `${PROBLEM_TYPE_BASE}${err.kind}`, title: err.title, status, detail: err.message };
    if (err.fields) body.errors = fieldErrors(err.fields);
    const retryAfter = err instanceof RateLimitedError || err instanceof DirectoryUnavailableError ? err.retryAfterSeconds : undefined;
    return { body, headers: retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {} };
  }
  const name = (err as { name?: string } | undefined)?.name;
  if (name === 'IdempotencyValidationError') {
    return { body: { type: `${PROBLEM_TYPE_BASE}idempotency-key-reused`, title: 'Idempotency-Key reused', status: 422, detail: 'This Idempotency-Key was already used with a different request body.' }, headers: {} };
  }
  if (name === 'IdempotencyAlreadyInProgressError') {
    return { body: { type: `${PROBLEM_TYPE_BASE}idempotency-in-progress`, title: 'Request in progress', status: 409, detail: 'A request with this Idempotency-Key is still being processed; retry shortly.' }, headers: { 'retry-after': '1' } };
  }
  if (err instanceof HttpProblem) {
    const body: ProblemBody = { type: `${PROBLEM_TYPE_BASE}http-${err.status}`, title: err.title, status: err.status, detail: err.detail };
    if (err.fields) body.errors = fieldErrors(err.fields);
    return { body, headers: err.headers };
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
  // No prototype: a field may be called "__proto__" or "constructor".
  const fields: FieldErrors = Object.create(null) as FieldErrors;
  const add = (path: readonly PropertyKey[], message: string) => {
    const names = path.map(String);
    // Body fields as JSON Pointers (a key may hold "." or "/"); parameters and headers by name.
    const key = where === 'body' ? names.map((n) => `/${pointerToken(n)}`).join('') : `${where}:${names.length ? names.join('.') : '(all)'}`;
    (fields[key] ??= []).push(message);
  };
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') for (const k of issue.keys) add([...issue.path, k], 'is not a known field');
    else add(issue.path, issue.message);
  }
  const one = Object.keys(fields).length === 1;
  const subject = where === 'body' ? 'The request body has' : `The ${where} parameters have`;
  throw new ValidationError(`${subject} ${one ? 'an error' : 'errors'}.`, fields);
}
