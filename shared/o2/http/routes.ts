/** The O2 lifecycle's routes (issue 14): labs and O2 accounts (the router, the OpenAPI document, the CDK API and the local gateway read them through shared/http/routes.ts). */
import { LabHistoryPageSchema, LabPageSchema, LabViewSchema, O2AccountPageSchema, O2AccountViewSchema, O2HistoryPageSchema, LabSearchSchema, PiConfirmationSchema } from '../app/view.ts';
import type { RouteSpec } from '../../http/route-spec.ts';
import * as C from '../../http/schemas.ts';
import * as S from './schemas.ts';

const labPath = { params: S.LabPathParams } as const;
const o2Path = { params: S.O2PathParams } as const;
const reason = { schema: C.ReasonBody, required: false } as const;
/** One lab, with its version as the ETag. */
const lab = (status: 200 | 201, description: string) => ({ status, description, schema: LabViewSchema, etag: true }) as const;
/** One O2 account, with its version as the ETag. */
const o2 = (status: 200 | 202, description: string) => ({ status, description, schema: O2AccountViewSchema, etag: true }) as const;

export const O2_ROUTES = [
  {
    name: 'confirmPi',
    method: 'GET',
    path: '/v1/pis/{huid}',
    auth: true,
    operation: {
      summary: 'A PI, by their exact HUID: the name to confirm and the labs they head',
      description: 'For whoever asks for an O2 account: the sponsoring PI named by HUID, confirmed by name, and their labs to pick from by name. 404 alike for anyone who is not an active PI.',
      params: C.HuidPathParams,
      success: { status: 200, description: 'The PI', schema: PiConfirmationSchema },
      problems: [404],
    },
  },
  {
    name: 'findLabs',
    method: 'GET',
    path: '/v1/lab-search',
    auth: true,
    operation: {
      summary: "Labs by the beginnings of the words of their name or their PI's name",
      description:
        "For whoever asks for an O2 account: a lab picked by its name or its PI's name, with no lab ID to type. Through an index of the names' words (never a Scan); answers with the lab's name and its PI's name and HUID only.",
      query: S.LabSearchQuery,
      success: { status: 200, description: 'The labs found (none is an empty list)', schema: LabSearchSchema },
      problems: [422],
    },
  },
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
      body: { schema: C.DecisionBody, required: true },
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
] as const satisfies readonly RouteSpec[];
