/** An O2 account's history, oldest first: who did what, and the status it moved to (the lab's registration told as the RC Core person's act). */
import type { O2HistoryItem } from '../api/o2.ts';
import { actorName, TimelineSection } from '../kit/Timeline.tsx';
import { O2_STATUS_LABELS, o2ActionLabel, o2EmailLabel } from './text.ts';

/** Book-keeping of the lifecycle that changes nothing the page shows (waiting on a task token, woken from one, the schedule). */
const QUIET = new Set(['scheduled', 'closed', 'hms-account-checked', 'waiting', 'woken', 'lab-registration-awaited', 'rc-core-awaited']);
/** The RC Core registering the lab wakes the account (a quiet event, by the person who did it): the move it makes is theirs, not the system's. */
const registeredBy = (e: O2HistoryItem) => (e.action === 'woken' && e.detail?.step === 'lab-registration' && /^\d{8}$/.test(e.actor) ? e.actor : undefined);

/** Each event with the person it is told as by: a move out of the lab's registration wait by the one who registered the lab. */
function actorsOf(items: O2HistoryItem[]): Map<number, string> {
  const out = new Map<number, string>();
  let registrar: string | undefined;
  for (const e of items) {
    registrar = registeredBy(e) ?? registrar;
    const moves = e.before?.status === 'PENDING_LAB_REGISTRATION' && e.after?.status && e.after.status !== 'PENDING_LAB_REGISTRATION';
    out.set(e.seq, moves && registrar && !/^\d{8}$/.test(e.actor) ? registrar : e.actor);
    if (moves) registrar = undefined;
  }
  return out;
}
const ACTORS: Record<string, string> = { workflow: 'the system', reconciler: 'the daily check' };

/** The O2 account's history, oldest first: who did what, and the status it moved to. */
export function O2Timeline({ items, who }: { items: O2HistoryItem[]; who: (huid: string) => string }) {
  const actors = actorsOf(items);
  const entries = items
    .filter((e) => !QUIET.has(e.action))
    .map((e) => {
      const before = e.before?.status;
      const after = e.after?.status;
      const changes = [before && after && before !== after ? `${O2_STATUS_LABELS[before]} → ${O2_STATUS_LABELS[after]}` : '', e.detail?.reason ? `Reason: “${e.detail.reason}”` : ''];
      return {
        key: e.seq,
        at: e.at,
        what: e.action === 'email-sent' ? o2EmailLabel(e.detail?.email) : o2ActionLabel(e.action),
        by: actorName(actors.get(e.seq) ?? e.actor, who, ACTORS),
        changes: changes.filter(Boolean),
      };
    });
  return <TimelineSection id="o2-timeline-heading" entries={entries} />;
}
