/** Request schemas: the one definition used to validate input and to write the OpenAPI document. */
import { z } from 'zod';
import { isIsoDate } from '../domain/dates.ts';
import { POPULATIONS, SERVICES, STATUSES } from '../domain/model.ts';
import { ACCOUNT_ID_PATTERN } from '../domain/rules.ts';
import { hasLineBreak, hasUnsafeCharacters } from '../domain/text.ts';

export const Huid = z.string().regex(/^\d{8}$/, 'must be an 8-digit Harvard ID (HUID)').meta({ example: '10000001' });
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine(isIsoDate, 'must be a real calendar date')
  .meta({ format: 'date', example: '2027-06-30' });
export const GuestId = z.uuid('must be a guest ID (UUID)');
/** Free text: trimmed, bounded, no control or bidirectional formatting characters (shared/domain/text.ts); one line unless `multiline`. */
const Text = (max: number, opts: { multiline?: boolean } = {}) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .superRefine((v, ctx) => {
      if (!opts.multiline && hasLineBreak(v)) ctx.addIssue({ code: 'custom', message: 'must be one line (no line breaks or tabs)' });
      else if (hasUnsafeCharacters(v, { multiline: true })) ctx.addIssue({ code: 'custom', message: 'must not contain control characters or bidirectional formatting characters' });
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
  })
  ;

export const ListQuery = z.strictObject({
  status: z.enum(STATUSES).optional(),
  expiringBefore: IsoDate.optional(),
  sponsorHuid: Huid.optional(),
  cursor: z.string().max(2048).regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by this API').optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

export const PathParams = z.strictObject({ guestId: GuestId });
