/** The O2 lifecycle's request schemas: bodies, queries and path parameters of its routes (issue 14). */
import * as z from 'zod';
import { Cursor, Huid, IsoDate, Limit, Text } from '../../http/schemas.ts';
import { INSTITUTION_NAMES, O2_STATUSES, REGISTRATION_STATUSES } from '../domain/model.ts';
import { SERVICES } from '../../guest/public-rules.ts';
import { ACCOUNT_ID_PATTERN } from '../../core/domain/directory.ts';
import { searchWords } from '../../core/domain/text.ts';

export const LabId = z.uuid('must be a lab ID (UUID)');
export const O2AccountId = z.uuid('must be an O2 account ID (UUID)');
export const LabPathParams = z.strictObject({ labId: LabId });
export const O2PathParams = z.strictObject({ o2AccountId: O2AccountId });

export const CreateLabBody = z.strictObject({
  name: Text(200).describe("The lab's name, as the RC Core and the PI know it"),
  institution: z.enum(INSTITUTION_NAMES).describe('Where the lab is based: HMS, another Harvard school (FAS, HSPH, SEAS, ...), the Wyss Institute, or an HMS affiliated institution (MGH, BWH, BCH, BIDMC, DFCI, ...)'),
  piHuid: Huid.optional().describe("The lab's PI; defaults to the caller (RC Core staff name the PI)"),
});

export const LabSearchQuery = z.strictObject({
  q: Text(100)
    .refine((v) => searchWords(v).some((w) => w.length >= 2), 'must have at least two letters of a word of the lab’s name or its PI’s name')
    .describe("The beginnings of words of the lab's name or its PI's name, e.g. `smith` or `cell bio`: at least two letters"),
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
