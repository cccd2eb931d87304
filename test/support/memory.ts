/** Use cases wired to in-memory ports (shared/adapters/memory.ts): no SDK, no local system, milliseconds. */
import type { Deps } from '../../shared/app/deps.ts';
import type { HsrRecord, Person } from '../../shared/domain/model.ts';
import { ManualClock, MemoryAlerts, MemoryAttemptCounter, MemoryDirectory, MemoryGuestRepository, MemoryMailer, MemoryWorkflow, SequenceRandom } from '../../shared/adapters/memory.ts';
import { SAMPLE_DIRECTORY } from '../../local/sample-data.ts';

export interface MemoryWorld {
  deps: Deps;
  guests: MemoryGuestRepository;
  attempts: MemoryAttemptCounter;
  directory: MemoryDirectory;
  mailer: MemoryMailer;
  workflow: MemoryWorkflow;
  alerts: MemoryAlerts;
  clock: ManualClock;
}

/** A world at `now` with the built-in sample directory (plus `people`/`hsr`). */
export function memoryWorld(now = '2027-01-04T14:00:00.000Z', extra: { people?: Person[]; hsr?: HsrRecord[] } = {}): MemoryWorld {
  const guests = new MemoryGuestRepository();
  const attempts = new MemoryAttemptCounter();
  const directory = new MemoryDirectory({ people: [...SAMPLE_DIRECTORY.people, ...(extra.people ?? [])], hsr: [...SAMPLE_DIRECTORY.hsr, ...(extra.hsr ?? [])] });
  const mailer = new MemoryMailer();
  const workflow = new MemoryWorkflow();
  const alerts = new MemoryAlerts();
  const clock = new ManualClock(new Date(now));
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
  };
  return { deps, guests, attempts, directory, mailer, workflow, alerts, clock };
}
