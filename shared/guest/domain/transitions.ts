/**
 * Every status change of a guest, in one table: from a status, on an event, to the next status.
 * Each use case and workflow task that changes a guest's status asks `transition`, and each place
 * that asks "may this guest do X now?" asks `can`; the README's lifecycle diagram is checked
 * against this table (test/unit/transitions.test.ts). The table guards on the status; what else an
 * event needs (an HSR covering the end date, 14 days without a decision, the end of the end date,
 * the restore window...) is decided by the rules in rules.ts.
 */
import { ConflictError } from '../../core/domain/errors.ts';
import type { GuestStatus } from './model.ts';

/** Before the request there is no guest: where a lifecycle starts (the diagram's `[*]`). */
export const START = '[*]';
export type From = GuestStatus | typeof START;

export type LifecycleEvent =
  /** The sponsor or a delegate requests an account, and an active HSR covers the end date. */
  | 'request'
  /** The same, but no active HSR covers the end date yet. */
  | 'request-awaiting-hsr'
  /** The daily HSR re-check finds none yet. */
  | 'hsr-recheck'
  | 'hsr-found'
  /** 14 days without an HSR. */
  | 'hsr-timeout'
  /** The sponsor approves (a delegate's request; the sponsor's own is approved by submitting it). */
  | 'approve'
  | 'deny'
  /** 14 days without a decision. */
  | 'approval-expired'
  /** An approved request: account ID, entitlements, activation code. */
  | 'provision'
  /** An approved request of a person leaving HMS who keeps their HMS account ID: it goes on as a guest account, nothing to activate. */
  | 'provision-retained'
  | 'resend-activation'
  /** The guest activates with the account ID and activation code. */
  | 'activate'
  | 'extend'
  /** The end of the end date (or HMS IT expires the account now). */
  | 'expire'
  /** An extension within 30 days of expiry, of an account that was activated... */
  | 'restore'
  /** ...or of one that never was: it waits for activation again. */
  | 'restore-unactivated'
  | 'cancel'
  /** The third recorded failure of the lifecycle in a row (MAX_FAILURES). */
  | 'fail';

export type Transition = readonly [from: From, event: LifecycleEvent, to: GuestStatus];

/** The lifecycle. One row per (status, event) it allows; anything else is refused. */
export const TRANSITIONS = [
  [START, 'request', 'PENDING_APPROVAL'],
  [START, 'request-awaiting-hsr', 'PENDING_HSR'],

  ['PENDING_HSR', 'hsr-recheck', 'PENDING_HSR'],
  ['PENDING_HSR', 'approve', 'PENDING_HSR'],
  ['PENDING_HSR', 'hsr-found', 'PENDING_APPROVAL'],
  ['PENDING_HSR', 'hsr-timeout', 'HSR_TIMEOUT'],
  ['PENDING_HSR', 'deny', 'DENIED'],
  ['PENDING_HSR', 'cancel', 'CANCELLED'],
  ['PENDING_HSR', 'fail', 'FAILED'],

  ['PENDING_APPROVAL', 'approve', 'PENDING_APPROVAL'],
  ['PENDING_APPROVAL', 'provision', 'PENDING_ACTIVATION'],
  ['PENDING_APPROVAL', 'provision-retained', 'ACTIVE'],
  ['PENDING_APPROVAL', 'deny', 'DENIED'],
  ['PENDING_APPROVAL', 'approval-expired', 'APPROVAL_EXPIRED'],
  ['PENDING_APPROVAL', 'cancel', 'CANCELLED'],
  ['PENDING_APPROVAL', 'fail', 'FAILED'],

  ['PENDING_ACTIVATION', 'resend-activation', 'PENDING_ACTIVATION'],
  ['PENDING_ACTIVATION', 'extend', 'PENDING_ACTIVATION'],
  ['PENDING_ACTIVATION', 'activate', 'ACTIVE'],
  ['PENDING_ACTIVATION', 'expire', 'EXPIRED'],
  ['PENDING_ACTIVATION', 'cancel', 'CANCELLED'],
  ['PENDING_ACTIVATION', 'fail', 'FAILED'],

  ['ACTIVE', 'extend', 'ACTIVE'],
  ['ACTIVE', 'expire', 'EXPIRED'],
  ['ACTIVE', 'cancel', 'CANCELLED'],
  ['ACTIVE', 'fail', 'FAILED'],

  ['EXPIRED', 'restore', 'ACTIVE'],
  ['EXPIRED', 'restore-unactivated', 'PENDING_ACTIVATION'],
  ['EXPIRED', 'fail', 'FAILED'],
] as const satisfies readonly Transition[];

/** Recorded lifecycle failures in a row after which the guest is FAILED (an operator looks): the core's rule. */
export { MAX_FAILURES } from '../../core/domain/failures.ts';

/** What a caller is told when the guest's status does not allow the event (409). */
const REFUSAL: { readonly [E in LifecycleEvent]: (status: From) => string } = {
  request: (s) => `A guest in status ${s} cannot be requested again.`,
  'request-awaiting-hsr': (s) => `A guest in status ${s} cannot be requested again.`,
  'hsr-recheck': (s) => `A guest in status ${s} is not waiting for an HSR.`,
  'hsr-found': (s) => `A guest in status ${s} is not waiting for an HSR.`,
  'hsr-timeout': (s) => `A guest in status ${s} is not waiting for an HSR.`,
  approve: (s) => `The request is ${s}; it can no longer be decided.`,
  deny: (s) => `The request is ${s}; it can no longer be decided.`,
  'approval-expired': (s) => `The request is ${s}; it is not waiting for a decision.`,
  provision: (s) => `A guest in status ${s} cannot be provisioned.`,
  'provision-retained': (s) => `A guest in status ${s} cannot be provisioned.`,
  'resend-activation': (s) => `The account is ${s}; there is nothing to activate.`,
  activate: (s) => `The account is ${s}; there is nothing to activate.`,
  extend: (s) => `A guest in status ${s} cannot be extended.`,
  restore: (s) => `A guest in status ${s} cannot be extended.`,
  'restore-unactivated': (s) => `A guest in status ${s} cannot be extended.`,
  expire: (s) => `A guest in status ${s} cannot be expired.`,
  cancel: (s) => `A guest in status ${s} cannot be cancelled.`,
  fail: (s) => `A guest in status ${s} has no lifecycle left to fail.`,
};

const NEXT = new Map<string, GuestStatus>(TRANSITIONS.map(([from, event, to]) => [`${from} ${event}`, to]));

/** The status after `event`, or ConflictError (409) if the status does not allow it. */
export function transition(status: From, event: LifecycleEvent): GuestStatus {
  const next = NEXT.get(`${status} ${event}`);
  if (!next) throw new ConflictError(REFUSAL[event](status));
  return next;
}

/** Does the status allow the event? */
export function can(status: From, event: LifecycleEvent): boolean {
  return NEXT.has(`${status} ${event}`);
}

/** The status part of a change: `{ status }` when the event moves the guest, `{}` when it stays (ConflictError if refused). */
export function statusChange(status: GuestStatus, event: LifecycleEvent): { status?: GuestStatus } {
  const next = transition(status, event);
  return next === status ? {} : { status: next };
}

/** Nothing more can happen to a guest in this status: no event leads out of it. */
export function isFinal(status: GuestStatus): boolean {
  return !TRANSITIONS.some(([from]) => from === status);
}

/** A request not yet provisioned or closed: the sponsor can still decide it. */
export function isOpenRequest(status: GuestStatus): boolean {
  return can(status, 'deny');
}

/**
 * The statuses of a provisioned account (the schedule of notices and expiry runs): where
 * provisioning leads, and every status that is not final reachable from there.
 */
const PROVISIONED: ReadonlySet<GuestStatus> = (() => {
  const found = new Set<GuestStatus>(TRANSITIONS.filter(([, event]) => event === 'provision').map(([, , to]) => to));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [from, , to] of TRANSITIONS) {
      if (from !== START && found.has(from) && !isFinal(to) && !found.has(to)) {
        found.add(to);
        grew = true;
      }
    }
  }
  return found;
})();

export function isProvisioned(status: GuestStatus): boolean {
  return PROVISIONED.has(status);
}

/**
 * Where a lifecycle ends (the diagram's `--> [*]`): at once in a final status; an expired account
 * when its 30-day restore window closes (its status stays EXPIRED).
 */
export function endsLifecycle(status: GuestStatus): boolean {
  return isFinal(status) || can(status, 'restore');
}
