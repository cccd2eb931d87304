/**
 * What a use case needs: ports only. The real adapters are wired at the entry points
 * (functions/wiring.ts); fast use-case tests wire in-memory ones (shared/adapters/memory.ts).
 */
import type { AccountDirectory, Alerts, AttemptCounter, Checkpoints, Clock, HsrDirectory, LifecycleWorkflow, Mailer, Metrics, PeopleDirectory, Random } from '../core/ports.ts';
import type { O2Repository } from '../o2/app/ports.ts';
import type { GuestRepository } from '../guest/app/ports.ts';
import type { Links } from '../core/app/email.ts';
import type { GuestEvents } from '../guest/app/events.ts';

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
  /** The HMS account directory (SCIM 2.0): where the guest's account really exists. */
  accounts: AccountDirectory;
  /** Instants kept between runs (the reconciler's last drift check). */
  checkpoints: Checkpoints;
  /** Counts what happened, for the dashboard (never fails a use case). */
  metrics: Metrics;
  /** Labs and O2 accounts (issue 14). */
  o2: O2Repository;
  /** The O2 lifecycle's state machine (one execution per O2 account). */
  o2Workflow: LifecycleWorkflow;
  /** Where the guest lifecycle tells what happened (its subscribers, in process: shared/app/events.ts). */
  guestEvents: GuestEvents;
}
