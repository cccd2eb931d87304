/**
 * What the O2 pages may offer, from the rules the API applies (shared/guest/domain/access.ts and shared/o2/domain/access.ts `decideO2`
 * for who, shared/o2/domain/transitions.ts for what the status allows). The API decides; the pages only leave out
 * what it would refuse.
 */
import { decideO2, relationToO2, type O2Action } from '../../../shared/o2/domain/access.ts';
import { o2Can, o2IsFinal } from '../../../shared/o2/domain/transitions.ts';
import { compareDates } from '../../../shared/core/domain/dates.ts';
import type { Me } from '../api/client.ts';
import type { O2Account } from '../api/o2.ts';

export { o2IsFinal };

export type O2ActionName = 'decide' | 'complete' | 'renew' | 'retain' | 'cancel';

const HMS_IT = 'hms-it';

/** The caller's directory groups as the pages know them (`rc-core`, `lab-manager:<PI>`, ...). */
export function groupsOf(me: Me): string[] {
  const m = me as Me & { groups?: string[] };
  return [...(m.groups ?? []), ...((me.roles as string[]).includes('rc-core') ? ['rc-core'] : [])];
}

export function isRcCore(me: Me): boolean {
  return groupsOf(me).includes('rc-core');
}

function ctx(me: Me, extraGroups: readonly string[] = []) {
  // The pages cannot see the caller's standing in the people directory; the API checks it (403 naming why).
  return { callerGroups: [...groupsOf(me), ...extraGroups], hmsItRole: HMS_IT, callerStanding: 'unchecked' as const, hmsAccountSponsor: false };
}

/**
 * What the API's answers tell of the caller beyond GET /v1/me: a person who may read the lab's
 * record and is neither its PI, RC Core staff nor HMS IT is one of its managers (lab-manager or
 * core-admin in the directory), who may approve its O2 accounts.
 */
export function labGroups(me: Me, lab: { piHuid: string } | undefined): string[] {
  return lab && lab.piHuid !== me.huid && !isRcCore(me) && !me.roles.includes('hms-it') ? [`lab-manager:${lab.piHuid}`] : [];
}

function caller(me: Me) {
  return { huid: me.huid, roles: me.roles.includes('hms-it') ? [HMS_IT] : [] };
}

/** How the person relates to the O2 account: its user, its sponsoring PI, the lab, the RC Core, HMS IT. */
export function o2Relations(me: Me, o2: O2Account, extraGroups: readonly string[] = []) {
  return relationToO2(caller(me), o2, ctx(me, extraGroups));
}

/** The actions the person may take on the O2 account now. */
export function o2Actions(me: Me, o2: O2Account, today: string, extraGroups: readonly string[] = []): Set<O2ActionName> {
  const may = (a: O2Action) => decideO2(caller(me), a, o2, ctx(me, extraGroups)) === 'allow';
  const s = o2.status;
  const out = new Set<O2ActionName>();
  if (may('decide') && o2Can(s, 'approve') && o2Can(s, 'deny') && !o2.approval) out.add('decide');
  if (may('complete') && o2Can(s, 'complete')) out.add('complete');
  if (may('renew') && o2Can(s, 'renew') && !o2.quad.onQuad) out.add('renew');
  // Leaving HMS: for a person whose own HMS account (not a guest account) the O2 account rests on, before their appointment's end date.
  if (may('retain') && o2Can(s, 'retain') && !o2.retain && !o2.guestId && o2.endDate && compareDates(o2.endDate, today) >= 0) out.add('retain');
  if (may('cancel') && o2Can(s, 'cancel')) out.add('cancel');
  return out;
}

/**
 * Where the workflow leaves the O2 account: false while it is still moving it on from a person's act
 * (the PI's or a manager's approval recorded, the account not yet routed on), which the page follows.
 */
export function o2Settled(o2: Pick<O2Account, 'status' | 'approval'>): boolean {
  return !(o2.status === 'PENDING_PI_APPROVAL' && o2.approval?.decision === 'approve');
}
