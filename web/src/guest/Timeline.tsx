/** The guest's history (GET /v1/guests/{id}/history) as a timeline, oldest first: who did what, and what changed. */
import type { HistoryItem } from '../api/client.ts';
import { actionLabel, formatDate, formatInstant, STATUS_LABELS } from '../text.ts';

/** Book-keeping of the workflow that changes nothing the guest view shows. */
const QUIET = new Set(['scheduled', 'closed', 'hsr-checked']);

const ACTORS: Record<string, string> = { workflow: 'the system', reconciler: 'the daily check', 'activation-limiter': 'the activation limits' };

export function Timeline({ items, who }: { items: HistoryItem[]; who: (huid: string) => string }) {
  const shown = items.filter((e) => !QUIET.has(e.action));
  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      {shown.length === 0 ? (
        <p>Nothing has happened yet.</p>
      ) : (
        <ol className="timeline">
          {shown.map((e) => {
            const status = e.before.status && e.after.status && e.before.status !== e.after.status ? `${STATUS_LABELS[e.before.status]} → ${STATUS_LABELS[e.after.status]}` : null;
            const end = e.before.endDate && e.after.endDate && e.before.endDate !== e.after.endDate ? `End date ${formatDate(e.before.endDate)} → ${formatDate(e.after.endDate)}` : null;
            const actor = /^\d{8}$/.test(e.actor) ? who(e.actor) : (ACTORS[e.actor] ?? e.actor);
            return (
              <li key={e.seq}>
                <time dateTime={e.at}>{formatInstant(e.at)}</time>
                <p className="what">
                  <strong>{actionLabel(e.action)}</strong> <span className="by">by {actor}</span>
                </p>
                {status || end || e.detail?.reason || e.detail?.noticeDate ? (
                  <ul className="changes">
                    {status ? <li>{status}</li> : null}
                    {end ? <li>{end}</li> : null}
                    {e.detail?.noticeDate ? <li>Notice of {formatDate(e.detail.noticeDate)}</li> : null}
                    {e.detail?.reason ? <li>Reason: “{e.detail.reason}”</li> : null}
                  </ul>
                ) : null}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
