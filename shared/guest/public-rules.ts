/**
 * The guest lifecycle's published rules: the part of its published interface (shared/guest/public.ts)
 * that is domain only (pure: no port, no adapter), so that another lifecycle's domain and the pages
 * may use it too.
 */
export { DEFAULT_SERVICES, SERVICES, type Guest, type GuestStatus, type Population, type Service } from './domain/model.ts';
export {
  approvalExpired,
  approvalTimeouts,
  APPROVAL_EXPIRES_AFTER_MS,
  APPROVAL_REMINDER_AFTER_MS,
  assertMaySubmitFor,
  expiryInstant,
  holdsPerson,
  isWyss,
  NOTICE_HOUR,
  o2Entitlement,
  RC_CORE_CONTACT,
  sponsorStanding,
  SPONSOR_SCHOOLS,
  WYSS_CONTACT,
  type ApprovalTimeouts,
} from './domain/rules.ts';
export { can, isFinal, isOpenRequest, START } from './domain/transitions.ts';
