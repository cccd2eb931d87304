/**
 * What the API shows of labs and O2 accounts (issue 14): a lab, an O2 account, pages and histories
 * of each. Never the task token, the user's email or the workflow's internal fields.
 */
import * as z from 'zod';
import { approvalView, ApprovalView, failureView, FailureView, Huid, Instant, IsoDay, shownOf } from '../../core/app/view.ts';
import { INSTITUTION_NAMES, LAPSE_REASONS, O2_STATUSES, type Lab, type O2Account, type O2AuditEvent } from '../domain/model.ts';

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
    labName: z.string().nullable().describe("The lab's name (its members know it by name, not by ID)"),
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

/** `names`: the people it names (o2People); `labNames`: its lab's name, by lab ID. */
export function toO2View(o: O2Account, names: ReadonlyMap<string, string> = new Map(), labNames: ReadonlyMap<string, string> = new Map()): O2AccountView {
  return {
    o2AccountId: o.o2AccountId,
    status: o.status,
    userHuid: o.userHuid,
    userName: o.userName,
    names: Object.fromEntries(o2People(o).flatMap((h) => (names.has(h) ? [[h, names.get(h)!]] : []))),
    piHuid: o.piHuid,
    labId: o.labId,
    labName: labNames.get(o.labId) ?? null,
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

export function toO2PageView(page: { items: O2Account[]; cursor?: string | undefined }, names: ReadonlyMap<string, string> = new Map(), labNames: ReadonlyMap<string, string> = new Map()): O2AccountPageView {
  return { items: page.items.map((o) => toO2View(o, names, labNames)), cursor: page.cursor ?? null };
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

/** The people an O2 account names besides its user (whose name it holds): the sponsor, the lab's PI, who asked, the HMS sponsor, who decided, completed, renewed, kept or cancelled it. */
export function o2People(o: O2Account): string[] {
  const named = [o.piHuid, o.labPiHuid, o.requestedBy, o.hmsSponsorHuid, o.approval?.by, o.completion?.by, o.renewal?.by, o.retain?.by, o.cancellation?.by];
  return [...new Set(named.filter((h): h is string => typeof h === 'string' && /^\d{8}$/.test(h) && h !== o.userHuid))];
}

export const LabSearchSchema = z
  .strictObject({
    labs: z
      .array(z.strictObject({ labId: z.uuid(), name: z.string(), piHuid: Huid, piName: z.string() }))
      .max(10)
      .describe("At most 10 labs whose name's or PI's name's words begin with the query's words, by lab name"),
  })
  .meta({ id: 'LabSearch', description: "Labs found by the beginnings of the words of their name or their PI's name" });

export const PiConfirmationSchema = z
  .strictObject({
    huid: Huid,
    name: z.string(),
    labs: z.array(z.strictObject({ labId: z.uuid(), name: z.string(), institution: z.enum(INSTITUTION_NAMES), quad: QuadView })).describe('The labs the PI heads, to pick from by name'),
  })
  .meta({ id: 'PiConfirmation', description: 'A PI, by their exact HUID: the name to confirm and the labs they head' });
