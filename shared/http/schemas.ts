/** Request schemas: the one definition used to validate input and to write the OpenAPI document. */
import { z } from 'zod';
import { isIsoDate } from '../core/domain/dates.ts';
import { POPULATIONS, SERVICES, STATUSES } from '../guest/domain/model.ts';
import { INSTITUTION_NAMES, O2_STATUSES, REGISTRATION_STATUSES } from '../o2/domain/model.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../guest/domain/password-policy.ts';
import { ACCOUNT_ID_PATTERN } from '../guest/domain/rules.ts';
import { MAX_PAGE } from '../core/ports.ts';
import { hasLineBreak, hasUnsafeCharacters } from '../core/domain/text.ts';

export const Huid = z.string().regex(/^\d{8}$/, 'must be an 8-digit Harvard ID (HUID)').meta({ examples: ['10000001'] });
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine(isIsoDate, 'must be a real calendar date')
  .meta({ format: 'date', examples: ['2027-06-30'] });
export const GuestId = z.uuid('must be a guest ID (UUID)');
/** Free text: trimmed, bounded, no control or bidirectional formatting characters (shared/core/domain/text.ts); one line unless `multiline`. */
const Text = (max: number, opts: { multiline?: boolean } = {}) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .superRefine((v, ctx) => {
      if (!opts.multiline && hasLineBreak(v)) ctx.addIssue({ code: 'custom', message: 'must be one line (no line breaks or tabs)' });
      else if (hasUnsafeCharacters(v, { multiline: true })) ctx.addIssue({ code: 'custom', message: 'must not contain control characters or invisible or bidirectional formatting characters' });
    });

export const CreateGuestBody = z
  .strictObject({
    guestHuid: Huid.describe('HUID the guest received with their Harvard Sponsored Role'),
    population: z.enum(POPULATIONS).describe('Which guest population the guest belongs to'),
    endDate: IsoDate.describe('Last day of the account (at most one year after the start)'),
    startDate: IsoDate.optional().describe('First day of the account; defaults to today'),
    sponsorHuid: Huid.optional().describe('The sponsor; required when a delegate submits'),
    services: z.array(z.enum(SERVICES)).max(SERVICES.length).optional().describe('Services requested; defaults to email, wireless, portal'),
    contractorId: z.string().regex(/^[A-Za-z0-9-]{3,20}$/, 'must be a HU contractor ID (3-20 letters, digits or dashes)').optional(),
    justification: Text(2000, { multiline: true }).optional().describe('Why the guest needs the account; several lines allowed'),
  })
  ;

export const DecisionBody = z
  .strictObject({ decision: z.enum(['approve', 'deny']), reason: Text(1000).optional() })
  ;

export const ExtensionBody = z.strictObject({ endDate: IsoDate.describe('The new last day of the account') });

export const ReasonBody = z.strictObject({ reason: Text(1000).optional() });

export const ReassignBody = z.strictObject({ sponsorHuid: Huid, reason: Text(1000).optional() });

export const ActivateBody = z
  .strictObject({
    accountId: z.string().regex(ACCOUNT_ID_PATTERN, 'must be an HMS account ID like jd123'),
    code: z.string().regex(/^[A-Za-z0-9-]{20,40}$/, 'must be the activation code from the email'),
    // Only its shape here: the password policy (shared/guest/domain/password-policy.ts) is checked after
    // the code, so that a caller without the right code learns nothing about the password.
    password: z
      .string()
      .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`)
      .describe(
        `The password the guest chooses for the HMS account: at least ${MIN_PASSWORD_LENGTH} characters, not containing the account ID or the guest's names, not a common password. Sent to the HMS account directory only; never stored, logged or returned`,
      )
      .meta({ format: 'password', writeOnly: true }),
  })
  ;

export const ListQuery = z.strictObject({
  as: z.enum(['sponsor', 'delegate', 'hms-it']).optional().describe("Whose guests: the caller's own or `sponsorHuid`'s (sponsor, the default), every sponsor's who named the caller delegate (delegate), every guest (hms-it: HMS IT only)"),
  status: z.enum(STATUSES).optional(),
  expiringBefore: IsoDate.optional().describe('Only guests whose end date is before this day'),
  sponsorHuid: Huid.optional().describe('Only the guests of this sponsor'),
  failed: z.enum(['true', 'false']).optional().describe('true: only guests with a recorded lifecycle failure'),
  cursor: z.string().max(2048).regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by this API').optional().describe('The `cursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional().describe('At most this many guests (default 50)'),
});

export const SponsorsQuery = z.strictObject({
  huids: z
    .string()
    .regex(/^\d{8}(,\d{8}){0,99}$/, 'must be 1 to 100 HUIDs separated by commas')
    .describe('The sponsors to look up: 8-digit HUIDs separated by commas (at most 100)')
    .meta({ examples: ['10000001,10000002'] }),
});

/** The answer of GET /openapi.json: an OpenAPI 3.1 document (its parts are not described again here). */
export const OpenApiDocumentSchema = z
  .looseObject({
    openapi: z.string().regex(/^3\.1\.\d+$/),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.looseObject({})),
    components: z.looseObject({ schemas: z.record(z.string(), z.looseObject({})) }),
  })
  .meta({ id: 'OpenApiDocument', description: 'An OpenAPI 3.1 document' });

/** An Idempotency-Key header (shared/http/idempotency.ts): 8 to 128 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{8,128}$/;

export const PathParams = z.strictObject({ guestId: GuestId });

// --- Labs and O2 accounts (issue 14) -----------------------------------------------------------

export const LabId = z.uuid('must be a lab ID (UUID)');
export const O2AccountId = z.uuid('must be an O2 account ID (UUID)');
export const LabPathParams = z.strictObject({ labId: LabId });
export const O2PathParams = z.strictObject({ o2AccountId: O2AccountId });

const Cursor = z.string().max(2048).regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by this API').optional().describe('The `cursor` of the previous page');
const Limit = (what: string) => z.coerce.number().int().min(1).max(MAX_PAGE).optional().describe(`At most this many ${what} (default 50)`);

export const CreateLabBody = z.strictObject({
  name: Text(200).describe("The lab's name, as the RC Core and the PI know it"),
  institution: z.enum(INSTITUTION_NAMES).describe('Where the lab is based: HMS, another Harvard school (FAS, HSPH, SEAS, ...), the Wyss Institute, or an HMS affiliated institution (MGH, BWH, BCH, BIDMC, DFCI, ...)'),
  piHuid: Huid.optional().describe("The lab's PI; defaults to the caller (RC Core staff name the PI)"),
});

export const LabsQuery = z.strictObject({
  registration: z.enum(REGISTRATION_STATUSES).optional().describe('`pending`: the RC Core queue (RC Core staff and HMS IT): every lab waiting for its registration. Otherwise only the labs of the caller (or `piHuid`) with this registration status'),
  piHuid: Huid.optional().describe("Only this PI's labs (the PI, a manager of the lab, RC Core staff, HMS IT); defaults to the caller"),
  cursor: Cursor,
  limit: Limit('labs'),
});

/** A chargeback account: letters, digits and separators, e.g. the 33-digit Harvard billing code. */
const ChargebackAccount = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ./-]{0,63}$/, 'must be an account of 1 to 64 letters, digits, spaces, dots, slashes or dashes')
  .meta({ examples: ['370-31230-8250-000001-000000-0000-00000'] });

export const RegisterLabBody = z.strictObject({
  chargeback: z
    .discriminatedUnion('charged', [
      z.strictObject({ charged: z.literal(true), account: ChargebackAccount.describe('The account the RC Core charges for O2') }),
      z.strictObject({ charged: z.literal(false) }),
    ])
    .describe('Whether the lab is charged for O2, and to which account; a lab not charged registers all the same'),
  billingContact: z
    .strictObject({
      name: Text(200),
      email: z.email('must be an email address').max(254, 'must be at most 254 characters'),
    })
    .describe("Who the RC Core writes to about the lab's O2 use"),
});

export const CreateO2Body = z.strictObject({
  userHuid: Huid.describe('The person the O2 account is for (a HUID: a person without one first needs a Harvard Sponsored Role)'),
  piHuid: Huid.describe('The sponsoring PI (or a manager of the lab)'),
  labId: LabId.describe("The lab, headed by the PI (or by whom the manager manages for)"),
  justification: Text(2000, { multiline: true }).optional().describe('Why the user needs O2; several lines allowed'),
  hmsSponsorHuid: Huid.optional().describe('The HMS sponsor of the HMS guest account the user needs first, when the PI is not an HMS sponsor (a lab at another Harvard school)'),
});

export const O2ListQuery = z.strictObject({
  as: z
    .enum(['user', 'pi', 'rc-core'])
    .optional()
    .describe("Whose O2 accounts: the caller's own (user, the default); those the caller sponsors, then every account of the labs they head or manage (pi: the lab's PI, its lab managers and core administrators); or the RC Core queue (rc-core: RC Core staff and HMS IT; PENDING_RC_CORE and RENEWAL_REQUESTED unless `status`)"),
  status: z.enum(O2_STATUSES).optional(),
  cursor: Cursor,
  limit: Limit('O2 accounts'),
});

export const CompletionBody = z.strictObject({
  unixUsername: z.string().regex(ACCOUNT_ID_PATTERN, 'must be an HMS account ID like jd123').describe("The O2 login the RC Core created: the user's HMS account ID"),
  endDate: IsoDate.optional().describe("The last day of the O2 account, when earlier than the HMS account's"),
});

export const RenewalBody = z.strictObject({ note: Text(2000, { multiline: true }).optional().describe('For the RC Core; several lines allowed') });

export const RetainBody = z.strictObject({
  hmsSponsorHuid: Huid.optional().describe('The HMS sponsor of the guest account that keeps the HMS account, when it is not the PI'),
  endDate: IsoDate.optional().describe('The last day of that guest account (at most one year after it starts)'),
  services: z
    .array(z.enum(SERVICES))
    .max(SERVICES.length)
    .optional()
    .describe('The services the kept account has; defaults to email, file-shares (HMS storage), wireless, portal and o2. O2 is always kept.'),
});
