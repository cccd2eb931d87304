/**
 * What the API shows of guests: a guest, a page of guests, a guest's history, an activation, a
 * guest's executions, sponsors' standing. Never the activation code hash, the task token, the
 * guest's personal email, or the workflow's internal fields (execution, due time, checks, emails
 * sent, the audit event a record carries).
 */
import * as z from 'zod';
import type { AuditEvent, Guest } from '../domain/model.ts';
import type { GuestExecution } from './executions.ts';
import { ApprovalView, approvalView, FailureView, failureView, Huid, Instant, IsoDay } from '../../core/app/view.ts';
import { POPULATIONS, SERVICES, STATUSES } from '../domain/model.ts';
import { SPONSOR_REFUSALS } from '../domain/rules.ts';

export const EntitlementView = z
  .strictObject({
    name: z.enum([...SERVICES, 'digital-library']),
    granted: z.boolean(),
    reason: z.string().optional().describe('Why it is granted or not (e.g. "no HMS email for hospital guests")'),
  })
  .meta({ id: 'Entitlement', description: 'One entitlement the rules decided on' });

export const ActivationStateView = z
  .strictObject({
    expiresAt: Instant.describe('When the current activation code stops working'),
    used: z.boolean(),
    locked: z.boolean().describe('Locked after too many attempts from all addresses; a resend issues a new code'),
  })
  .meta({ id: 'ActivationState', description: 'The current activation code, as far as it may be shown (never the code)' });

export const GuestViewSchema = z
  .strictObject({
    guestId: z.uuid(),
    status: z.enum(STATUSES),
    guestHuid: Huid,
    guestName: z.string(),
    sponsorHuid: Huid,
    submittedBy: Huid.describe('HUID of the sponsor or delegate who submitted the request'),
    population: z.enum(POPULATIONS),
    contractorId: z.string().nullable(),
    justification: z.string().nullable(),
    services: z.array(z.enum(SERVICES)),
    startDate: IsoDay,
    endDate: IsoDay,
    accountId: z.string().nullable().describe('The HMS account ID, once provisioned'),
    o2AccountId: z.uuid().nullable().describe('The O2 account (its own lifecycle: /v1/o2-accounts/{o2AccountId}) that rests on this HMS account, when its `o2` service started or linked one'),
    entitlements: z.array(EntitlementView),
    approval: ApprovalView.nullable(),
    activation: ActivationStateView.nullable(),
    activatedAt: Instant.nullable(),
    expiredAt: Instant.nullable(),
    lastNoticeDate: IsoDay.nullable().describe('The date of the last expiry notice sent to the sponsor'),
    nextActionAt: Instant.nullable().describe('When the lifecycle next has something to do'),
    failure: FailureView.nullable(),
    createdAt: Instant,
    updatedAt: Instant,
    version: z.int().min(1).describe('Increments on every change; the ETag is this number in quotes'),
    names: z
      .record(Huid, z.string())
      .optional()
      .describe("The names of the people this guest names (its sponsor, who submitted it, who decided it), as the people directory has them, by HUID; on the answers about one guest, not in lists"),
  })
  .meta({ id: 'Guest', description: 'A guest account request and its lifecycle' });
export type GuestView = z.output<typeof GuestViewSchema>;

export const GuestPageSchema = z
  .strictObject({
    items: z.array(GuestViewSchema),
    cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  })
  .meta({ id: 'GuestPage', description: 'A page of guests' });
export type GuestPageView = z.output<typeof GuestPageSchema>;

/** The fields of a guest a history event shows: those of the guest view that change (never its ID, version or timestamps of the record). */
export const HistoryFieldsSchema = GuestViewSchema.omit({ guestId: true, nextActionAt: true, updatedAt: true, version: true, names: true })
  .partial()
  .meta({ id: 'HistoryFields', description: 'The changed fields, as the guest view shows them (only fields the view shows)' });
export type HistoryFields = z.output<typeof HistoryFieldsSchema>;

export const HistoryDetailSchema = z
  .strictObject({
    reason: z.string().optional(),
    role: z.enum(['sponsor', 'delegate']).optional().describe('Who submitted the request'),
    hsr: z.string().optional().describe('The HSR check at the request (ok, missing, inactive, ends-too-soon)'),
    noticeDate: IsoDay.optional(),
    to: z.string().optional().describe('Who an email went to (guest, sponsor)'),
    repaired: z.array(z.string()).optional().describe('What the reconciler set right in the HMS account directory (e.g. "active: false", "group -hms-guest-email")'),
  })
  .meta({ id: 'HistoryDetail', description: 'What an event says besides the changed fields' });
export type HistoryDetail = z.output<typeof HistoryDetailSchema>;

export const HistoryItemSchema = z
  .strictObject({
    seq: z.int().min(1).describe('The guest version this event produced'),
    at: Instant,
    actor: z.string().describe('HUID of the person, or workflow, reconciler, activation-limiter'),
    action: z.string().meta({ examples: ['requested', 'approved', 'provisioned', 'activated', 'extended', 'expiry-notice-sent', 'expired'] }),
    before: HistoryFieldsSchema,
    after: HistoryFieldsSchema,
    detail: HistoryDetailSchema.nullable(),
  })
  .meta({ id: 'HistoryItem', description: 'One event of the audit trail, redacted as the guest view is' });
export type HistoryItem = z.output<typeof HistoryItemSchema>;

export const HistoryPageSchema = z.strictObject({ items: z.array(HistoryItemSchema) }).meta({ id: 'HistoryPage', description: 'Every event of a guest, oldest first' });

export const ActivationResultSchema = z
  .strictObject({
    accountId: z.string(),
    status: z.literal('ACTIVE'),
    activatedAt: Instant,
    setPasswordUrl: z
      .url()
      .nullable()
      .describe('null: the password chosen is set. Otherwise the HMS account directory takes no password from this system: the guest sets it at this link'),
  })
  .meta({ id: 'ActivationResult', description: 'The account is active' });
export type ActivationResult = z.output<typeof ActivationResultSchema>;

export const ExecutionEventSchema = z
  .strictObject({
    id: z.int().min(0),
    at: Instant,
    type: z.string().meta({ examples: ['StateEntered', 'TaskFailed', 'ExecutionSucceeded'] }),
    state: z.string().nullable().describe('The state the event is about, when it is about one'),
    error: z.string().nullable(),
    cause: z.string().nullable(),
  })
  .meta({ id: 'ExecutionEvent', description: "One event of an execution's history (GetExecutionHistory)" });

export const ExecutionSchema = z
  .strictObject({
    name: z.string().describe('`<guestId>-<generation>`'),
    generation: z.int().min(1).describe('1 for the lifecycle started at the request; each restart, restore or hand-over adds one'),
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']),
    currentState: z.string().nullable().describe('The state a running execution is in (its latest state entered)'),
    startDate: Instant,
    stopDate: Instant.nullable(),
    error: z.string().nullable(),
    cause: z.string().nullable(),
    events: z.array(ExecutionEventSchema).describe('The latest events, newest first'),
    eventsTruncated: z.boolean().describe('Older events were left out'),
  })
  .meta({ id: 'Execution', description: "A Step Functions execution of the guest's lifecycle (DescribeExecution and its latest history)" });

export const ExecutionListSchema = z
  .strictObject({ items: z.array(ExecutionSchema) })
  .meta({ id: 'ExecutionList', description: "The guest's lifecycle executions, newest first" });
export type ExecutionListView = z.output<typeof ExecutionListSchema>;

export const SponsorStandingSchema = z
  .strictObject({
    huid: Huid,
    name: z.string().nullable().describe('From the people directory; null when the person is not in it'),
    eligible: z.boolean().describe('Whether the person may sponsor now'),
    reason: z.enum(SPONSOR_REFUSALS).nullable().describe('Why not, when not eligible'),
    detail: z.string().nullable().describe('The reason in words'),
  })
  .meta({ id: 'SponsorStanding', description: 'Whether a person may sponsor guests now, and why not' });

export const SponsorStandingListSchema = z
  .strictObject({ items: z.array(SponsorStandingSchema) })
  .meta({ id: 'SponsorStandingList', description: 'The standing of each sponsor asked about, by HUID' });
export type SponsorStandingListView = z.output<typeof SponsorStandingListSchema>;

function entitlementView(e: Guest['entitlements'][number]): GuestView['entitlements'][number] {
  return { name: e.name, granted: e.granted, ...(e.reason !== undefined ? { reason: e.reason } : {}) };
}

function activationView(a: Guest['activation']): GuestView['activation'] {
  return a ? { expiresAt: a.expiresAt, used: Boolean(a.usedAt), locked: Boolean(a.lockedAt) } : null;
}

/** The people a guest names besides the guest: its sponsor, who submitted it, who decided it. */
export function guestPeople(g: Guest): string[] {
  return [...new Set([g.sponsorHuid, g.submittedBy, g.approval?.by].filter((h): h is string => typeof h === 'string' && /^\d{8}$/.test(h) && h !== g.guestHuid))];
}

/** The guest as the API answers it; `names`, the names of the people it names (guestPeople), on the answers about one guest. */
export function toView(g: Guest, names?: ReadonlyMap<string, string>): GuestView {
  return {
    guestId: g.guestId,
    status: g.status,
    guestHuid: g.guestHuid,
    guestName: g.guestName,
    sponsorHuid: g.sponsorHuid,
    submittedBy: g.submittedBy,
    population: g.population,
    contractorId: g.contractorId ?? null,
    justification: g.justification ?? null,
    services: g.services,
    startDate: g.startDate,
    endDate: g.endDate,
    accountId: g.accountId ?? null,
    o2AccountId: g.o2AccountId ?? null,
    entitlements: g.entitlements.map(entitlementView),
    approval: approvalView(g.approval),
    activation: activationView(g.activation),
    activatedAt: g.activatedAt ?? null,
    expiredAt: g.expiredAt ?? null,
    lastNoticeDate: g.lastNoticeDate ?? null,
    nextActionAt: g.dueAt ?? null,
    failure: failureView(g.failure),
    createdAt: g.createdAt,
    updatedAt: g.updatedAt,
    version: g.version,
    ...(names ? { names: Object.fromEntries(guestPeople(g).flatMap((h) => (names.has(h) ? [[h, names.get(h)!]] : []))) } : {}),
  };
}

export function toPageView(page: { items: Guest[]; cursor?: string | undefined }): GuestPageView {
  return { items: page.items.map((g) => toView(g)), cursor: page.cursor ?? null };
}

/** The answer to a successful activation: only for an active account (the use case answers nothing else). Never the password. */
export function toActivationResult({ guest: g, setPasswordUrl }: { guest: Guest; setPasswordUrl?: string | undefined }): ActivationResult {
  if (g.status !== 'ACTIVE' || !g.accountId || !g.activatedAt) throw new Error(`Guest ${g.guestId} is not an activated account`);
  return { accountId: g.accountId, status: g.status, activatedAt: g.activatedAt, setPasswordUrl: setPasswordUrl ?? null };
}

/** How each guest field shows in a history event; fields not listed are never shown. */
const SHOWN: { [K in keyof Guest]?: (g: Partial<Guest>) => HistoryFields } = {
  status: (g) => ({ status: g.status! }),
  guestHuid: (g) => ({ guestHuid: g.guestHuid! }),
  guestName: (g) => ({ guestName: g.guestName! }),
  sponsorHuid: (g) => ({ sponsorHuid: g.sponsorHuid! }),
  submittedBy: (g) => ({ submittedBy: g.submittedBy! }),
  population: (g) => ({ population: g.population! }),
  contractorId: (g) => ({ contractorId: g.contractorId ?? null }),
  justification: (g) => ({ justification: g.justification ?? null }),
  services: (g) => ({ services: g.services! }),
  startDate: (g) => ({ startDate: g.startDate! }),
  endDate: (g) => ({ endDate: g.endDate! }),
  accountId: (g) => ({ accountId: g.accountId ?? null }),
  o2AccountId: (g) => ({ o2AccountId: g.o2AccountId ?? null }),
  entitlements: (g) => ({ entitlements: g.entitlements!.map(entitlementView) }),
  approval: (g) => ({ approval: approvalView(g.approval) }),
  activation: (g) => ({ activation: activationView(g.activation) }),
  activatedAt: (g) => ({ activatedAt: g.activatedAt ?? null }),
  expiredAt: (g) => ({ expiredAt: g.expiredAt ?? null }),
  lastNoticeDate: (g) => ({ lastNoticeDate: g.lastNoticeDate ?? null }),
  failure: (g) => ({ failure: failureView(g.failure) }),
  createdAt: (g) => ({ createdAt: g.createdAt! }),
};

function partialView(g: Partial<Guest> | undefined): HistoryFields {
  const out: HistoryFields = {};
  if (!g) return out;
  for (const key of Object.keys(g) as (keyof Guest)[]) {
    const show = SHOWN[key];
    if (show) Object.assign(out, show(g));
  }
  return out;
}

export function toHistoryItem(e: AuditEvent): HistoryItem {
  const detail: HistoryDetail = {};
  for (const k of ['reason', 'hsr', 'noticeDate', 'to'] as const) if (typeof e.detail?.[k] === 'string') detail[k] = e.detail[k] as string;
  const repaired = e.detail?.repaired;
  if (Array.isArray(repaired) && repaired.every((r) => typeof r === 'string')) detail.repaired = repaired as string[];
  const role = e.detail?.role;
  if (role === 'sponsor' || role === 'delegate') detail.role = role;
  return {
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    action: e.action,
    before: partialView(e.before),
    after: partialView(e.after),
    detail: Object.keys(detail).length ? detail : null,
  };
}

/** A guest's executions as the API shows them (absent values are null). */
export function toExecutionList(executions: readonly GuestExecution[]): ExecutionListView {
  return {
    items: executions.map((e) => ({
      name: e.name,
      generation: e.generation,
      status: e.status,
      currentState: e.currentState,
      startDate: e.startDate,
      stopDate: e.stopDate ?? null,
      error: e.error ?? null,
      cause: e.cause ?? null,
      events: e.events.map((v) => ({ id: v.id, at: v.at, type: v.type, state: v.state ?? null, error: v.error ?? null, cause: v.cause ?? null })),
      eventsTruncated: e.eventsTruncated,
    })),
  };
}

export const HsrConfirmationSchema = z
  .strictObject({
    huid: Huid,
    name: z.string().describe('The name on the Harvard Sponsored Role'),
    active: z.boolean(),
    endDate: IsoDay.describe('The last day the HSR covers: a guest account may not end after it'),
  })
  .meta({ id: 'HsrConfirmation', description: "A guest's Harvard Sponsored Role, to confirm whose HUID it is before requesting" });
