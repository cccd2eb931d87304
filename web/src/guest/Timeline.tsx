/** The guest's history (GET /v1/guests/{id}/history) as a timeline, oldest first: who did what, and what changed. */
import type { HistoryItem } from '../api/client.ts';
import { actorName, TimelineSection } from '../kit/Timeline.tsx';
import { actionLabel, formatDate, STATUS_LABELS } from '../text.ts';

/** Book-keeping of the workflow that changes nothing the guest view shows. */
const QUIET = new Set(['scheduled', 'closed', 'hsr-checked']);

const ACTORS: Record<string, string> = { workflow: 'the system', reconciler: 'the daily check', 'activation-limiter': 'the activation limits' };

function changesOf(e: HistoryItem): string[] {
  const { before, after, detail } = e;
  return [
    before.status && after.status && before.status !== after.status ? `${STATUS_LABELS[before.status]} → ${STATUS_LABELS[after.status]}` : '',
    before.endDate && after.endDate && before.endDate !== after.endDate ? `End date ${formatDate(before.endDate)} → ${formatDate(after.endDate)}` : '',
    detail?.noticeDate ? `Notice of ${formatDate(detail.noticeDate)}` : '',
    detail?.reason ? `Reason: “${detail.reason}”` : '',
  ].filter(Boolean);
}

export function Timeline({ items, who }: { items: HistoryItem[]; who: (huid: string) => string }) {
  const entries = items.filter((e) => !QUIET.has(e.action)).map((e) => ({ key: e.seq, at: e.at, what: actionLabel(e.action), by: actorName(e.actor, who, ACTORS), changes: changesOf(e) }));
  return <TimelineSection id="timeline-heading" entries={entries} />;
}
