/**
 * The activation email, for provisioning (the workflow) and for a resend (the API): a fresh
 * activation code, the guest's email with it, and the sponsor's copy without it, each recorded as it
 * goes out so that a retry sends only what is still owed.
 */
import { formatActivationCode, hashActivationCode } from '../domain/activation-code.ts';
import type { Guest } from '../domain/model.ts';
import { activationExpiry } from '../domain/rules.ts';
import { can } from '../domain/transitions.ts';
import { change } from './changes.ts';
import type { GuestDeps as Deps } from '../../app/deps.ts';
import { emails } from './emails.ts';
import { recordSent } from './sent.ts';

/** Provisioned, but the activation email has not (all) gone out: Provision still owes it. */
export function activationOwed(g: Pick<Guest, 'status' | 'activationSentAt'>): boolean {
  return can(g.status, 'activate') && !g.activationSentAt;
}

/**
 * Issues a fresh activation code (voiding any earlier one) and emails it; used by provisioning and
 * resend. Each of the two emails is recorded as it goes out, so a retry after the sponsor's copy
 * failed sends only the copy, not the guest a second code.
 */
export async function issueActivation(deps: Deps, guest: Guest, actor: string, action: string): Promise<Guest> {
  // The guest's email names the sponsor. Looked up before the code is issued: a directory that does
  // not answer fails the task before an unsent code voids the one the guest may already hold.
  const sponsor = await deps.people.person(guest.sponsorHuid);
  const now = deps.clock.now();
  const code = formatActivationCode(deps.random.bytes(17));
  const activation = { hash: hashActivationCode(code), issuedAt: now.toISOString(), expiresAt: activationExpiry(now, guest.startDate).toISOString() };
  const next = await change(deps, guest, actor, action, { activation, activationSentAt: undefined, activationSentTo: undefined });
  await deps.mailer.send(emails.activation(next, code, sponsor && { name: sponsor.name }, deps.links));
  const sent = await recordSent(deps, next, actor, 'activation-sent-to-guest', (g) =>
    g.activation?.hash === activation.hash && !g.activationSentTo?.includes('guest') ? { activationSentTo: ['guest'] } : undefined,
  );
  return sendActivationCopy(deps, sent, actor);
}

/** The sponsor's copy of the activation email (without the code): owed once the guest's own email of this code went out. */
export async function sendActivationCopy(deps: Deps, guest: Guest, actor: string): Promise<Guest> {
  if (guest.activationSentAt || !guest.activationSentTo?.includes('guest')) return guest;
  const sponsor = await deps.people.person(guest.sponsorHuid);
  if (sponsor) await deps.mailer.send(emails.activationCopy(guest, sponsor, deps.links));
  const hash = guest.activation?.hash;
  return recordSent(deps, guest, actor, 'activation-sent', (g) =>
    g.activation?.hash === hash && !g.activationSentAt
      ? { activationSentAt: deps.clock.now().toISOString(), activationSentTo: sponsor ? ['guest', 'sponsor'] : ['guest'] }
      : undefined,
  );
}
