/**
 * What the API shows: a guest, a page of guests, a guest's history, an activation, the caller; a
 * lab, an O2 account, pages and histories of each (issue 14).
 * Never the activation code hash, the task token, the guest's personal email, or the workflow's
 * internal fields (execution, due time, checks, emails sent, the audit event a record carries).
 *
 * Each answer is declared once, as a zod schema: the view functions below are typed by it (a field
 * the schema has and a view lacks, or the other way round, does not compile), and the OpenAPI
 * document's components are written from it (shared/http/openapi.ts; the `id` in each schema's
 * metadata is its component's name).
 */
import { z } from 'zod';
import type { AuditEvent, Guest } from '../guest/domain/model.ts';
import type { GuestExecution } from '../guest/app/executions.ts';
import { o2People } from './names.ts';
import { POPULATIONS, SERVICES, STATUSES } from '../guest/domain/model.ts';
import { INSTITUTION_NAMES, LAPSE_REASONS, O2_STATUSES, type Lab, type O2Account, type O2AuditEvent } from '../o2/domain/model.ts';
import { SPONSOR_REFUSALS } from '../guest/domain/rules.ts';

const Huid = z.string().regex(/^\d{8}$/).meta({ examples: ['10000001'] });
const Instant = z.iso.datetime().meta({ examples: ['2027-01-04T14:00:00.000Z'] });
const IsoDay = z.iso.date().meta({ examples: ['2027-06-30'] });

export const EntitlementView = z
  .strictObject({
    name: z.enum([...SERVICES, 'digital-library']),
    granted: z.boolean(),
    reason: z.string().optional().describe('Why it is granted or not (e.g. "no HMS email for hospital guests")'),
  })
  .meta({ id: 'Entitlement', description: 'One entitlement the rules decided on' });

export const ApprovalView = z
  .strictObject({
    decision: z.enum(['approve', 'deny']),
    by: Huid.describe('HUID of the sponsor who decided'),
    at: Instant,
    reason: z.string().optional(),
    bySubmission: z.boolean().optional().describe('True when the sponsor submitted the request: submitting is approving'),
  })
  .meta({ id: 'Approval', description: "The sponsor's decision on the request" });

export const ActivationStateView = z
  .strictObject({
    expiresAt: Instant.describe('When the current activation code stops working'),
    used: z.boolean(),
    locked: z.boolean().describe('Locked after too many attempts from all addresses; a resend issues a new code'),
  })
  .meta({ id: 'ActivationState', description: 'The current activation code, as far as it may be shown (never the code)' });

export const FailureView = z
  .strictObject({
    state: z.string(),
    error: z.string(),
    cause: z.string().optional(),
    at: Instant,
    count: z.int().min(0).describe('Recorded failures in a row that count toward FAILED (transient ones do not); the third makes the guest FAILED'),
    kind: z
      .enum(['transient', 'permanent', 'counted'])
      .describe(
        'transient: the HMS account directory was unavailable (nothing is lost; the reconciler starts the lifecycle again until it answers; it does not count toward FAILED); permanent: a change no retry can make (the guest is FAILED at once); counted: any other failure',
      ),
  })
  .meta({ id: 'Failure', description: 'The last recorded failure of the lifecycle (cleared by progress)' });

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
export const HistoryFieldsSchema = GuestViewSchema.omit({ guestId: true, nextActionAt: true, updatedAt: true, version: true })
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

export const ME_ROLES = ['sponsor', 'delegate', 'hms-it', 'rc-core'] as const;

export const MeSchema = z
  .strictObject({
    huid: Huid,
    name: z.string().nullable().describe('From the people directory; null when the caller is not in it'),
    email: z.string().nullable(),
    roles: z.array(z.enum(ME_ROLES)).describe('sponsor: may sponsor now; delegate: named by at least one sponsor; hms-it: the role claim says so; rc-core: HMS Research Computing Core staff (the people directory\'s rc-core group)'),
    sponsorEligibility: z
      .strictObject({
        eligible: z.boolean(),
        reason: z.enum(SPONSOR_REFUSALS).nullable().describe('Why not, when not eligible'),
        detail: z.string().nullable().describe('The reason in words, as a refused request would give it'),
        contact: z.string().nullable().describe('Where to turn instead (the Wyss Institute: AcademicAffairs@wyss.harvard.edu)'),
      })
      .describe('Whether the caller may sponsor guests, and why not'),
    delegateOf: z
      .array(
        z.strictObject({
          huid: Huid,
          name: z.string().nullable(),
          eligible: z.boolean().describe('Whether that sponsor may sponsor now (a request for an ineligible sponsor is refused)'),
        }),
      )
      .describe('The sponsors who named the caller as a delegate, by HUID'),
  })
  .meta({ id: 'Me', description: 'Who the caller is and what they may do' });
export type MeView = z.output<typeof MeSchema>;

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

function approvalView(a: Guest['approval']): GuestView['approval'] {
  if (!a) return null;
  return { decision: a.decision, by: a.by, at: a.at, ...(a.reason !== undefined ? { reason: a.reason } : {}), ...(a.bySubmission !== undefined ? { bySubmission: a.bySubmission } : {}) };
}

function activationView(a: Guest['activation']): GuestView['activation'] {
  return a ? { expiresAt: a.expiresAt, used: Boolean(a.usedAt), locked: Boolean(a.lockedAt) } : null;
}

function failureView(f: Guest['failure']): GuestView['failure'] {
  return f ? { state: f.state, error: f.error, ...(f.cause !== undefined ? { cause: f.cause } : {}), at: f.at, count: f.count, kind: f.kind ?? 'counted' } : null;
}

export function toView(g: Guest): GuestView {
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
  };
}

export function toPageView(page: { items: Guest[]; cursor?: string | undefined }): GuestPageView {
  return { items: page.items.map(toView), cursor: page.cursor ?? null };
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

// --- Labs and O2 accounts (issue 14) -----------------------------------------------------------

export const QuadView = z
  .strictObject({
    onQuad: z.boolean().describe('true: on-Quad (the O2 account is requested directly); false: off-Quad (the lab registers with the RC Core, which completes the setup)'),
    reason: z.string().describe('Why, in words (the institution and the PI\'s appointments)'),
  })
  .meta({ id: 'Quad', description: 'Rules "On-Quad" / "Off-Quad": where the O2 account comes from, derived from the lab\'s institution and its PI\'s appointments' });

export const ChargebackView = z
  .discriminatedUnion('charged', [
    z.strictObject({ charged: z.literal(true), account: z.string().describe('The account the RC Core charges for O2') }),
    z.strictObject({ charged: z.literal(false) }),
  ])
  .meta({ id: 'Chargeback', description: 'Who the RC Core charges for O2: an account, or nobody ("not charged": registration is required all the same)' });

export const LabRegistrationView = z
  .discriminatedUnion('status', [
    z.strictObject({ status: z.literal('not-required').describe('On-Quad: no registration with the RC Core') }),
    z.strictObject({ status: z.literal('pending').describe('Off-Quad, not registered yet: O2 accounts of the lab wait for it') }),
    z.strictObject({
      status: z.literal('registered'),
      chargeback: ChargebackView,
      billingContact: z.strictObject({ name: z.string(), email: z.string() }),
      by: Huid.describe('HUID of the RC Core staff member who registered the lab'),
      at: Instant,
    }),
  ])
  .meta({ id: 'LabRegistration', description: "The lab's registration with the HMS Research Computing Core (rccore@hms.harvard.edu)" });

export const LabViewSchema = z
  .strictObject({
    labId: z.uuid(),
    name: z.string(),
    piHuid: Huid.describe("HUID of the lab's PI"),
    piName: z.string().nullable().describe("The PI's name in the people directory (null when the directory has none)"),
    institution: z.enum(INSTITUTION_NAMES).describe('Where the lab is based'),
    quad: QuadView,
    registration: LabRegistrationView,
    createdAt: Instant,
    updatedAt: Instant,
    version: z.int().min(1).describe('Increments on every change; the ETag is this number in quotes'),
  })
  .meta({ id: 'Lab', description: 'A lab: its PI, institution, on-Quad or off-Quad standing, and RC Core registration' });
export type LabView = z.output<typeof LabViewSchema>;

export const LabPageSchema = z
  .strictObject({
    items: z.array(LabViewSchema),
    cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  })
  .meta({ id: 'LabPage', description: 'A page of labs' });
export type LabPageView = z.output<typeof LabPageSchema>;

export const PosixView = z
  .strictObject({ uidNumber: z.int().min(1), homeDirectory: z.string() })
  .meta({ id: 'Posix', description: 'The POSIX attributes of the O2 login in the HMS account directory (while the O2 account is active)' });

export const O2AccountViewSchema = z
  .strictObject({
    o2AccountId: z.uuid(),
    status: z.enum(O2_STATUSES),
    userHuid: Huid.describe('The person the O2 account is for'),
    userName: z.string(),
    names: z
      .record(z.string().regex(/^\d{8}$/), z.string())
      .describe('The names, as the people directory has them, of the other people this O2 account names (sponsor, lab PI, requester, HMS sponsor, who decided, completed, renewed, kept or cancelled it), by HUID'),
    piHuid: Huid.describe('The sponsoring PI (or manager of the lab)'),
    labId: z.uuid(),
    labPiHuid: Huid.describe("The lab's PI (who, with the lab's managers, may approve besides the sponsor)"),
    requestedBy: Huid.describe('HUID of who asked for the O2 account'),
    justification: z.string().nullable(),
    hmsSponsorHuid: Huid.nullable().describe('The HMS sponsor of the HMS guest account, when it is not the PI'),
    guestId: z.uuid().nullable().describe('The HMS guest account the O2 account rests on (chained, or kept when leaving HMS)'),
    accountId: z.string().nullable().describe('The HMS account ID: the O2 login and the Unix username'),
    quad: QuadView,
    approval: ApprovalView.nullable(),
    completion: z
      .strictObject({ by: Huid.describe('HUID of the RC Core staff member'), at: Instant, unixUsername: z.string(), endDate: IsoDay.optional().describe("The O2 account's own last day, set by the RC Core (earlier than the HMS account's)") })
      .nullable()
      .describe('The RC Core completed the setup (off-Quad)'),
    posix: PosixView.nullable().describe('Only while the O2 account is active'),
    rcCoreRequestedAt: Instant.nullable().describe('When the RC Core was asked to complete the setup (or the renewal)'),
    activatedAt: Instant.nullable(),
    endDate: IsoDay.nullable().describe("The last day of the O2 account: its HMS account's (the O2 account expires with it), or the earlier day the RC Core set at completion"),
    lastNoticeDate: IsoDay.nullable(),
    expiredAt: Instant.nullable(),
    renewal: z.strictObject({ by: Huid, at: Instant, note: z.string().optional() }).nullable().describe('The renewal asked of the RC Core (rule "Renewal")'),
    retain: z
      .strictObject({ by: Huid, at: Instant, guestId: z.uuid().describe('The guest account request that keeps the HMS account'), startDate: IsoDay })
      .nullable()
      .describe('Kept on leaving HMS (rule "Leaving HMS")'),
    lapse: z.strictObject({ reason: z.enum(LAPSE_REASONS), at: Instant }).nullable().describe('Why the request lapsed'),
    cancellation: z.strictObject({ by: z.string(), at: Instant, reason: z.string().optional() }).nullable(),
    failure: FailureView.nullable(),
    nextActionAt: Instant.nullable().describe('When the lifecycle next has something to do'),
    createdAt: Instant,
    updatedAt: Instant,
    version: z.int().min(1).describe('Increments on every change; the ETag is this number in quotes'),
  })
  .meta({ id: 'O2Account', description: 'An O2 research-cluster account and its lifecycle' });
export type O2AccountView = z.output<typeof O2AccountViewSchema>;

export const O2AccountPageSchema = z
  .strictObject({
    items: z.array(O2AccountViewSchema),
    cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  })
  .meta({ id: 'O2AccountPage', description: 'A page of O2 accounts' });
export type O2AccountPageView = z.output<typeof O2AccountPageSchema>;

export function toLabView(l: Lab, names: ReadonlyMap<string, string> = new Map()): LabView {
  return {
    labId: l.labId,
    name: l.name,
    piHuid: l.piHuid,
    piName: names.get(l.piHuid) ?? null,
    institution: l.institution,
    quad: quadView(l.quad),
    registration: registrationView(l.registration),
    createdAt: l.createdAt,
    updatedAt: l.updatedAt,
    version: l.version,
  };
}

function quadView(q: Lab['quad']): LabView['quad'] {
  return { onQuad: q.onQuad, reason: q.reason };
}

function registrationView(r: Lab['registration']): LabView['registration'] {
  if (r.status !== 'registered') return { status: r.status };
  return {
    status: 'registered',
    chargeback: r.chargeback.charged ? { charged: true, account: r.chargeback.account } : { charged: false },
    billingContact: { name: r.billingContact.name, email: r.billingContact.email },
    by: r.by,
    at: r.at,
  };
}

export function toLabPageView(page: { items: Lab[]; cursor?: string | undefined }, names: ReadonlyMap<string, string> = new Map()): LabPageView {
  return { items: page.items.map((l) => toLabView(l, names)), cursor: page.cursor ?? null };
}

const o2Approval = (a: O2Account['approval']): O2AccountView['approval'] => approvalView(a);
const o2Failure = (f: O2Account['failure']): O2AccountView['failure'] => failureView(f);
const completionView = (c: O2Account['completion']): O2AccountView['completion'] => (c ? { by: c.by, at: c.at, unixUsername: c.unixUsername, ...(c.endDate ? { endDate: c.endDate } : {}) } : null);
/** The POSIX attributes are the O2 login's while the account is active; they are taken off the directory at expiry. */
const posixView = (o: Pick<O2Account, 'status' | 'posix'>): O2AccountView['posix'] => (o.status === 'ACTIVE' && o.posix ? { uidNumber: o.posix.uidNumber, homeDirectory: o.posix.homeDirectory } : null);
const renewalView = (r: O2Account['renewal']): O2AccountView['renewal'] => (r ? { by: r.by, at: r.at, ...(r.note !== undefined ? { note: r.note } : {}) } : null);
const retainView = (r: O2Account['retain']): O2AccountView['retain'] => (r ? { by: r.by, at: r.at, guestId: r.guestId, startDate: r.startDate } : null);
const lapseView = (l: O2Account['lapse']): O2AccountView['lapse'] => (l ? { reason: l.reason, at: l.at } : null);
const cancellationView = (c: O2Account['cancellation']): O2AccountView['cancellation'] => (c ? { by: c.by, at: c.at, ...(c.reason !== undefined ? { reason: c.reason } : {}) } : null);

export function toO2View(o: O2Account, names: ReadonlyMap<string, string> = new Map()): O2AccountView {
  return {
    o2AccountId: o.o2AccountId,
    status: o.status,
    userHuid: o.userHuid,
    userName: o.userName,
    names: Object.fromEntries(o2People(o).flatMap((h) => (names.has(h) ? [[h, names.get(h)!]] : []))),
    piHuid: o.piHuid,
    labId: o.labId,
    labPiHuid: o.labPiHuid,
    requestedBy: o.requestedBy,
    justification: o.justification ?? null,
    hmsSponsorHuid: o.hmsSponsorHuid ?? null,
    guestId: o.guestId ?? null,
    accountId: o.accountId ?? null,
    quad: quadView(o.quad),
    approval: o2Approval(o.approval),
    completion: completionView(o.completion),
    posix: posixView(o),
    rcCoreRequestedAt: o.rcCoreRequestedAt ?? null,
    activatedAt: o.activatedAt ?? null,
    endDate: o.endDate ?? null,
    lastNoticeDate: o.lastNoticeDate ?? null,
    expiredAt: o.expiredAt ?? null,
    renewal: renewalView(o.renewal),
    retain: retainView(o.retain),
    lapse: lapseView(o.lapse),
    cancellation: cancellationView(o.cancellation),
    failure: o2Failure(o.failure),
    nextActionAt: o.dueAt ?? null,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    version: o.version,
  };
}

export function toO2PageView(page: { items: O2Account[]; cursor?: string | undefined }, names: ReadonlyMap<string, string> = new Map()): O2AccountPageView {
  return { items: page.items.map((o) => toO2View(o, names)), cursor: page.cursor ?? null };
}

// History of a lab or an O2 account: redacted as the views are (only fields the view shows).

export const LabHistoryFieldsSchema = LabViewSchema.omit({ labId: true, updatedAt: true, version: true })
  .partial()
  .meta({ id: 'LabHistoryFields', description: 'The changed fields, as the lab view shows them (only fields the view shows)' });
export type LabHistoryFields = z.output<typeof LabHistoryFieldsSchema>;

export const O2HistoryFieldsSchema = O2AccountViewSchema.omit({ o2AccountId: true, nextActionAt: true, updatedAt: true, version: true })
  .partial()
  .meta({ id: 'O2HistoryFields', description: 'The changed fields, as the O2 account view shows them (only fields the view shows)' });
export type O2HistoryFields = z.output<typeof O2HistoryFieldsSchema>;

export const O2HistoryDetailSchema = z
  .strictObject({
    reason: z.string().optional(),
    quad: z.enum(['on-Quad', 'off-Quad']).optional().describe("The lab's standing at the request"),
    guestId: z.uuid().optional().describe('The HMS guest account request it concerns (chained, or kept on leaving HMS)'),
    email: z.string().optional().describe('Which email went out (its name)'),
    to: z.string().optional().describe('Who an email went to (user, pi, rc-core)'),
    note: z.string().optional(),
    outcome: z.string().optional().describe('What the lifecycle was told (approved, denied, registered, completed, ...)'),
    step: z.string().optional().describe('The step of the lifecycle a `woken` event woke (lab-registration: the RC Core registered the lab)'),
  })
  .meta({ id: 'O2HistoryDetail', description: 'What an event of a lab or an O2 account says besides the changed fields' });
export type O2HistoryDetail = z.output<typeof O2HistoryDetailSchema>;

export const LabHistoryItemSchema = z
  .strictObject({
    seq: z.int().min(1).describe('The lab version this event produced'),
    at: Instant,
    actor: z.string().describe('HUID of the person, or workflow, reconciler'),
    action: z.string().meta({ examples: ['created', 'registered', 'standing-changed'] }),
    before: LabHistoryFieldsSchema,
    after: LabHistoryFieldsSchema,
    detail: O2HistoryDetailSchema.nullable(),
  })
  .meta({ id: 'LabHistoryItem', description: 'One event of the audit trail of a lab, redacted as the lab view is' });
export type LabHistoryItem = z.output<typeof LabHistoryItemSchema>;

export const LabHistoryPageSchema = z.strictObject({ items: z.array(LabHistoryItemSchema) }).meta({ id: 'LabHistoryPage', description: 'Every event of a lab, oldest first' });
export type LabHistoryPageView = z.output<typeof LabHistoryPageSchema>;

export const O2HistoryItemSchema = z
  .strictObject({
    seq: z.int().min(1).describe('The O2 account version this event produced'),
    at: Instant,
    actor: z.string().describe('HUID of the person, or workflow, reconciler'),
    action: z.string().meta({ examples: ['requested', 'approved', 'completed', 'activated', 'renewal-requested', 'retained', 'expired'] }),
    before: O2HistoryFieldsSchema,
    after: O2HistoryFieldsSchema,
    detail: O2HistoryDetailSchema.nullable(),
  })
  .meta({ id: 'O2HistoryItem', description: 'One event of the audit trail of an O2 account, redacted as the O2 account view is' });
export type O2HistoryItem = z.output<typeof O2HistoryItemSchema>;

export const O2HistoryPageSchema = z.strictObject({ items: z.array(O2HistoryItemSchema) }).meta({ id: 'O2HistoryPage', description: 'Every event of an O2 account, oldest first' });
export type O2HistoryPageView = z.output<typeof O2HistoryPageSchema>;

/** How each lab field shows in a history event; fields not listed (registrationRequestedAt, createdBy, lastAudit) are never shown. */
const LAB_SHOWN: { [K in keyof Lab]?: (l: Partial<Lab>) => LabHistoryFields } = {
  name: (l) => ({ name: l.name! }),
  piHuid: (l) => ({ piHuid: l.piHuid! }),
  institution: (l) => ({ institution: l.institution! }),
  quad: (l) => (l.quad ? { quad: quadView(l.quad) } : {}),
  registration: (l) => (l.registration ? { registration: registrationView(l.registration) } : {}),
  createdAt: (l) => ({ createdAt: l.createdAt! }),
};

/**
 * How each O2 account field shows in a history event; fields not listed (userEmail, sent,
 * taskToken, waitingFor, reminders, execution, dueAt, lastAudit, ...) are never shown. The POSIX
 * attributes show as the view shows them: only when the status they come with is ACTIVE.
 */
const O2_SHOWN: { [K in keyof O2Account]?: (o: Partial<O2Account>) => O2HistoryFields } = {
  status: (o) => ({ status: o.status! }),
  userHuid: (o) => ({ userHuid: o.userHuid! }),
  userName: (o) => ({ userName: o.userName! }),
  piHuid: (o) => ({ piHuid: o.piHuid! }),
  labId: (o) => ({ labId: o.labId! }),
  labPiHuid: (o) => ({ labPiHuid: o.labPiHuid! }),
  requestedBy: (o) => ({ requestedBy: o.requestedBy! }),
  justification: (o) => ({ justification: o.justification ?? null }),
  hmsSponsorHuid: (o) => ({ hmsSponsorHuid: o.hmsSponsorHuid ?? null }),
  guestId: (o) => ({ guestId: o.guestId ?? null }),
  accountId: (o) => ({ accountId: o.accountId ?? null }),
  quad: (o) => (o.quad ? { quad: quadView(o.quad) } : {}),
  approval: (o) => ({ approval: o2Approval(o.approval) }),
  completion: (o) => ({ completion: completionView(o.completion) }),
  posix: (o) => (o.status === undefined || o.status === 'ACTIVE' ? { posix: o.posix ? { uidNumber: o.posix.uidNumber, homeDirectory: o.posix.homeDirectory } : null } : { posix: null }),
  rcCoreRequestedAt: (o) => ({ rcCoreRequestedAt: o.rcCoreRequestedAt ?? null }),
  activatedAt: (o) => ({ activatedAt: o.activatedAt ?? null }),
  endDate: (o) => ({ endDate: o.endDate ?? null }),
  lastNoticeDate: (o) => ({ lastNoticeDate: o.lastNoticeDate ?? null }),
  expiredAt: (o) => ({ expiredAt: o.expiredAt ?? null }),
  renewal: (o) => ({ renewal: renewalView(o.renewal) }),
  retain: (o) => ({ retain: retainView(o.retain) }),
  lapse: (o) => ({ lapse: lapseView(o.lapse) }),
  cancellation: (o) => ({ cancellation: cancellationView(o.cancellation) }),
  failure: (o) => ({ failure: o2Failure(o.failure) }),
  createdAt: (o) => ({ createdAt: o.createdAt! }),
};

/** The fields of an audit event's before/after that the view shows, as it shows them. */
function shownOf<R, F extends object>(shown: { [K in keyof R]?: (r: Partial<R>) => F }, r: Record<string, unknown> | undefined): F {
  const out = {} as F;
  if (!r) return out;
  for (const key of Object.keys(r) as (keyof R)[]) {
    const show = shown[key];
    if (show) Object.assign(out, show(r as Partial<R>));
  }
  return out;
}

function o2Detail(e: O2AuditEvent): O2HistoryDetail | null {
  const detail: O2HistoryDetail = {};
  for (const k of ['reason', 'email', 'to', 'note', 'outcome', 'step'] as const) if (typeof e.detail?.[k] === 'string') detail[k] = e.detail[k] as string;
  const quad = e.detail?.quad;
  if (quad === 'on-Quad' || quad === 'off-Quad') detail.quad = quad;
  const guestId = e.detail?.guestId;
  if (typeof guestId === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(guestId)) detail.guestId = guestId;
  return Object.keys(detail).length ? detail : null;
}

export function toLabHistoryItem(e: O2AuditEvent): LabHistoryItem {
  return { seq: e.seq, at: e.at, actor: e.actor, action: e.action, before: shownOf<Lab, LabHistoryFields>(LAB_SHOWN, e.before), after: shownOf<Lab, LabHistoryFields>(LAB_SHOWN, e.after), detail: o2Detail(e) };
}

export function toO2HistoryItem(e: O2AuditEvent): O2HistoryItem {
  return { seq: e.seq, at: e.at, actor: e.actor, action: e.action, before: shownOf<O2Account, O2HistoryFields>(O2_SHOWN, e.before), after: shownOf<O2Account, O2HistoryFields>(O2_SHOWN, e.after), detail: o2Detail(e) };
}
