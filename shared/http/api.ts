/**
 * The HTTP API: each route of the table (shared/http/routes.ts, found by API Gateway route key) to
 * its use case. Input is parsed by the route's zod schemas, the caller comes from the verified JWT
 * claims only, and every error leaves as problem+json.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { PreconditionFailedError, StaleWriteError, UnauthenticatedError, ValidationError } from '../core/domain/errors.ts';
import type { Guest } from '../guest/domain/model.ts';
import type { Caller } from '../core/domain/people.ts';
import type { Deps } from '../app/deps.ts';
import * as uc from '../guest/app/guests.ts';
import * as o2 from '../o2/app/o2.ts';
import type { Lab, O2Account } from '../o2/domain/model.ts';
import { guestExecutions, sponsorStandings } from '../guest/app/executions.ts';
import { whoAmI } from '../app/me.ts';
import { namesOf, o2People } from '../app/names.ts';
import { toLabHistoryItem, toLabPageView, toLabView, toO2HistoryItem, toO2PageView, toO2View, type LabView, type O2AccountView } from '../o2/app/view.ts';
import { toActivationResult, toExecutionList, toHistoryItem, toPageView, toView, type GuestView } from '../guest/app/view.ts';
import { HttpProblem, parseWith } from './problem.ts';
import { openApiDocument } from './openapi.ts';
import { clientAddress } from './origin.ts';
import { ROUTES, routeKey, type Route, type RouteName, type RouteSpec } from './routes.ts';

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

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

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

/**
 * Runs a write conditional on the If-Match header's version, if one was sent (routes declaring
 * `ifMatch` only): then losing a race to another writer after the check is 412 as well, never a
 * plain conflict.
 */
async function conditional<T>(r: { ifMatch: number | undefined }, write: (version: number | undefined) => Promise<T>, what = 'guest'): Promise<T> {
  const version = r.ifMatch;
  try {
    return await write(version);
  } catch (err) {
    if (version !== undefined && err instanceof StaleWriteError) throw new PreconditionFailedError(`The ${what} changed since version ${version}; read it again.`);
    throw err;
  }
}

/** What a route's resource is called in its messages, by its path. */
function resourceOf(route: Pick<RouteSpec, 'path'>): string {
  if (route.path.startsWith('/v1/labs')) return 'lab';
  if (route.path.startsWith('/v1/o2-accounts')) return 'O2 account';
  return 'guest';
}

type Field<O, K extends string> = O extends { readonly [P in K]: infer V } ? V : undefined;
type Parsed<T> = T extends z.ZodType ? z.infer<T> : undefined;
type RouteNamed<N extends RouteName> = Extract<Route, { name: N }>;

/** What a route's handler gets: the input its route declares (shared/http/routes.ts), parsed with its schemas. */
export interface Request<N extends RouteName> {
  event: ApiEvent;
  deps: Deps;
  /** From the verified token's claims on routes behind the JWT authorizer; none on public routes. */
  caller: RouteNamed<N>['auth'] extends true ? Caller : undefined;
  /** The client's address: the viewer's behind the distribution (shared/http/origin.ts `clientAddress`). */
  client: string;
  params: Parsed<Field<RouteNamed<N>['operation'], 'params'>>;
  query: Parsed<Field<RouteNamed<N>['operation'], 'query'>>;
  body: Parsed<Field<Field<RouteNamed<N>['operation'], 'body'>, 'schema'>>;
  /** The If-Match version, on routes declaring `ifMatch`. */
  ifMatch: Field<RouteNamed<N>['operation'], 'ifMatch'> extends true ? number | undefined : undefined;
}

/** What a route answers on success: its success schema's type (shared/guest/app/view.ts and shared/o2/app/view.ts), a guest when it names none. */
type Answer<N extends RouteName> = Field<RouteNamed<N>['operation']['success'], 'schema'> extends infer S ? (S extends z.ZodType ? z.output<S> : GuestView) : never;

/** A handler's answer, typed by its route's success schema (the one the OpenAPI document declares); the status is its route's success status. */
interface Reply<B = unknown> {
  body: B;
  headers?: Record<string, string>;
}

/** Exactly one handler per route of the table, answering what its route declares: a route without one, a handler without a route, or another answer does not compile. */
type Handlers = { [N in RouteName]: (request: Request<N>) => Promise<Reply<Answer<N>>> };

/** An answer holding one guest: its view, and its version as the ETag (for If-Match). */
const guestReply = (g: Guest, headers: Record<string, string> = {}): Reply<GuestView> => ({ body: toView(g), headers: { etag: `"${g.version}"`, ...headers } });
/** An answer holding one lab, with its PI's name and its version as the ETag. */
const labReply = async (deps: Deps, l: Lab, headers: Record<string, string> = {}): Promise<Reply<LabView>> => ({
  body: toLabView(l, await namesOf(deps, [l.piHuid])),
  headers: { etag: `"${l.version}"`, ...headers },
});
/** An answer holding one O2 account, with the names of the people it names and its version as the ETag. */
const o2Reply = async (deps: Deps, a: O2Account, headers: Record<string, string> = {}): Promise<Reply<O2AccountView>> => ({
  body: toO2View(a, await namesOf(deps, o2People(a))),
  headers: { etag: `"${a.version}"`, ...headers },
});

const handlers: Handlers = {
  openApi: async () => ({ body: openApiDocument() }),
  requestGuest: async (r) => {
    const g = await uc.requestGuest(r.deps, r.caller, r.body);
    return guestReply(g, { location: `/v1/guests/${g.guestId}` });
  },
  listGuests: async (r) => {
    const { failed, ...query } = r.query;
    return { body: toPageView(await uc.listGuests(r.deps, r.caller, { ...query, failed: failed === undefined ? undefined : failed === 'true' })) };
  },
  getGuest: async (r) => guestReply(await uc.getGuest(r.deps, r.caller, r.params.guestId)),
  decide: async (r) => guestReply(await conditional(r, (v) => uc.decideRequest(r.deps, r.caller, r.params.guestId, r.body, v))),
  extend: async (r) => guestReply(await conditional(r, (v) => uc.extendGuest(r.deps, r.caller, r.params.guestId, r.body, v))),
  cancel: async (r) => guestReply(await conditional(r, (v) => uc.cancelGuest(r.deps, r.caller, r.params.guestId, v))),
  resendActivation: async (r) => guestReply(await conditional(r, (v) => uc.resendActivation(r.deps, r.caller, r.params.guestId, v))),
  history: async (r) => {
    const events = await uc.guestHistory(r.deps, r.caller, r.params.guestId);
    return { body: { items: events.map(toHistoryItem) } };
  },
  expire: async (r) => guestReply(await conditional(r, (v) => uc.forceExpire(r.deps, r.caller, r.params.guestId, r.body.reason, v))),
  reassign: async (r) => guestReply(await conditional(r, (v) => uc.reassignSponsor(r.deps, r.caller, r.params.guestId, r.body, v))),
  executions: async (r) => ({ body: toExecutionList(await guestExecutions(r.deps, r.caller, r.params.guestId)) }),
  sponsorStandings: async (r) => ({ body: { items: await sponsorStandings(r.deps, r.caller, r.query.huids.split(',')) } }),
  me: async (r) => ({ body: await whoAmI(r.deps, r.caller) }),
  activate: async (r) => ({ body: toActivationResult(await uc.activate(r.deps, r.body, r.client)) }),
  // Labs and O2 accounts (issue 14)
  createLab: async (r) => {
    const l = await o2.createLab(r.deps, r.caller, r.body);
    return labReply(r.deps, l, { location: `/v1/labs/${l.labId}` });
  },
  listLabs: async (r) => {
    const page = await o2.listLabs(r.deps, r.caller, r.query);
    return { body: toLabPageView(page, await namesOf(r.deps, page.items.map((l) => l.piHuid))) };
  },
  getLab: async (r) => labReply(r.deps, await o2.getLab(r.deps, r.caller, r.params.labId)),
  registerLab: async (r) => labReply(r.deps, await conditional(r, (v) => o2.registerLab(r.deps, r.caller, r.params.labId, r.body, v), 'lab')),
  labHistory: async (r) => ({ body: { items: (await o2.labHistory(r.deps, r.caller, r.params.labId)).map(toLabHistoryItem) } }),
  requestO2: async (r) => {
    const a = await o2.requestO2(r.deps, r.caller, r.body);
    return o2Reply(r.deps, a, { location: `/v1/o2-accounts/${a.o2AccountId}` });
  },
  listO2: async (r) => {
    const page = await o2.listO2(r.deps, r.caller, r.query);
    return { body: toO2PageView(page, await namesOf(r.deps, page.items.flatMap(o2People))) };
  },
  getO2: async (r) => o2Reply(r.deps, await o2.getO2(r.deps, r.caller, r.params.o2AccountId)),
  decideO2: async (r) => o2Reply(r.deps, await conditional(r, (v) => o2.decideO2(r.deps, r.caller, r.params.o2AccountId, r.body, v), 'O2 account')),
  completeO2: async (r) => o2Reply(r.deps, await conditional(r, (v) => o2.completeO2(r.deps, r.caller, r.params.o2AccountId, r.body, v), 'O2 account')),
  renewO2: async (r) => o2Reply(r.deps, await conditional(r, (v) => o2.renewO2(r.deps, r.caller, r.params.o2AccountId, r.body, v), 'O2 account')),
  cancelO2: async (r) => o2Reply(r.deps, await conditional(r, (v) => o2.cancelO2(r.deps, r.caller, r.params.o2AccountId, r.body, v), 'O2 account')),
  retainO2: async (r) => o2Reply(r.deps, await conditional(r, (v) => o2.retainO2(r.deps, r.caller, r.params.o2AccountId, r.body, v), 'O2 account')),
  o2History: async (r) => ({ body: { items: (await o2.o2History(r.deps, r.caller, r.params.o2AccountId)).map(toO2HistoryItem) } }),
};

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
  const query = op.query ? parseWith(op.query, event.queryStringParameters ?? {}, 'query') : undefined;
  const input = op.body ? body(event, op.body.schema, !op.body.required) : undefined;
  const version = op.ifMatch ? ifMatch(event, resourceOf(route)) : undefined;
  const handler = handlers[route.name as RouteName] as (request: Request<RouteName>) => Promise<Reply>;
  const reply = await handler({ event, deps, caller, client, params, query, body: input, ifMatch: version } as Request<RouteName>);
  return {
    statusCode: op.success.status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...reply.headers },
    body: JSON.stringify(reply.body),
  };
}
