/**
 * The HTTP API: routes (by API Gateway route key) to use cases. Input is parsed by the zod schemas,
 * the caller comes from the verified JWT claims only, and every error leaves as problem+json.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { PreconditionFailedError, StaleWriteError, UnauthenticatedError, ValidationError } from '../domain/errors.ts';
import type { Caller } from '../domain/model.ts';
import type { Deps } from '../app/deps.ts';
import * as uc from '../app/guests.ts';
import { toHistoryItem, toView } from '../app/view.ts';
import { HttpProblem, parseWith } from './problem.ts';
import * as S from './schemas.ts';
import { openApiDocument } from './openapi.ts';

export const MAX_BODY_BYTES = 16 * 1024;

/** Where the caller's identity is in the token (CDK context, see infra/stack-config.ts), and the role names there are. */
export interface ClaimNames {
  huidClaim: string;
  rolesClaim: string;
  hmsItRole: string;
}

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
type Ctx = { event: ApiEvent; deps: Deps; claims: ClaimNames };
type Result = { status: number; body: unknown; headers?: Record<string, string> };

/**
 * A claim as API Gateway's HTTP API JWT authorizer passes it in a payload-v2 event: a string as it
 * is, an array as "[a b c]" (its elements joined by single spaces), anything else as a string.
 * Only strings are accepted here, so what runs in the tests is what runs behind API Gateway.
 */
export function claimValues(raw: unknown): string[] {
  if (typeof raw !== 'string' || raw === '') return [];
  const m = /^\[(.*)\]$/s.exec(raw);
  return m ? m[1]!.split(' ').filter((v) => v !== '') : [raw];
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
  const roles = values.every((v) => known.includes(v)) ? values : [];
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

/** If-Match: "<version>" (as the ETag of GET /v1/guests/{id}): the write happens only on that version. */
function ifMatch(e: ApiEvent): number | undefined {
  const raw = e.headers?.['if-match'];
  if (raw === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(raw.trim());
  if (!m) throw new ValidationError('The If-Match header is not valid.', { 'header:If-Match': ['must be the ETag of the guest, e.g. "3"'] });
  return Number(m[1]);
}

/**
 * Runs a write conditional on the If-Match header's version, if one was sent: then losing a race to
 * another writer after the check is 412 as well, never a plain conflict.
 */
async function conditional<T>(e: ApiEvent, write: (version: number | undefined) => Promise<T>): Promise<T> {
  const version = ifMatch(e);
  try {
    return await write(version);
  } catch (err) {
    if (version !== undefined && err instanceof StaleWriteError) throw new PreconditionFailedError(`The guest changed since version ${version}; read it again.`);
    throw err;
  }
}

const guestId = (e: ApiEvent) => parseWith(S.PathParams, e.pathParameters ?? {}, 'path').guestId;
const caller = (c: Ctx) => callerFrom(c.event, c.claims);
const view = (status: number) => (g: Parameters<typeof toView>[0]): Result => ({ status, body: toView(g) });

export const routes: Record<string, (c: Ctx) => Promise<Result>> = {
  'GET /openapi.json': async () => ({ status: 200, body: openApiDocument() }),
  'POST /v1/guests': async (c) => {
    const who = caller(c);
    return uc.requestGuest(c.deps, who, body(c.event, S.CreateGuestBody)).then((g) => ({ ...view(202)(g), headers: { location: `/v1/guests/${g.guestId}` } }));
  },
  'GET /v1/guests': async (c) => {
    const who = caller(c);
    const q = parseWith(S.ListQuery, c.event.queryStringParameters ?? {}, 'query');
    const page = await uc.listGuests(c.deps, who, q);
    return { status: 200, body: { items: page.items.map(toView), cursor: page.cursor ?? null } };
  },
  'GET /v1/guests/{guestId}': async (c) => {
    const g = await uc.getGuest(c.deps, caller(c), guestId(c.event));
    return { status: 200, body: toView(g), headers: { etag: `"${g.version}"` } };
  },
  'POST /v1/guests/{guestId}/decision': async (c) => {
    const who = caller(c);
    const id = guestId(c.event);
    const input = body(c.event, S.DecisionBody);
    return conditional(c.event, (v) => uc.decideRequest(c.deps, who, id, input, v)).then(view(200));
  },
  'POST /v1/guests/{guestId}/extension': async (c) => {
    const who = caller(c);
    const id = guestId(c.event);
    const input = body(c.event, S.ExtensionBody);
    return conditional(c.event, (v) => uc.extendGuest(c.deps, who, id, input, v)).then(view(200));
  },
  'POST /v1/guests/{guestId}/cancel': async (c) => {
    const who = caller(c);
    const id = guestId(c.event);
    body(c.event, S.ReasonBody, true);
    return conditional(c.event, (v) => uc.cancelGuest(c.deps, who, id, v)).then(view(200));
  },
  'POST /v1/guests/{guestId}/activation/resend': async (c) => {
    const who = caller(c);
    const id = guestId(c.event);
    body(c.event, S.ReasonBody, true);
    return conditional(c.event, (v) => uc.resendActivation(c.deps, who, id, v)).then(view(200));
  },
  'GET /v1/guests/{guestId}/history': async (c) => {
    const events = await uc.guestHistory(c.deps, caller(c), guestId(c.event));
    return { status: 200, body: { items: events.map(toHistoryItem) } };
  },
  'POST /v1/guests/{guestId}/expire': async (c) => {
    const who = caller(c);
    const id = guestId(c.event);
    const input = body(c.event, S.ReasonBody, true).reason;
    return conditional(c.event, (v) => uc.forceExpire(c.deps, who, id, input, v)).then(view(200));
  },
  'POST /v1/guests/{guestId}/reassign': async (c) => {
    const who = caller(c);
    const id = guestId(c.event);
    const input = body(c.event, S.ReassignBody);
    return conditional(c.event, (v) => uc.reassignSponsor(c.deps, who, id, input, v)).then(view(200));
  },
  'POST /v1/activate': async (c) => {
    const g = await uc.activate(c.deps, body(c.event, S.ActivateBody), c.event.requestContext.http.sourceIp);
    return { status: 200, body: { accountId: g.accountId, status: g.status, activatedAt: g.activatedAt } };
  },
};

export async function handleApi(event: ApiEvent, deps: Deps, claims: ClaimNames): Promise<APIGatewayProxyStructuredResultV2> {
  const route = routes[event.routeKey];
  if (!route) throw new HttpProblem(404, 'No such route', `${event.routeKey} is not a route of this API.`);
  const result = await route({ event, deps, claims });
  return {
    statusCode: result.status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...result.headers },
    body: JSON.stringify(result.body),
  };
}
