/** The guest lifecycle's routes: how each is reached and what it answers (the router, the OpenAPI document, the CDK API and the local gateway read them through shared/http/routes.ts). */
import { ActivationResultSchema, ExecutionListSchema, GuestPageSchema, HistoryPageSchema, HsrConfirmationSchema, SponsorStandingListSchema } from '../app/view.ts';
import type { RouteSpec } from '../../http/route-spec.ts';
import * as C from '../../http/schemas.ts';
import * as S from './schemas.ts';

const guestPath = { params: S.PathParams } as const;
const reason = { schema: C.ReasonBody, required: false } as const;

export const GUEST_ROUTES = [

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
      body: { schema: C.DecisionBody, required: true },
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
    name: 'confirmHsr',
    method: 'GET',
    path: '/v1/hsr/{huid}',
    auth: true,
    operation: {
      summary: "A guest's Harvard Sponsored Role, by its exact HUID (sponsors and their delegates)",
      description: 'Before a request is sent, whose HUID it is: the name on the HSR, whether it is active, the last day it covers. By exact HUID only; 404 when no HSR has it.',
      params: C.HuidPathParams,
      success: { status: 200, description: 'The HSR', schema: HsrConfirmationSchema },
      problems: [403, 404],
    },
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
] as const satisfies readonly RouteSpec[];
