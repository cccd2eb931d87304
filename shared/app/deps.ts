/**
 * What a use case needs: ports only, by lifecycle (a guest use case cannot reach an O2 port: it does
 * not compile). The real adapters are wired at the entry points (functions/wiring.ts); fast use-case
 * tests wire in-memory ones (shared/adapters/memory.ts).
 */
import type { AccountDirectory, Alerts, AttemptCounter, Checkpoints, Clock, HsrDirectory, LifecycleWorkflow, Mailer, Metrics, PeopleDirectory, Random } from '../core/ports.ts';
import type { O2Repository } from '../o2/app/ports.ts';
import type { GuestRepository } from '../guest/app/ports.ts';
import type { Links } from '../core/app/email.ts';
import type { GuestEvents } from '../guest/app/events.ts';

/** What every lifecycle's use cases may use: time, ids, people, mail, the account directory, metrics and alerts. */
export interface CoreDeps {
  alerts: Alerts;
  people: PeopleDirectory;
  hsr: HsrDirectory;
  mailer: Mailer;
  clock: Clock;
  random: Random;
  links: Links;
  hmsItRole: string;
  /** The HMS account directory (SCIM 2.0): where the guest's account really exists. */
  accounts: AccountDirectory;
  /** Counts what happened, for the dashboard (never fails a use case). */
  metrics: Metrics;
}

/** What the guest lifecycle's use cases and tasks use: the core's, and its own (it names no other lifecycle's port). */
export interface GuestDeps extends CoreDeps {
  guests: GuestRepository;
  attempts: AttemptCounter;
  /** The guest lifecycle's state machine (one execution per guest). */
  workflow: LifecycleWorkflow;
  /** Instants kept between runs (the reconciler's last drift check). */
  checkpoints: Checkpoints;
  /** Where the guest lifecycle tells what happened (its subscribers, in process: shared/app/events.ts). */
  guestEvents: GuestEvents;
}

/** What the O2 lifecycle's use cases and tasks use: its own, and the guest lifecycle's (it calls the guest's published interface, shared/guest/public.ts). */
export interface O2Deps extends GuestDeps {
  /** Labs and O2 accounts (issue 14). */
  o2: O2Repository;
  /** The O2 lifecycle's state machine (one execution per O2 account). */
  o2Workflow: LifecycleWorkflow;
}

/**
 * Every port: what every function is wired with (functions/wiring.ts). The API serves both
 * lifecycles, each task function runs its lifecycle and the subscribers of its events in process,
 * the reconciler repairs both.
 */
export type Deps = O2Deps;
