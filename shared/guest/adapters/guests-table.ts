/**
 * The guests table's global secondary indexes, declared once (no CDK, no SDK): the stack creates
 * them from this (infra/storage.ts), the repository queries them (dynamo-guests.ts) and writes the
 * attributes they are keyed on, and test tables are made with them.
 */
import { DUE_INDEX, dueAttributes, type IndexSpec } from '../../adapters/table-indexes.ts';
import type { Guest } from '../domain/model.ts';

export type { IndexSpec };

export const GUESTS_INDEXES = {
  /** A sponsor's guests by end date: GET /v1/guests for a sponsor, or several (a delegate's). */
  bySponsor: { name: 'bySponsor', partitionKey: 'sponsorHuid', sortKey: 'endDate' },
  /** Guests with work due: the reconciler. */
  byDue: DUE_INDEX,
  /**
   * Every guest, one partition per status, by end date: HMS IT's list (all statuses = one status
   * after the other). Keyed on the guest's own attributes, so guests written before the index
   * existed are in it too; no other item of the table has both.
   */
  byStatus: { name: 'byStatus', partitionKey: 'status', sortKey: 'endDate' },
} as const satisfies Record<string, IndexSpec>;
export type GuestsIndex = keyof typeof GUESTS_INDEXES;

/**
 * The index attributes a guest item carries besides its own fields, derived from the guest (and only
 * from it). A guest is due whatever its status when it carries `dueAt`: a final one only does when
 * work is owed all the same (its account in the directory, after a cancel the directory did not take).
 */
export function indexAttributes(guest: Guest): { dueShard?: string } {
  return dueAttributes(guest);
}

/** Names of the derived attributes, taken off again when an item is read. */
export const INDEX_ATTRIBUTES = ['dueShard'] as const;
