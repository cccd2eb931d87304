/** The guest lifecycle's request schemas: bodies, queries and path parameters of its routes. */
import * as z from 'zod';
import { MAX_PAGE } from '../../core/ports.ts';
import { Huid, IsoDate, Text } from '../../http/schemas.ts';
import { POPULATIONS, SERVICES, STATUSES } from '../domain/model.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../domain/password-policy.ts';
import { ACCOUNT_ID_PATTERN } from '../domain/rules.ts';

export const GuestId = z.uuid('must be a guest ID (UUID)');
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

export const ExtensionBody = z.strictObject({ endDate: IsoDate.describe('The new last day of the account') });

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

export const PathParams = z.strictObject({ guestId: GuestId });
