/** The O2 use cases of labs (issue 14): a PI records a lab, the RC Core registers an off-Quad one; lists and history. */
import { mayListLabsOf, mayListO2Queue } from '../domain/access.ts';
import { nameKey } from '../../core/domain/text.ts';
import { ConflictError, NotAllowedError, ValidationError } from '../../core/domain/errors.ts';
import { type Caller } from '../../core/domain/people.ts';
import { INSTITUTION_NAMES, REGISTRATION_STATUSES, type Chargeback, type Institution, type Lab, type O2AuditEvent, type RegistrationStatus } from '../domain/model.ts';
import { assertMayHeadLab, isRcCore, quadStanding } from '../domain/rules.ts';
import type { Page } from '../../core/ports.ts';
import type { O2Deps as Deps } from '../../app/deps.ts';
import { changeLab } from './changes.ts';
import { O2_WAKE } from './contract.ts';
import { wakeO2 } from './hms-account.ts';

import { againIfStale, assertHuid, callerContext, labFor, limitOf, MAX_LIMIT } from './access-check.ts';

export interface LabInput {
  name: string;
  institution: Institution;
  piHuid?: string | undefined;
}

/**
 * POST /v1/labs: a PI registers their own lab's record (RC Core staff may for any PI). Rules
 * "On-Quad" / "Off-Quad": the standing is derived from the institution and the PI's appointments;
 * an off-Quad lab waits for the RC Core's registration (`pending`), an on-Quad one needs none.
 */
export async function createLab(deps: Deps, caller: Caller, input: LabInput): Promise<Lab> {
  const piHuid = input.piHuid ?? caller.huid;
  assertHuid('piHuid', piHuid);
  // Kept as people read it: compatibility-normalized (NFKC), every run of white space one space.
  const name = (input.name ?? '').normalize('NFKC').replace(/\s+/gu, ' ').trim();
  if (!name) throw new ValidationError("The lab's name is missing.", { name: ['required'] });
  if (!(INSTITUTION_NAMES as readonly string[]).includes(input.institution)) {
    throw new ValidationError(`Unknown institution ${String(input.institution)}.`, { institution: [`one of ${INSTITUTION_NAMES.join(', ')}`] });
  }
  if (piHuid !== caller.huid) {
    const { person } = await callerContext(deps, caller);
    if (!isRcCore(person)) throw new NotAllowedError("A PI registers their own lab's record; only the RC Core may register one for another PI.");
  }
  const pi = assertMayHeadLab(piHuid, await deps.people.person(piHuid));
  const existing = (await deps.o2.labsOfPi(piHuid, { limit: MAX_LIMIT })).items;
  // The same name as people read it: letter case, full-width letters and odd spaces aside.
  const same = existing.find((l) => nameKey(l.name) === nameKey(name));
  if (same) {
    // Found again by name (the words were written after the lab: a failure between is mended here).
    await deps.o2.indexLab(same, pi.name);
    throw new ConflictError(`${pi.name} already has a lab named "${same.name}" (lab ${same.labId}).`);
  }

  const at = deps.clock.now().toISOString();
  const quad = quadStanding(input.institution, pi);
  const lab: Lab = {
    labId: await labIdFor(piHuid, name),
    name,
    piHuid,
    institution: input.institution,
    quad,
    registration: quad.onQuad ? { status: 'not-required' } : { status: 'pending' },
    createdBy: caller.huid,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  lab.lastAudit = { kind: 'lab', id: lab.labId, seq: 1, at, actor: caller.huid, action: 'created', after: { ...lab }, detail: { quad: quad.onQuad ? 'on-Quad' : 'off-Quad' } };
  try {
    await deps.o2.createLab(lab);
  } catch (err) {
    // The same lab asked for at the same moment: the first create won, on the ID both derived.
    if (err instanceof ConflictError) throw new ConflictError(`${pi.name} already has a lab named "${name}" (lab ${lab.labId}).`);
    throw err;
  }
  await deps.o2.appendAudit([lab.lastAudit]);
  await deps.o2.indexLab(lab, pi.name);
  return lab;
}

/**
 * A lab's ID, from its PI and its name as people read it (`nameKey`): the create is conditional on the ID, so
 * two records of one lab cannot be made even by requests at the same moment (a name is a PI's lab
 * once). A UUID of version 8 (RFC 9562: custom) from SHA-256.
 */
export async function labIdFor(piHuid: string, name: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${piHuid}\n${nameKey(name)}`));
  const bytes = new Uint8Array(digest).slice(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export async function getLab(deps: Deps, caller: Caller, labId: string): Promise<Lab> {
  return labFor(deps, caller, labId, 'read');
}

export interface LabListRequest {
  registration?: RegistrationStatus | undefined;
  piHuid?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

/**
 * GET /v1/labs: `registration` without `piHuid` is a queue by registration status (`pending`: the
 * RC Core's; RC Core staff and HMS IT only); otherwise the caller's labs, or `piHuid`'s for whoever
 * may read that PI's labs (a manager of the lab, the RC Core, HMS IT), `registration` filtering them.
 */
export async function listLabs(deps: Deps, caller: Caller, request: LabListRequest = {}): Promise<Page<Lab>> {
  const { registration, piHuid, cursor } = request;
  const query = { cursor, limit: limitOf(request.limit) };
  if (registration !== undefined && !(REGISTRATION_STATUSES as readonly string[]).includes(registration)) {
    throw new ValidationError(`Unknown registration status ${String(registration)}.`, { registration: [`one of ${REGISTRATION_STATUSES.join(', ')}`] });
  }
  assertHuid('piHuid', piHuid);
  const { ctx } = await callerContext(deps, caller);
  if (registration && !piHuid) {
    if (!mayListO2Queue(caller, ctx)) throw new NotAllowedError("Only the RC Core and HMS IT may list every lab by registration (the RC Core's queue).");
    return deps.o2.labsByRegistration(registration, query);
  }
  const pi = piHuid ?? caller.huid;
  if (!mayListLabsOf(caller, pi, ctx)) throw new NotAllowedError(`You may not list the labs of ${pi}: the PI, a manager of the lab, the RC Core or HMS IT may.`);
  const page = await deps.o2.labsOfPi(pi, query);
  return registration ? { ...page, items: page.items.filter((l) => l.registration.status === registration) } : page;
}

export interface LabRegistrationInput {
  chargeback: Chargeback;
  billingContact: { name: string; email: string };
}

/**
 * POST /v1/labs/{labId}/registration (rule "Off-Quad"): RC Core staff register an off-Quad lab,
 * charged (with its chargeback account) or not (registration is required either way), with its
 * billing contact. Every O2 account of the lab waiting for the registration is woken.
 */
async function registerLabOnce(deps: Deps, caller: Caller, labId: string, input: LabRegistrationInput, ifMatch?: number): Promise<Lab> {
  const lab = await labFor(deps, caller, labId, 'register', ifMatch);
  const fields: Record<string, string[]> = {};
  if (input.chargeback?.charged === true && !input.chargeback.account?.trim()) fields['chargeback.account'] = ['required when the lab is charged'];
  if (!input.billingContact?.name?.trim()) fields['billingContact.name'] = ['required'];
  if (!/^[^@\s]+@[^@\s]+$/.test(input.billingContact?.email ?? '')) fields['billingContact.email'] = ['must be an email address'];
  if (Object.keys(fields).length) throw new ValidationError("The lab's registration is not complete.", fields);
  if (lab.registration.status === 'not-required') throw new ConflictError(`The lab "${lab.name}" is on-Quad: it needs no registration with the RC Core. ${lab.quad.reason}`);

  const at = deps.clock.now().toISOString();
  const chargeback: Chargeback = input.chargeback.charged ? { charged: true, account: input.chargeback.account.trim() } : { charged: false };
  const registration = { status: 'registered' as const, chargeback, billingContact: { name: input.billingContact.name.trim(), email: input.billingContact.email.trim() }, by: caller.huid, at };
  const next = await changeLab(deps, lab, caller.huid, lab.registration.status === 'registered' ? 'registration-updated' : 'registered', { registration });
  // The O2 accounts of the lab waiting for its registration go on (a token no longer valid is harmless).
  let cursor: string | undefined;
  do {
    const page = await deps.o2.listByLab(labId, { cursor, limit: 100 });
    for (const o of page.items) if (o.waitingFor === 'lab-registration') await wakeO2(deps, o.o2AccountId, ['lab-registration'], { outcome: O2_WAKE.ready }, caller.huid);
    cursor = page.cursor;
  } while (cursor);
  return next;
}

export async function labHistory(deps: Deps, caller: Caller, labId: string): Promise<O2AuditEvent[]> {
  await labFor(deps, caller, labId, 'read');
  return deps.o2.history('lab', labId);
}

/** registerLab, made again on the new version when it lost a race without If-Match (see `againIfStale`). */
export async function registerLab(deps: Deps, caller: Caller, labId: string, input: LabRegistrationInput, ifMatch?: number): Promise<Lab> {
  return againIfStale(ifMatch, () => registerLabOnce(deps, caller, labId, input, ifMatch));
}

