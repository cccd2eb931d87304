/**
 * What every lifecycle's views are made of: the zod primitives of an answer (a HUID, an instant, a
 * day), a decision and a recorded failure, and how an audit event's fields are shown. Each answer
 * is declared once, as a zod schema: the view functions are typed by it, and the OpenAPI
 * document's components are written from it (shared/http/openapi.ts; the `id` in each schema's
 * metadata is its component's name).
 */
import * as z from 'zod';
import type { Approval } from '../domain/people.ts';
import type { RecordedFailure } from '../domain/failures.ts';
import type { PeopleDirectory } from '../ports.ts';

export const Huid = z.string().regex(/^\d{8}$/).meta({ examples: ['10000001'] });
export const Instant = z.iso.datetime().meta({ examples: ['2027-01-04T14:00:00.000Z'] });
export const IsoDay = z.iso.date().meta({ examples: ['2027-06-30'] });

export const ApprovalView = z
  .strictObject({
    decision: z.enum(['approve', 'deny']),
    by: Huid.describe('HUID of the sponsor who decided'),
    at: Instant,
    reason: z.string().optional(),
    bySubmission: z.boolean().optional().describe('True when the sponsor submitted the request: submitting is approving'),
  })
  .meta({ id: 'Approval', description: "The sponsor's decision on the request" });

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

export function approvalView(a: Approval | undefined): z.output<typeof ApprovalView> | null {
  if (!a) return null;
  return { decision: a.decision, by: a.by, at: a.at, ...(a.reason !== undefined ? { reason: a.reason } : {}), ...(a.bySubmission !== undefined ? { bySubmission: a.bySubmission } : {}) };
}

export function failureView(f: RecordedFailure | undefined): z.output<typeof FailureView> | null {
  return f ? { state: f.state, error: f.error, ...(f.cause !== undefined ? { cause: f.cause } : {}), at: f.at, count: f.count, kind: f.kind ?? 'counted' } : null;
}

/** The fields of an audit event's before/after that the view shows, as it shows them. */
export function shownOf<R, F extends object>(shown: { [K in keyof R]?: (r: Partial<R>) => F }, r: Record<string, unknown> | undefined): F {
  const out = {} as F;
  if (!r) return out;
  for (const key of Object.keys(r) as (keyof R)[]) {
    const show = shown[key];
    if (show) Object.assign(out, show(r as Partial<R>));
  }
  return out;
}


/**
 * People's names for what the API answers (issue 18: "a person's name where a HUID was"): the names
 * the people directory has for the HUIDs a record names, one lookup each, in parallel; a HUID nobody
 * has is left out. Only for records the caller may read, and only the people that record names.
 */
export async function namesOf(deps: { people: PeopleDirectory }, huids: Iterable<string>): Promise<Map<string, string>> {
  const unique = [...new Set(huids)];
  const people = await Promise.all(unique.map((h) => deps.people.person(h)));
  return new Map(people.flatMap((p, i) => (p ? [[unique[i]!, p.name] as const] : [])));
}
