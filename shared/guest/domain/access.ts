/**
 * Who may do what to a guest: the one place authorization is decided.
 * A caller who may not even read a guest is told it does not exist (404, as for a missing guest).
 */
import type { Caller } from '../../core/domain/people.ts';
import type { Guest } from './model.ts';

export type GuestAction = 'read' | 'decide' | 'extend' | 'cancel' | 'resend' | 'force-expire' | 'reassign' | 'read-executions';

export type Relation = 'sponsor' | 'delegate' | 'hms-it' | 'none';

export interface AccessContext {
  /** HUIDs the guest's sponsor has named as delegates. */
  sponsorDelegates: readonly string[];
  hmsItRole: string;
}

export function relationTo(caller: Caller, guest: Pick<Guest, 'sponsorHuid'>, ctx: AccessContext): Relation[] {
  const relations: Relation[] = [];
  if (caller.huid === guest.sponsorHuid) relations.push('sponsor');
  if (ctx.sponsorDelegates.includes(caller.huid)) relations.push('delegate');
  if (caller.roles.includes(ctx.hmsItRole)) relations.push('hms-it');
  return relations.length ? relations : ['none'];
}

const ALLOWED: Record<GuestAction, readonly Relation[]> = {
  read: ['sponsor', 'delegate', 'hms-it'],
  decide: ['sponsor'],
  extend: ['sponsor'],
  cancel: ['sponsor', 'hms-it'],
  resend: ['sponsor'],
  'force-expire': ['hms-it'],
  reassign: ['hms-it'],
  /** The lifecycle's Step Functions executions: what operators look at. */
  'read-executions': ['hms-it'],
};

/** Who may do `action` (for telling a refused caller). */
export function allowedTo(action: GuestAction): readonly Relation[] {
  return ALLOWED[action];
}

/** 'allow', 'forbid' (may read but not do this: 403), or 'hide' (may not read it at all: 404). */
export function decide(caller: Caller, action: GuestAction, guest: Pick<Guest, 'sponsorHuid'>, ctx: AccessContext): 'allow' | 'forbid' | 'hide' {
  const relations = relationTo(caller, guest, ctx);
  if (relations.some((r) => ALLOWED[action].includes(r))) return 'allow';
  if (relations.some((r) => ALLOWED.read.includes(r))) return 'forbid';
  return 'hide';
}

/**
 * The relation a caller allowed to do `action` acts in: HMS IT when that role allows it, else the
 * sponsor, else a delegate. Used to hold a sponsor to the rules only sponsors are held to.
 */
export function actingAs(caller: Caller, action: GuestAction, guest: Pick<Guest, 'sponsorHuid'>, ctx: AccessContext): Relation {
  const relations = relationTo(caller, guest, ctx).filter((r) => ALLOWED[action].includes(r));
  for (const r of ['hms-it', 'sponsor', 'delegate'] as const) if (relations.includes(r)) return r;
  return 'none';
}

/**
 * Who may list a sponsor's guests: whoever may read a guest of that sponsor (the sponsor, a
 * delegate the sponsor named, HMS IT). Others are told so (403): listing names no guest.
 */
export function mayListGuestsOf(caller: Caller, sponsorHuid: string, ctx: AccessContext): boolean {
  return relationTo(caller, { sponsorHuid }, ctx).some((r) => ALLOWED.read.includes(r));
}

/** Who may list every guest, whatever the sponsor: HMS IT. */
export function mayListEveryGuest(caller: Caller, ctx: Pick<AccessContext, 'hmsItRole'>): boolean {
  return caller.roles.includes(ctx.hmsItRole);
}
