/** What GET /v1/me answers: who the caller is and what they may do, across the lifecycles. */
import * as z from 'zod';
import { Huid } from '../core/app/view.ts';
import { SPONSOR_REFUSALS } from '../guest/domain/rules.ts';

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

