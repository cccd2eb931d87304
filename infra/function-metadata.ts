/**
 * Metadata GuestFunction (infra/functions.ts) records on each function's CloudFormation resource,
 * with no CDK imports: the local system (local/synth.ts) reads it from the synthesized template.
 */

/** The function's handler file, relative to the repository root, exporting `handler` (e.g. `functions/api.ts`). */
export const ENTRY_METADATA = 'hms:entry';
