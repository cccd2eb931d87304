/**
 * What a use case needs: ports only. The real adapters are wired at the entry points
 * (functions/wiring.ts); fast use-case tests wire in-memory ones (shared/adapters/memory.ts).
 */
import type { Alerts, AttemptCounter, Clock, GuestRepository, HsrDirectory, LifecycleWorkflow, Mailer, PeopleDirectory, Random } from '../ports.ts';
import type { Links } from './emails.ts';

export interface Deps {
  guests: GuestRepository;
  attempts: AttemptCounter;
  alerts: Alerts;
  people: PeopleDirectory;
  hsr: HsrDirectory;
  mailer: Mailer;
  workflow: LifecycleWorkflow;
  clock: Clock;
  random: Random;
  links: Links;
  hmsItRole: string;
}
