/**
 * The HTTP API's routes, declared once. API Gateway (infra/api.ts), the router (api.ts, one handler
 * per route by name, checked by the compiler), the OpenAPI document (openapi.ts) and the local
 * gateway (local/api-server.ts) all read this table. No CDK import.
 *
 * Each route says how it is reached (method, path, JWT or public, API Gateway throttle) and what it
 * takes and answers: the zod schemas here are the ones that validate the request (the router
 * parses path, query and body with them before the handler runs) and the ones the OpenAPI
 * document is written from.
 */
import type { z } from 'zod';
import { MeSchema } from '../app/me-view.ts';
import { LabHistoryPageSchema, LabPageSchema, LabViewSchema, O2AccountPageSchema, O2AccountViewSchema, O2HistoryPageSchema } from '../o2/app/view.ts';
import { ActivationResultSchema, ExecutionListSchema, GuestPageSchema, HistoryPageSchema, SponsorStandingListSchema } from '../guest/app/view.ts';
import * as S from './schemas.ts';

export type HttpMethod = 'GET' | 'POST';

export interface Throttle {
  /** Token bucket size (requests). */
  readonly burstLimit: number;
  /** Steady-state requests per second. */
  readonly rateLimit: number;
}

/** Default stage throttling, for every route: a ceiling for all callers together. */
export const DEFAULT_THROTTLE: Throttle = { burstLimit: 300, rateLimit: 100 };

export interface Operation {
  readonly summary: string;
  readonly description?: string;
  /** The path parameters, one per `{name}` in the path. */
  readonly params?: z.ZodObject;
  /** The query string parameters (none are read when absent). */
  readonly query?: z.ZodObject;
  /** The JSON body (none is read when absent); `required: false` takes an empty body as `{}`. */
  readonly body?: { readonly schema: z.ZodType; readonly required: boolean };
  /**
   * The write happens only on the version named by `If-Match: "<version>"` when one is sent (else
   * 412): the router reads the header on these routes only (shared/http/api.ts).
   */
  readonly ifMatch?: true;
  /**
   * The answer on success: its status (the router sends it), description, and schema (shared/app/view.ts;
   * a Guest when absent: then with the guest's `ETag`), whether it carries `Location` (a new resource
   * under the route's path) and, for one lab or O2 account, its `ETag` (its version, for If-Match).
   */
  readonly success: { readonly status: 200 | 201 | 202; readonly description: string; readonly schema?: z.ZodType; readonly location?: true; readonly etag?: true };
  /**
   * Statuses the use case answers with problem+json (RFC 9457), besides those every route of its
   * kind can answer (bad input, no token, a body too large, If-Match, Idempotency-Key, 500: see
   * `answersOf` in shared/http/openapi.ts).
   */
  readonly problems: readonly number[];
}

export interface RouteSpec {
  /** The handler's name in the router (shared/http/api.ts). */
  readonly name: string;
  readonly method: HttpMethod;
  /** API Gateway path, path parameters in braces (`/v1/guests/{guestId}`). */
  readonly path: string;
  /** true: the JWT authorizer must accept the bearer token; false: public. */
  readonly auth: boolean;
  /**
   * On a route with `auth`: the OAuth scopes its JWT authorizer requires, any one of them in the
   * token's `scope` claim (API Gateway's `authorizationScopes`). Absent: the rule of `scopesFor`.
   */
  readonly scopes?: readonly Scope[];
  /** API Gateway throttling of the route (all callers together); DEFAULT_THROTTLE when absent. */
  readonly throttle?: Throttle;
  readonly operation: Operation;
}

const guestPath = { params: S.PathParams } as const;
const reason = { schema: S.ReasonBody, required: false } as const;
const labPath = { params: S.LabPathParams } as const;
const o2Path = { params: S.O2PathParams } as const;
/** One lab, with its version as the ETag. */
const lab = (status: 200 | 201, description: string) => ({ status, description, schema: LabViewSchema, etag: true }) as const;
/** One O2 account, with its version as the ETag. */
const o2 = (status: 200 | 202, description: string) => ({ status, description, schema: O2AccountViewSchema, etag: true }) as const;

export const ROUTES = [
  {
    name: 'requestGuest',
    method: 'POST',
    path: '/v1/guests',
    auth: true,
    operation: {
      summary: 'Request a guest account',
      body: { schema: S.CreateGuestBody, required: true },
      success: { status: 202, description: 'Accepted: the lifecycle has started', location: true },
      problems: [403, 409, 422],
    },
  },
  {
    name: 'listGuests',
    method: 'GET',
    path: '/v1/guests',
    auth: true,
    operation: {
      summary: "List guests: the caller's own, a delegate's across their sponsors, or every guest (HMS IT)",
      description:
        '`as=sponsor` (default): the caller\'s own guests, or those of `sponsorHuid` for a delegate that sponsor named (or HMS IT). `as=delegate`: the guests of every sponsor who named the caller as a delegate, by sponsor HUID then end date. `as=hms-it` (HMS IT only): every guest, by status then end date, or one sponsor\'s. Pages of at most `limit` (up to 500): a page may hold fewer, even none, while `cursor` is not null; pass the cursor back with the same parameters.',
      query: S.ListQuery,
      success: { status: 200, description: 'A page of guests', schema: GuestPageSchema },
      problems: [403],
    },
  },
  {
    name: 'getGuest',
    method: 'GET',
    path: '/v1/guests/{guestId}',
    auth: true,
    operation: { summary: 'Read a guest', ...guestPath, success: { status: 200, description: 'The guest' }, problems: [404] },
  },
  {
    name: 'decide',
    method: 'POST',
    path: '/v1/guests/{guestId}/decision',
    auth: true,
    operation: {
      summary: 'Approve or deny (the sponsor)',
      ...guestPath,
      body: { schema: S.DecisionBody, required: true },
      ifMatch: true,
      success: { status: 200, description: 'Decided' },
      problems: [403, 404, 409],
    },
  },
  {
    name: 'extend',
    method: 'POST',
    path: '/v1/guests/{guestId}/extension',
    auth: true,
    operation: {
      summary: 'Extend, or restore within 30 days of expiry',
      ...guestPath,
      body: { schema: S.ExtensionBody, required: true },
      ifMatch: true,
      success: { status: 200, description: 'Extended' },
      problems: [403, 404, 409, 422],
    },
  },
  {
    name: 'cancel',
    method: 'POST',
    path: '/v1/guests/{guestId}/cancel',
    auth: true,
    operation: { summary: 'Cancel the request or account', ...guestPath, body: reason, ifMatch: true, success: { status: 200, description: 'Cancelled' }, problems: [403, 404, 409] },
  },
  {
    name: 'resendActivation',
    method: 'POST',
    path: '/v1/guests/{guestId}/activation/resend',
    auth: true,
    operation: {
      summary: 'Send a new activation code (the old one stops working)',
      description: 'The body is optional: `{"reason": "..."}` or none.',
      ...guestPath,
      body: reason,
      ifMatch: true,
      success: { status: 200, description: 'Sent' },
      problems: [403, 404, 409],
    },
  },
  {
    name: 'history',
    method: 'GET',
    path: '/v1/guests/{guestId}/history',
    auth: true,
    operation: { summary: 'Audit trail of a guest', ...guestPath, success: { status: 200, description: 'Audit events', schema: HistoryPageSchema }, problems: [404] },
  },
  // HMS IT only (the use case checks the role claim).
  {
    name: 'expire',
    method: 'POST',
    path: '/v1/guests/{guestId}/expire',
    auth: true,
    operation: { summary: 'Expire now (HMS IT)', ...guestPath, body: reason, ifMatch: true, success: { status: 200, description: 'Expired' }, problems: [403, 404, 409] },
  },
  {
    name: 'reassign',
    method: 'POST',
    path: '/v1/guests/{guestId}/reassign',
    auth: true,
    operation: {
      summary: 'Move to another sponsor (HMS IT)',
      ...guestPath,
      body: { schema: S.ReassignBody, required: true },
      ifMatch: true,
      success: { status: 200, description: 'Reassigned' },
      problems: [403, 404, 409, 422],
    },
  },
  {
    name: 'executions',
    method: 'GET',
    path: '/v1/guests/{guestId}/executions',
    auth: true,
    operation: {
      summary: "The guest's lifecycle executions (HMS IT)",
      description: 'Each Step Functions execution the lifecycle ran, newest first: status, current state, error and cause, and its latest history events (DescribeExecution, GetExecutionHistory).',
      ...guestPath,
      success: { status: 200, description: 'Executions', schema: ExecutionListSchema },
      problems: [403, 404],
    },
  },
  {
    name: 'sponsorStandings',
    method: 'GET',
    path: '/v1/sponsors',
    auth: true,
    operation: {
      summary: 'Whether these people may sponsor now (HMS IT)',
      description: 'The standing of each HUID asked about (rule "Who may sponsor"): HMS IT puts the guests of sponsors who may no longer sponsor first, and reassigns them.',
      query: S.SponsorsQuery,
      success: { status: 200, description: 'Standings, by HUID', schema: SponsorStandingListSchema },
      problems: [403],
    },
  },
  {
    name: 'me',
    method: 'GET',
    path: '/v1/me',
    auth: true,
    operation: {
      summary: 'Who the caller is: roles, whether they may sponsor (and why not), the sponsors who named them delegate',
      success: { status: 200, description: 'The caller', schema: MeSchema },
      problems: [],
    },
  },
  // Labs and O2 accounts (issue 14): who may do what is the use cases' (shared/o2/app/o2.ts, shared/domain/access.ts).
  {
    name: 'createLab',
    method: 'POST',
    path: '/v1/labs',
    auth: true,
    operation: {
      summary: "Register a lab's record (its PI, or RC Core staff for any PI)",
      description:
        "The lab's on-Quad or off-Quad standing is derived from its institution and its PI's appointments (rules \"On-Quad\" and \"Off-Quad\"). An off-Quad lab starts with registration `pending`: it registers with the HMS Research Computing Core before its O2 accounts are set up.",
      body: { schema: S.CreateLabBody, required: true },
      success: { ...lab(201, 'Created'), location: true },
      problems: [403, 409, 422],
    },
  },
  {
    name: 'listLabs',
    method: 'GET',
    path: '/v1/labs',
    auth: true,
    operation: {
      summary: "List labs: the caller's (or a PI's), or the RC Core queue",
      description:
        "`registration=pending` without `piHuid`: every lab waiting for its RC Core registration (RC Core staff and HMS IT). Otherwise the labs of the caller, or of `piHuid` (its PI, a manager of the lab, RC Core staff, HMS IT). Pages of at most `limit` (up to 500): pass the cursor back with the same parameters.",
      query: S.LabsQuery,
      success: { status: 200, description: 'A page of labs', schema: LabPageSchema },
      problems: [403],
    },
  },
  {
    name: 'getLab',
    method: 'GET',
    path: '/v1/labs/{labId}',
    auth: true,
    operation: { summary: 'Read a lab', ...labPath, success: lab(200, 'The lab'), problems: [404] },
  },
  {
    name: 'registerLab',
    method: 'POST',
    path: '/v1/labs/{labId}/registration',
    auth: true,
    operation: {
      summary: 'Record the lab as registered with the RC Core, with its chargeback details (RC Core staff)',
      description: 'Every O2 account of the lab waiting for the registration goes on (to the RC Core, which completes the setup).',
      ...labPath,
      body: { schema: S.RegisterLabBody, required: true },
      ifMatch: true,
      success: lab(200, 'Registered'),
      problems: [403, 404, 409],
    },
  },
  {
    name: 'labHistory',
    method: 'GET',
    path: '/v1/labs/{labId}/history',
    auth: true,
    operation: { summary: 'Audit trail of a lab', ...labPath, success: { status: 200, description: 'Audit events', schema: LabHistoryPageSchema }, problems: [404] },
  },
  {
    name: 'requestO2',
    method: 'POST',
    path: '/v1/o2-accounts',
    auth: true,
    operation: {
      summary: 'Request an O2 account for a user, sponsored by a PI of a lab',
      description:
        'The user needs an HMS account: without a Harvard ID, the answer is 422 with the Harvard Sponsored Role step; with one but no HMS account, the HMS guest account request is filed first (sponsored by the PI, or by `hmsSponsorHuid` when the PI is not an HMS sponsor) and the O2 account waits for it (PENDING_HMS_ACCOUNT). Asked by the sponsor, the lab\'s PI or a manager of the lab, the request is approved by that act.',
      body: { schema: S.CreateO2Body, required: true },
      success: { ...o2(202, 'Accepted: the O2 lifecycle has started'), location: true },
      problems: [403, 409, 422],
    },
  },
  {
    name: 'listO2',
    method: 'GET',
    path: '/v1/o2-accounts',
    auth: true,
    operation: {
      summary: "List O2 accounts: the caller's own, those they sponsor, or the RC Core queue",
      description: 'Pages of at most `limit` (up to 500): a page may hold fewer, even none, while `cursor` is not null; pass the cursor back with the same parameters.',
      query: S.O2ListQuery,
      success: { status: 200, description: 'A page of O2 accounts', schema: O2AccountPageSchema },
      problems: [403],
    },
  },
  {
    name: 'getO2',
    method: 'GET',
    path: '/v1/o2-accounts/{o2AccountId}',
    auth: true,
    operation: { summary: 'Read an O2 account', ...o2Path, success: o2(200, 'The O2 account'), problems: [404] },
  },
  {
    name: 'decideO2',
    method: 'POST',
    path: '/v1/o2-accounts/{o2AccountId}/decision',
    auth: true,
    operation: {
      summary: "Approve or deny (the sponsoring PI, the lab's PI or a manager of the lab)",
      ...o2Path,
      body: { schema: S.DecisionBody, required: true },
      ifMatch: true,
      success: o2(200, 'Decided'),
      problems: [403, 404, 409],
    },
  },
  {
    name: 'completeO2',
    method: 'POST',
    path: '/v1/o2-accounts/{o2AccountId}/completion',
    auth: true,
    operation: {
      summary: 'The RC Core created the O2 account (or renewed it): with the Unix username, the HMS account ID (RC Core staff)',
      description:
        'The HMS account must be active, and the Unix username its ID. The login gets its O2 access in the HMS account directory first (the `o2` group and its POSIX attributes): when the directory cannot be reached (503, with Retry-After) or refuses (502), nothing changes here. Then the account is ACTIVE and the user told.',
      ...o2Path,
      body: { schema: S.CompletionBody, required: true },
      ifMatch: true,
      success: o2(200, 'Completed: the O2 account is active'),
      problems: [403, 404, 409, 422, 502, 503],
    },
  },
  {
    name: 'renewO2',
    method: 'POST',
    path: '/v1/o2-accounts/{o2AccountId}/renewal',
    auth: true,
    operation: {
      summary: 'Ask the RC Core to renew an expired O2 account of an off-Quad lab (the user, the sponsor or the lab)',
      description: 'Emails rccore@hms.harvard.edu with the PI in cc; the account is RENEWAL_REQUESTED until the RC Core completes it. The body is optional: `{"note": "..."}` or none.',
      ...o2Path,
      body: { schema: S.RenewalBody, required: false },
      ifMatch: true,
      success: o2(200, 'Renewal requested'),
      problems: [403, 404, 409, 422],
    },
  },
  {
    name: 'cancelO2',
    method: 'POST',
    path: '/v1/o2-accounts/{o2AccountId}/cancel',
    auth: true,
    operation: {
      summary: 'Cancel the request or the O2 account',
      description:
        'The body is optional: `{"reason": "..."}` or none. An account that is set up loses its O2 access in the HMS account directory first: when the directory cannot be reached (503, with Retry-After) or refuses (502), nothing changes here.',
      ...o2Path,
      body: reason,
      ifMatch: true,
      success: o2(200, 'Cancelled'),
      problems: [403, 404, 409, 502, 503],
    },
  },
  {
    name: 'retainO2',
    method: 'POST',
    path: '/v1/o2-accounts/{o2AccountId}/retain',
    auth: true,
    operation: {
      summary: 'Keep O2 (and the HMS account) on leaving HMS (the user, the sponsor or the lab)',
      description:
        "Before the user's HMS appointment ends: files the HMS guest account request that keeps the same HMS account ID, sponsored by the PI (or by `hmsSponsorHuid`), starting the day after the appointment ends, and links it, so that O2 stays active across the change. The body is optional.",
      ...o2Path,
      body: { schema: S.RetainBody, required: false },
      ifMatch: true,
      success: o2(202, 'Accepted: the guest account request is filed'),
      problems: [403, 404, 409, 422],
    },
  },
  {
    name: 'o2History',
    method: 'GET',
    path: '/v1/o2-accounts/{o2AccountId}/history',
    auth: true,
    operation: { summary: 'Audit trail of an O2 account', ...o2Path, success: { status: 200, description: 'Audit events', schema: O2HistoryPageSchema }, problems: [404] },
  },
  // Public: the guest activates with the emailed code; the OpenAPI document.
  {
    name: 'activate',
    method: 'POST',
    path: '/v1/activate',
    auth: false,
    // Stricter than the default: API Gateway applies it to the route as a whole, from every caller
    // together; the limits per source address and per code are the activation use case's
    // (shared/guest/domain/activation-code.ts).
    throttle: { burstLimit: 100, rateLimit: 50 },
    operation: {
      summary: 'Activate an HMS account with the password the guest chooses (the guest; no login)',
      description:
        'Every attempt without the right code gets the same 400, whatever the account ID and whatever the password (or a 429 when the caller must slow down). Only a caller holding the right code learns that the account is already active (200 again), closed or its code expired or locked (410), or not started yet (422); then that the password breaks a rule of the password policy (422 naming the rule in `errors`, at `#/password`; the code still works). The password is set in the HMS account directory and the account enabled there before the code is spent: when the directory cannot be reached (503, with Retry-After) or refuses (502), nothing is used up.',
      body: { schema: S.ActivateBody, required: true },
      success: { status: 200, description: 'Activated', schema: ActivationResultSchema },
      problems: [410, 422, 429, 502, 503],
    },
  },
  {
    name: 'openApi',
    method: 'GET',
    path: '/openapi.json',
    auth: false,
    operation: { summary: 'This document', success: { status: 200, description: 'OpenAPI 3.1', schema: S.OpenApiDocumentSchema }, problems: [] },
  },
] as const satisfies readonly RouteSpec[];

export type Route = (typeof ROUTES)[number];
export type RouteName = Route['name'];
/** API Gateway route key of each route, e.g. `POST /v1/activate`. */
export type RouteKey = Route extends infer R ? (R extends Route ? `${R['method']} ${R['path']}` : never) : never;

/** API Gateway route key, e.g. `POST /v1/activate`. */
export function routeKey(route: Pick<RouteSpec, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/**
 * The API's OAuth scopes, carried by access tokens in their `scope` claim (HarvardKey's, or the
 * local provider's). An ID token carries none, so it is refused (403) wherever scopes are required.
 */
export const SCOPES = { read: 'guests:read', write: 'guests:write' } as const;
export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

/**
 * The scopes the JWT authorizer requires on a route: its own `scopes`, else `guests:read` to read
 * (GET) and `guests:write` to change anything; none on a public route. CDK (infra/api.ts) and the
 * local gateway both read them from here.
 */
export function scopesFor(route: Pick<RouteSpec, 'method' | 'auth' | 'scopes'>): readonly Scope[] {
  if (!route.auth) return [];
  return route.scopes ?? [route.method === 'GET' ? SCOPES.read : SCOPES.write];
}

/** The throttle API Gateway applies to a route (all callers together). */
export function throttleFor(route: RouteSpec): Throttle {
  return route.throttle ?? DEFAULT_THROTTLE;
}

/** The path parameter names of a path, in order (`/v1/guests/{guestId}` → `['guestId']`). */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}
