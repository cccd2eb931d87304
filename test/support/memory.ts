/** Use cases wired to in-memory ports (shared/adapters/memory.ts): no SDK, no local system, milliseconds. */
import type { Deps } from '../../shared/app/deps.ts';
import type { HsrRecord, Person } from '../../shared/core/domain/people.ts';
import { ManualClock, MemoryAccountDirectory, MemoryAlerts, MemoryCheckpoints, MemoryAttemptCounter, MemoryDirectory, MemoryMailer, MemoryMetrics, MemoryWorkflow, SequenceRandom } from '../../shared/adapters/memory.ts';
import { MemoryO2Repository } from '../../shared/o2/adapters/memory-o2.ts';
import { MemoryGuestRepository } from '../../shared/guest/adapters/memory-guests.ts';
import { SAMPLE_DIRECTORY } from '../../local/sample-data.ts';
import { inProcessGuestEvents } from '../../shared/app/events.ts';
import { onGuestEvent } from '../../shared/o2/app/guest-events.ts';
import { DIGITAL_LIBRARY_GROUP, MANAGED_GROUPS } from '../../shared/guest/domain/account.ts';
import { O2_GROUP } from '../../shared/o2/domain/rules.ts';

/** The groups the HMS account directory holds: every group the lifecycles manage, and one of staff's own. */
export const DIRECTORY_GROUPS: readonly string[] = [...MANAGED_GROUPS, O2_GROUP, 'hms-staff'];

export interface MemoryWorld {
  deps: Deps;
  guests: MemoryGuestRepository;
  attempts: MemoryAttemptCounter;
  directory: MemoryDirectory;
  mailer: MemoryMailer;
  workflow: MemoryWorkflow;
  alerts: MemoryAlerts;
  clock: ManualClock;
  metrics: MemoryMetrics;
  /** The HMS account directory. */
  accounts: MemoryAccountDirectory;
  checkpoints: MemoryCheckpoints;
  o2: MemoryO2Repository;
  /** The O2 lifecycle's executions. */
  o2Workflow: MemoryWorkflow;
}

/** A world at `now` with the built-in sample directory (plus `people`/`hsr`). */
export function memoryWorld(now = '2027-01-04T14:00:00.000Z', extra: { people?: Person[]; hsr?: HsrRecord[] } = {}): MemoryWorld {
  const guests = new MemoryGuestRepository();
  const attempts = new MemoryAttemptCounter();
  const directory = new MemoryDirectory({ people: [...SAMPLE_DIRECTORY.people, ...(extra.people ?? [])], hsr: [...SAMPLE_DIRECTORY.hsr, ...(extra.hsr ?? [])] });
  const mailer = new MemoryMailer();
  const alerts = new MemoryAlerts();
  const clock = new ManualClock(new Date(now));
  const metrics = new MemoryMetrics();
  const workflow = new MemoryWorkflow(clock);
  const accounts = new MemoryAccountDirectory(clock, { groups: DIRECTORY_GROUPS, flagged: { [DIGITAL_LIBRARY_GROUP]: 'the Digital Library!' } });
  const checkpoints = new MemoryCheckpoints();
  const o2 = new MemoryO2Repository();
  const o2Workflow = new MemoryWorkflow(clock);
  const deps: Deps = {
    guests,
    attempts,
    alerts,
    people: directory,
    hsr: directory,
    mailer,
    workflow,
    clock,
    random: new SequenceRandom(),
    links: { activationUrl: 'https://guests.example/activate', portalUrl: 'https://guests.example' },
    hmsItRole: 'hms-it',
    metrics,
    accounts,
    checkpoints,
    o2,
    o2Workflow,
    guestEvents: inProcessGuestEvents(() => deps, [onGuestEvent]),
  };
  return { deps, guests, attempts, directory, mailer, workflow, alerts, clock, metrics, accounts, checkpoints, o2, o2Workflow };
}
