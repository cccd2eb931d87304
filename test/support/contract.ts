/**
 * The API's answers held to its OpenAPI document (shared/http/openapi.ts, the one the API serves):
 * every answer of a route must be a status the operation declares, in a content type it declares
 * for that status, with a body valid against that schema (ajv, JSON Schema 2020-12, formats
 * checked), carrying every header declared as always sent, and no header the document does not
 * declare (beyond those of HTTP itself and API Gateway's request ID). A request to a path under
 * /v1/ that is no route must get API Gateway's own 404.
 *
 * Used by the shared HTTP helper (test/support/sample.ts `requestJson`), so every call the e2e
 * suites (test/support/cli.ts) and the in-process local system (test/support/local-system.ts)
 * make is checked; /_local/* (the clock, tokens, the identity provider) and the mailbox are not
 * API routes and are not checked.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { matchRoute } from '../../local/route-match.ts';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { routeKey, ROUTES, type RouteSpec } from '../../shared/http/routes.ts';

/** Headers any answer may carry without the document naming them: HTTP's own, and the request ID API Gateway adds to every answer. */
export const UNDECLARED_HEADERS_ALLOWED = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive', 'transfer-encoding', 'cache-control', 'apigw-requestid']);

export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
}

/** One answer as seen by a client. */
export interface ObservedAnswer {
  status: number;
  /** Header names in any case. */
  headers: Headers | Record<string, string | undefined>;
  /** The body as received (text). */
  body: string;
}

interface MediaType {
  schema: Record<string, unknown>;
}
interface ResponseObject {
  description: string;
  headers?: Record<string, { required?: boolean; schema: Record<string, unknown> }>;
  content?: Record<string, MediaType>;
}
interface OperationObject {
  operationId: string;
  responses: Record<string, ResponseObject>;
}

const BASE = 'https://contract.invalid/openapi.json';

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv2020) => Ajv2020;

/** ajv over the document's components (references rewritten to one schema's `$defs`), validators compiled once each. */
class Contract {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  readonly doc: { paths: Record<string, Record<string, OperationObject>>; components: { schemas: Record<string, unknown> } };

  constructor() {
    const rewritten = JSON.stringify(openApiDocument()).replaceAll('"#/components/schemas/', `"${BASE}#/$defs/`);
    this.doc = JSON.parse(rewritten) as Contract['doc'];
    this.ajv = addFormats(new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true }));
    this.ajv.addSchema({ $id: BASE, $defs: this.doc.components.schemas });
  }

  validator(key: string, schema: Record<string, unknown>): ValidateFunction {
    let v = this.compiled.get(key);
    if (!v) this.compiled.set(key, (v = this.ajv.compile(schema)));
    return v;
  }

  errors(v: ValidateFunction): string {
    return this.ajv.errorsText(v.errors, { separator: '; ' });
  }
}

let contract: Contract | undefined;
const theContract = () => (contract ??= new Contract());

function header(headers: ObservedAnswer['headers'], name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const found = Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase());
  return found?.[1] ?? undefined;
}

function headerNames(headers: ObservedAnswer['headers']): string[] {
  return headers instanceof Headers ? [...headers.keys()] : Object.keys(headers).filter((k) => headers[k] !== undefined).map((k) => k.toLowerCase());
}

/** Whether a request path is the API's: its routes, and any other path under /v1/ (answered by API Gateway's 404). */
export function isApiPath(path: string): boolean {
  const pathname = path.split('?')[0]!;
  return pathname === '/openapi.json' || pathname.startsWith('/v1/');
}

/** Checks one answer to `method path` (the path as sent, query string allowed); throws ContractViolation naming what does not match. */
export function checkAnswer(method: string, path: string, answer: ObservedAnswer): void {
  if (!isApiPath(path)) return;
  const pathname = path.split('?')[0]!;
  const match = matchRoute(method, pathname);
  const context = `${method.toUpperCase()} ${path} → ${answer.status}`;
  if (!match) {
    // No such route: API Gateway's own 404, nothing else.
    const schema = theContract().doc.components.schemas.GatewayNotFound as Record<string, unknown>;
    checkBody(context, `no-route`, schema, answer, 'application/json');
    if (answer.status !== 404) throw new ContractViolation(`${context}: a path that is no route must be answered 404 by the gateway`);
    return;
  }
  checkRouteAnswer(match.route, answer, context);
}

/** Checks one answer of a route (by its route key, e.g. `POST /v1/activate`), as the handler or the gateway gave it. */
export function checkRouteAnswer(route: RouteSpec | string, answer: ObservedAnswer, context = ''): void {
  const spec = typeof route === 'string' ? (ROUTES as readonly RouteSpec[]).find((r) => routeKey(r) === route) : route;
  if (!spec) throw new ContractViolation(`${String(route)} is no route of the table`);
  const where = context || `${routeKey(spec)} → ${answer.status}`;
  const op = theContract().doc.paths[spec.path]?.[spec.method.toLowerCase()];
  if (!op) throw new ContractViolation(`${where}: the document has no operation for ${routeKey(spec)}`);
  const response = op.responses[String(answer.status)];
  if (!response) throw new ContractViolation(`${where}: status ${answer.status} is not declared for ${op.operationId} (declared: ${Object.keys(op.responses).join(', ')})`);
  const type = (header(answer.headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const media = response.content?.[type];
  if (!media) throw new ContractViolation(`${where}: content type ${JSON.stringify(type)} is not declared for ${answer.status} (declared: ${Object.keys(response.content ?? {}).join(', ') || 'none'})\n${answer.body.slice(0, 500)}`);
  checkBody(where, `${op.operationId} ${answer.status} ${type}`, media.schema, answer, type);
  // Headers: every one declared as always sent is there and valid; nothing undeclared beyond HTTP's own.
  const declared = new Map(Object.entries(response.headers ?? {}).map(([name, h]) => [name.toLowerCase(), h]));
  for (const [name, h] of declared) {
    const value = header(answer.headers, name);
    if (value === undefined) {
      if (h.required) throw new ContractViolation(`${where}: header ${name} is declared as always sent, and is missing`);
      continue;
    }
    const v = theContract().validator(`${op.operationId} ${answer.status} header ${name}`, h.schema);
    if (!v(value)) throw new ContractViolation(`${where}: header ${name}: ${JSON.stringify(value)} ${theContract().errors(v)}`);
  }
  for (const name of headerNames(answer.headers)) {
    if (!declared.has(name) && !UNDECLARED_HEADERS_ALLOWED.has(name)) throw new ContractViolation(`${where}: header ${name} is sent but not declared for ${answer.status}`);
  }
}

function checkBody(where: string, key: string, schema: Record<string, unknown>, answer: ObservedAnswer, type: string): void {
  const sent = (header(answer.headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (sent !== type) throw new ContractViolation(`${where}: content type ${JSON.stringify(sent)}, expected ${type}`);
  let value: unknown;
  try {
    value = JSON.parse(answer.body);
  } catch {
    throw new ContractViolation(`${where}: the body is not JSON: ${answer.body.slice(0, 200)}`);
  }
  const v = theContract().validator(key, schema);
  if (!v(value)) throw new ContractViolation(`${where}: the body does not match the document: ${theContract().errors(v)}\n${answer.body.slice(0, 1000)}`);
}

/** A fetch that holds every answer of the API to the document, as `requestJson` does: for clients that bring their own (web/src/api/client.ts). */
export function contractFetch(inner: (request: Request) => Promise<Response> = (r) => fetch(r)): (request: Request) => Promise<Response> {
  return async (request) => {
    const response = await inner(request);
    const url = new URL(request.url);
    checkAnswer(request.method, `${url.pathname}${url.search}`, { status: response.status, headers: response.headers, body: await response.clone().text() });
    return response;
  };
}
