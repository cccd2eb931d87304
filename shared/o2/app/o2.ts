/**
 * The O2 use cases behind the API (issue 14): labs and their RC Core registration, O2 accounts and
 * what people do to them (request, decide, complete, renew, cancel, keep when leaving HMS). As
 * guests.ts is for guest accounts: each reads the record, asks shared/guest/domain/access.ts and shared/o2/domain/access.ts who may do
 * it (a caller who may not read gets 404, as for a missing one), applies a rule of
 * shared/o2/domain/rules.ts, writes one conditional, audited change (shared/o2/app/changes.ts) and wakes the
 * O2 lifecycle where it waits (shared/o2/app/hms-account.ts `wakeO2`, with the outputs of shared/o2/app/contract.ts).
 */
export * from './labs.ts';
export * from './requests.ts';
export * from './acts.ts';
