/** A record's history as a timeline, oldest first: when, what, by whom, and what changed (each lifecycle says its events in words). */
import { formatInstant } from '../text.ts';

export interface TimelineEntry {
  key: number;
  at: string;
  what: string;
  by: string;
  /** What changed, in words ("Active → Expired", "Reason: …"); empty for none. */
  changes: string[];
}

export function TimelineSection({ id, entries }: { id: string; entries: TimelineEntry[] }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>Timeline</h2>
      {entries.length === 0 ? (
        <p>Nothing has happened yet.</p>
      ) : (
        <ol className="timeline">
          {entries.map((e) => (
            <li key={e.key}>
              <time dateTime={e.at}>{formatInstant(e.at)}</time>
              <p className="what">
                <strong>{e.what}</strong> <span className="by">by {e.by}</span>
              </p>
              {e.changes.length ? (
                <ul className="changes">
                  {e.changes.map((c) => (
                    <li key={c}>{c}</li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** Who did it: a person (an 8-digit HUID) as the page names them, else the part of the system. */
export function actorName(actor: string, who: (huid: string) => string, system: Record<string, string>): string {
  return /^\d{8}$/.test(actor) ? who(actor) : (system[actor] ?? actor);
}
