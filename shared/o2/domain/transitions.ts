/**
 * Every status change of an O2 account, in one table (as shared/guest/domain/transitions.ts is for
 * guests): from a status, on an event, to the next status. The O2 use cases and workflow tasks
 * change a status only through `o2Transition`, and the README's O2 lifecycle diagram is checked
 * against this table (test/unit/o2-transitions.test.ts).
 */
import { ConflictError } from '../../core/domain/errors.ts';
import type { O2Status } from './model.ts';
import { START } from '../../guest/public-rules.ts';

export { START };
export type O2From = O2Status | typeof START;

export type O2Event =
  /** Requested for a user who has no HMS account yet: the chained HMS guest account comes first. */
  | 'request-awaiting-hms-account'
  /** Requested for a user with an HMS account. */
  | 'request'
  /** The daily check: the HMS account is not active yet. */
  | 'hms-account-check'
  | 'hms-account-ready'
  /** The sponsoring PI (or a manager of the lab) approves; a request the PI makes is approved by that act. */
  | 'approve'
  | 'deny'
  /** 14 days without a decision, 30 days without the lab's registration, or no HMS account after all. */
  | 'lapse'
  /** Off-Quad, the lab not registered with the RC Core: the RC Core is asked, the PI told. */
  | 'await-lab-registration'
  | 'lab-reminder'
  | 'lab-registered'
  /** Off-Quad, the lab registered: the RC Core completes the setup. */
  | 'send-to-rc-core'
  | 'rc-core-reminder'
  /** RC Core staff complete the setup (or the renewal). */
  | 'complete'
  /** On-Quad: the O2 account is set up at once. */
  | 'activate'
  /** Leaving HMS: the HMS account continues as a guest account, and the O2 account with it. */
  | 'retain'
  /** The end of the HMS account's end date. */
  | 'expire'
  /** An expired off-Quad account: the user (or the PI) asks the RC Core to renew it. */
  | 'renew'
  | 'cancel'
  /** The third recorded failure of the lifecycle in a row. */
  | 'fail';

export type O2Transition = readonly [from: O2From, event: O2Event, to: O2Status];

export const O2_TRANSITIONS = [
  [START, 'request-awaiting-hms-account', 'PENDING_HMS_ACCOUNT'],
  [START, 'request', 'PENDING_PI_APPROVAL'],

  ['PENDING_HMS_ACCOUNT', 'hms-account-check', 'PENDING_HMS_ACCOUNT'],
  ['PENDING_HMS_ACCOUNT', 'approve', 'PENDING_HMS_ACCOUNT'],
  ['PENDING_HMS_ACCOUNT', 'hms-account-ready', 'PENDING_PI_APPROVAL'],
  ['PENDING_HMS_ACCOUNT', 'deny', 'DENIED'],
  ['PENDING_HMS_ACCOUNT', 'lapse', 'LAPSED'],
  ['PENDING_HMS_ACCOUNT', 'cancel', 'CANCELLED'],
  ['PENDING_HMS_ACCOUNT', 'fail', 'FAILED'],

  ['PENDING_PI_APPROVAL', 'approve', 'PENDING_PI_APPROVAL'],
  ['PENDING_PI_APPROVAL', 'deny', 'DENIED'],
  ['PENDING_PI_APPROVAL', 'lapse', 'LAPSED'],
  ['PENDING_PI_APPROVAL', 'await-lab-registration', 'PENDING_LAB_REGISTRATION'],
  ['PENDING_PI_APPROVAL', 'send-to-rc-core', 'PENDING_RC_CORE'],
  ['PENDING_PI_APPROVAL', 'activate', 'ACTIVE'],
  ['PENDING_PI_APPROVAL', 'cancel', 'CANCELLED'],
  ['PENDING_PI_APPROVAL', 'fail', 'FAILED'],

  ['PENDING_LAB_REGISTRATION', 'lab-reminder', 'PENDING_LAB_REGISTRATION'],
  ['PENDING_LAB_REGISTRATION', 'lab-registered', 'PENDING_RC_CORE'],
  ['PENDING_LAB_REGISTRATION', 'lapse', 'LAPSED'],
  ['PENDING_LAB_REGISTRATION', 'cancel', 'CANCELLED'],
  ['PENDING_LAB_REGISTRATION', 'fail', 'FAILED'],

  ['PENDING_RC_CORE', 'rc-core-reminder', 'PENDING_RC_CORE'],
  ['PENDING_RC_CORE', 'complete', 'ACTIVE'],
  ['PENDING_RC_CORE', 'cancel', 'CANCELLED'],
  ['PENDING_RC_CORE', 'fail', 'FAILED'],

  ['ACTIVE', 'retain', 'ACTIVE'],
  ['ACTIVE', 'expire', 'EXPIRED'],
  ['ACTIVE', 'cancel', 'CANCELLED'],
  ['ACTIVE', 'fail', 'FAILED'],

  ['EXPIRED', 'renew', 'RENEWAL_REQUESTED'],
  ['EXPIRED', 'fail', 'FAILED'],

  ['RENEWAL_REQUESTED', 'rc-core-reminder', 'RENEWAL_REQUESTED'],
  ['RENEWAL_REQUESTED', 'complete', 'ACTIVE'],
  ['RENEWAL_REQUESTED', 'cancel', 'CANCELLED'],
  ['RENEWAL_REQUESTED', 'fail', 'FAILED'],
] as const satisfies readonly O2Transition[];

/** What a caller is told when the O2 account's status does not allow the event (409). */
const REFUSAL: { readonly [E in O2Event]: (status: O2From) => string } = {
  'request-awaiting-hms-account': (s) => `An O2 account in status ${s} cannot be requested again.`,
  request: (s) => `An O2 account in status ${s} cannot be requested again.`,
  'hms-account-check': (s) => `An O2 account in status ${s} is not waiting for an HMS account.`,
  'hms-account-ready': (s) => `An O2 account in status ${s} is not waiting for an HMS account.`,
  approve: (s) => `The O2 request is ${s}; it can no longer be decided.`,
  deny: (s) => `The O2 request is ${s}; it can no longer be decided.`,
  lapse: (s) => `An O2 account in status ${s} cannot lapse.`,
  'await-lab-registration': (s) => `An O2 account in status ${s} is not being set up.`,
  'lab-reminder': (s) => `An O2 account in status ${s} is not waiting for its lab's registration.`,
  'lab-registered': (s) => `An O2 account in status ${s} is not waiting for its lab's registration.`,
  'send-to-rc-core': (s) => `An O2 account in status ${s} is not being set up.`,
  'rc-core-reminder': (s) => `An O2 account in status ${s} is not waiting for the RC Core.`,
  complete: (s) => `An O2 account in status ${s} is not waiting for the RC Core to complete it.`,
  activate: (s) => `An O2 account in status ${s} cannot be set up.`,
  retain: (s) => `Only an active O2 account can be kept when leaving HMS; this one is ${s}.`,
  expire: (s) => `An O2 account in status ${s} cannot expire.`,
  renew: (s) => `Only an expired O2 account can be renewed; this one is ${s}.`,
  cancel: (s) => `An O2 account in status ${s} cannot be cancelled.`,
  fail: (s) => `An O2 account in status ${s} has no lifecycle left to fail.`,
};

const NEXT = new Map<string, O2Status>(O2_TRANSITIONS.map(([from, event, to]) => [`${from} ${event}`, to]));

/** The status after `event`, or ConflictError (409) if the status does not allow it. */
export function o2Transition(status: O2From, event: O2Event): O2Status {
  const next = NEXT.get(`${status} ${event}`);
  if (!next) throw new ConflictError(REFUSAL[event](status));
  return next;
}

/** Does the status allow the event? */
export function o2Can(status: O2From, event: O2Event): boolean {
  return NEXT.has(`${status} ${event}`);
}

/** The status part of a change: `{ status }` when the event moves the account, `{}` when it stays. */
export function o2StatusChange(status: O2Status, event: O2Event): { status?: O2Status } {
  const next = o2Transition(status, event);
  return next === status ? {} : { status: next };
}

/** Nothing more can happen to an O2 account in this status. */
export function o2IsFinal(status: O2Status): boolean {
  return !O2_TRANSITIONS.some(([from]) => from === status);
}

/** A request not decided yet: the sponsor (or the lab) can still approve or deny it. */
export function o2IsOpenRequest(status: O2Status): boolean {
  return o2Can(status, 'deny');
}

/** Where an O2 lifecycle's execution ends (the diagram's `--> [*]`): a final status, or EXPIRED (a renewal starts a new one). */
export function o2EndsLifecycle(status: O2Status): boolean {
  return o2IsFinal(status) || o2Can(status, 'renew');
}

/** The statuses in which the account is set up (it exists on O2 and may be in its directory group): where completing and activating lead. */
export function o2IsSetUp(status: O2Status): boolean {
  return O2_TRANSITIONS.some(([, event, to]) => (event === 'complete' || event === 'activate') && to === status);
}
