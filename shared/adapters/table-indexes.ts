/** What a global secondary index of a lifecycle's table is, as its repository and the stack read it (no CDK, no SDK). */
export interface IndexSpec {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

/**
 * Every lifecycle's table has it: sparse, the records with work due (`dueShard = DUE`), by due
 * time. The reconciler reads it (dynamo-records.ts `queryDue`); a record is in it while it
 * carries `dueAt`.
 */
export const DUE_INDEX = { name: 'byDue', partitionKey: 'dueShard', sortKey: 'dueAt' } as const satisfies IndexSpec;
export const DUE_SHARD = 'DUE';

/** The due index's attribute a record carries while work is due (`dueAt` set), derived from it only. */
export function dueAttributes(record: { dueAt?: string | undefined }): { dueShard?: string } {
  return record.dueAt ? { dueShard: DUE_SHARD } : {};
}
