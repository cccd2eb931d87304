/**
 * Request schemas every lifecycle's routes use (a HUID, a date, free text, a decision, a reason, a
 * cursor and a page size); each lifecycle's own are in its folder (shared/guest/http/schemas.ts,
 * shared/o2/http/schemas.ts). The one definition used to validate input and to write the OpenAPI
 * document.
 */
import * as z from 'zod';
import { isIsoDate } from '../core/domain/dates.ts';
import { MAX_PAGE } from '../core/ports.ts';
import { hasLineBreak, hasUnsafeCharacters } from '../core/domain/text.ts';

export const Huid = z.string().regex(/^\d{8}$/, 'must be an 8-digit Harvard ID (HUID)').meta({ examples: ['10000001'] });
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine(isIsoDate, 'must be a real calendar date')
  .meta({ format: 'date', examples: ['2027-06-30'] });

/** Free text: trimmed, bounded, no control or bidirectional formatting characters (shared/core/domain/text.ts); one line unless `multiline`. */
export const Text = (max: number, opts: { multiline?: boolean } = {}) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .superRefine((v, ctx) => {
      if (!opts.multiline && hasLineBreak(v)) ctx.addIssue({ code: 'custom', message: 'must be one line (no line breaks or tabs)' });
      else if (hasUnsafeCharacters(v, { multiline: true })) ctx.addIssue({ code: 'custom', message: 'must not contain control characters or invisible or bidirectional formatting characters' });
    });

/** A person named in the path by their exact HUID (no search by name or prefix). */
export const HuidPathParams = z.strictObject({ huid: Huid });

export const DecisionBody = z
  .strictObject({ decision: z.enum(['approve', 'deny']), reason: Text(1000).optional() })
  ;

export const ReasonBody = z.strictObject({ reason: Text(1000).optional() });

export const Cursor = z.string().max(2048).regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by this API').optional().describe('The `cursor` of the previous page');
export const Limit = (what: string) => z.coerce.number().int().min(1).max(MAX_PAGE).optional().describe(`At most this many ${what} (default 50)`);

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
