/**
 * Who may do what to an O2 account or a lab: the one place O2 authorization is decided. A caller
 * who may not even read one is told it does not exist (404, as for a missing one).
 */
import type { Caller } from '../../core/domain/people.ts';

/** What may be done to an O2 account. */
export type O2Action = 'read' | 'decide' | 'complete' | 'renew' | 'cancel' | 'retain';

/**
 * How a caller relates to an O2 account: its user, its sponsor (the PI or manager who sponsors it),
 * the lab (the lab's PI or one of its managers), RC Core staff, HMS IT.
 */
export type O2Relation = 'user' | 'sponsor' | 'lab' | 'hms-sponsor' | 'rc-core' | 'hms-it' | 'none';

export interface O2AccessContext {
  /** The caller's directory groups (`rc-core`, `lab-manager:<PI>`, `core-admin:<PI>`), read now. */
  callerGroups: readonly string[];
  hmsItRole: string;
  /**
   * The caller as the people directory has them now: active, and whether they have a faculty
   * appointment (what heads a lab). A sponsor or the lab's PI acts for the lab only while they
   * still may (the stored `piHuid`/`labPiHuid` say who they were when the request was filed).
   * `unchecked` only where nothing is decided (the pages leave out what the API would refuse).
   */
  callerStanding: { active: boolean; pi: boolean } | 'unchecked';
  /** The caller sponsors the HMS guest account the O2 account rests on (or is a delegate that sponsor named): they may read it. */
  hmsAccountSponsor: boolean;
}

export function relationToO2(caller: Caller, o2: { userHuid: string; piHuid: string; labPiHuid: string }, ctx: O2AccessContext): O2Relation[] {
  const relations: O2Relation[] = [];
  if (caller.huid === o2.userHuid) relations.push('user');
  if (caller.huid === o2.piHuid) relations.push('sponsor');
  if (caller.huid === o2.labPiHuid || ctx.callerGroups.includes(`lab-manager:${o2.labPiHuid}`) || ctx.callerGroups.includes(`core-admin:${o2.labPiHuid}`)) relations.push('lab');
  if (ctx.hmsAccountSponsor) relations.push('hms-sponsor');
  if (ctx.callerGroups.includes('rc-core')) relations.push('rc-core');
  if (caller.roles.includes(ctx.hmsItRole)) relations.push('hms-it');
  return relations.length ? relations : ['none'];
}

const O2_ALLOWED: Record<O2Action, readonly O2Relation[]> = {
  read: ['user', 'sponsor', 'lab', 'hms-sponsor', 'rc-core', 'hms-it'],
  /** Rule "O2: sponsoring PI": the sponsor, or the lab's PI or a manager of the lab, approves. */
  decide: ['sponsor', 'lab'],
  /** Rule "Off-Quad": the RC Core completes the setup. */
  complete: ['rc-core'],
  /** Rule "Renewal": the user (or the PI) asks the RC Core. */
  renew: ['user', 'sponsor', 'lab'],
  cancel: ['user', 'sponsor', 'lab', 'rc-core', 'hms-it'],
  /** Rule "Leaving HMS": the user or the PI. */
  retain: ['user', 'sponsor', 'lab'],
};

/** Who may do `action` to an O2 account (for telling a refused caller). */
export function o2AllowedTo(action: O2Action): readonly O2Relation[] {
  return O2_ALLOWED[action];
}

type O2Parties = { userHuid: string; piHuid: string; labPiHuid: string };

/**
 * Why the caller, as the account's sponsor or as the lab, may not act for the lab now (undefined:
 * they may). Rule "O2: sponsoring PI": the lab's PI is an active person with a faculty appointment;
 * a manager is active and in the lab's `lab-manager`/`core-admin` group, read now. Someone who
 * lost that (a PI whose appointment ended, a manager taken out of the group) keeps reading only.
 */
export function lapsedLabStanding(caller: Caller, o2: O2Parties, ctx: O2AccessContext): string | undefined {
  const standing = ctx.callerStanding;
  if (standing === 'unchecked') return undefined;
  if (!standing.active) return 'you are no longer active in the people directory';
  if (caller.huid === o2.labPiHuid) return standing.pi ? undefined : "you no longer head the lab (a lab's PI is an active person with a faculty appointment in the people directory)";
  const manages = ctx.callerGroups.includes(`lab-manager:${o2.labPiHuid}`) || ctx.callerGroups.includes(`core-admin:${o2.labPiHuid}`);
  return manages ? undefined : "you are no longer a manager of the lab (lab-manager or core-admin of its PI in the people directory)";
}

/** The relations the caller may do `action` in now: a sponsor or the lab only while they still stand for the lab (reading aside). */
function actingRelations(caller: Caller, action: O2Action, o2: O2Parties, ctx: O2AccessContext): O2Relation[] {
  const relations = relationToO2(caller, o2, ctx).filter((r) => O2_ALLOWED[action].includes(r));
  if (action === 'read') return relations;
  const lapsed = lapsedLabStanding(caller, o2, ctx) !== undefined;
  return relations.filter((r) => !(lapsed && (r === 'sponsor' || r === 'lab')));
}

/** 'allow', 'forbid' (may read but not do this: 403), or 'hide' (may not read it: 404, as a missing one). */
export function decideO2(caller: Caller, action: O2Action, o2: O2Parties, ctx: O2AccessContext): 'allow' | 'forbid' | 'hide' {
  if (actingRelations(caller, action, o2, ctx).length) return 'allow';
  if (relationToO2(caller, o2, ctx).some((r) => O2_ALLOWED.read.includes(r))) return 'forbid';
  return 'hide';
}

/**
 * Why a caller who may read the O2 account is refused `action`, in words: the relation it needs,
 * or the standing they lost (a sponsor or PI no longer eligible).
 */
export function o2RefusalReason(caller: Caller, action: O2Action, o2: O2Parties, ctx: O2AccessContext): 'lapsed' | 'relation' {
  const relations = relationToO2(caller, o2, ctx).filter((r) => O2_ALLOWED[action].includes(r));
  return relations.length && relations.every((r) => r === 'sponsor' || r === 'lab') ? 'lapsed' : 'relation';
}

/** What may be done to a lab record. */
export type LabAction = 'read' | 'register';
export type LabRelation = 'pi' | 'manager' | 'rc-core' | 'hms-it' | 'none';

export function relationToLab(caller: Caller, lab: { piHuid: string }, ctx: O2AccessContext): LabRelation[] {
  const relations: LabRelation[] = [];
  if (caller.huid === lab.piHuid) relations.push('pi');
  if (ctx.callerGroups.includes(`lab-manager:${lab.piHuid}`) || ctx.callerGroups.includes(`core-admin:${lab.piHuid}`)) relations.push('manager');
  if (ctx.callerGroups.includes('rc-core')) relations.push('rc-core');
  if (caller.roles.includes(ctx.hmsItRole)) relations.push('hms-it');
  return relations.length ? relations : ['none'];
}

const LAB_ALLOWED: Record<LabAction, readonly LabRelation[]> = {
  read: ['pi', 'manager', 'rc-core', 'hms-it'],
  /** Rule "Off-Quad": RC Core staff register the lab (with its chargeback details). */
  register: ['rc-core'],
};

export function labAllowedTo(action: LabAction): readonly LabRelation[] {
  return LAB_ALLOWED[action];
}

/** 'allow', 'forbid' (403) or 'hide' (404, as a missing lab). */
export function decideLab(caller: Caller, action: LabAction, lab: { piHuid: string }, ctx: O2AccessContext): 'allow' | 'forbid' | 'hide' {
  const relations = relationToLab(caller, lab, ctx);
  if (relations.some((r) => LAB_ALLOWED[action].includes(r))) return 'allow';
  if (relations.some((r) => LAB_ALLOWED.read.includes(r))) return 'forbid';
  return 'hide';
}

/** Who may list the labs (or O2 accounts) of a PI: the PI, a manager of the PI's lab, RC Core staff, HMS IT. */
export function mayListLabsOf(caller: Caller, piHuid: string, ctx: O2AccessContext): boolean {
  return relationToLab(caller, { piHuid }, ctx).some((r) => LAB_ALLOWED.read.includes(r));
}

/** Who may list every lab and O2 account by status (the RC Core's queue): RC Core staff and HMS IT. */
export function mayListO2Queue(caller: Caller, ctx: O2AccessContext): boolean {
  return ctx.callerGroups.includes('rc-core') || caller.roles.includes(ctx.hmsItRole);
}
