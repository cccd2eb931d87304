/** The O2 lifecycle's schedule (PlanO2 ⇄ {WaitUntilO2Due, SendO2Notice, ExpireO2}): the notices before the account's last day, its expiry with the HMS account (or the earlier day the RC Core set). */
import { compareDates, dateIn, type IsoDate } from '../../core/domain/dates.ts';
import type { O2Account } from '../domain/model.ts';
import { o2ScheduleStep } from '../domain/rules.ts';
import { o2Can, o2Transition } from '../domain/transitions.ts';
import { METRIC_NAMES } from '../../core/ports.ts';
import type { O2Deps as Deps } from '../../app/deps.ts';
import { emails } from './emails.ts';
import { CONTINUE_AFTER_ITERATIONS, CONTINUE_AFTER_MS, horizonOf, sfnTimestamp } from '../../core/app/horizon.ts';
import { syncO2Login } from './login.ts';
import { changeO2, recordO2Sent } from './changes.ts';
import { O2_PLAN_ACTION, type O2TaskResult } from './contract.ts';
import { hmsAccountOf } from './hms-account.ts';
import { expiryInstant } from '../../guest/public.ts';

import { handOver, load, WORKFLOW } from './task-support.ts';

// --- the schedule --------------------------------------------------------------------------------

/**
 * The last day an active account has now: its HMS account's (it moves with an extension, or a guest
 * account kept when leaving HMS), or the earlier day the RC Core set at completion; or `gone`.
 */
async function currentEnd(deps: Deps, o: O2Account, now: Date): Promise<{ gone: boolean; endDate: string | undefined }> {
  if (o.status !== 'ACTIVE') return { gone: false, endDate: o.endDate };
  const hms = await hmsAccountOf(deps, o, now);
  if (hms.state === 'none') return { gone: true, endDate: o.endDate };
  const cap = o.completion?.endDate;
  return { gone: false, endDate: cap ? earlier(cap, hms.endDate) : hms.endDate };
}

/**
 * Notices and expiry with the HMS account, in one invocation (issue 21): what is due now is done
 * here (the day's notice, the expiry), then what is next for an active (or just expired) account is
 * planned. A plan still answers `notice` or `expire` after ACTS_PER_PLAN acts in a row, and the
 * definition keeps those branches for it.
 */
export async function plan(deps: Deps, o2AccountId: string, executionStartTime: string, iteration: number): Promise<O2TaskResult<'plan'>> {
  for (let acts = 0; ; acts++) {
    const next = await planOnce(deps, o2AccountId, executionStartTime, iteration);
    if (acts >= ACTS_PER_PLAN || (next.action !== O2_PLAN_ACTION.notice && next.action !== O2_PLAN_ACTION.expire)) return next;
    if (next.action === O2_PLAN_ACTION.notice) await notice(deps, o2AccountId, next.noticeDate);
    else await expire(deps, o2AccountId);
  }
}

/** The most a plan does before it answers: a notice and an expiry due at once, and one more. */
export const ACTS_PER_PLAN = 3;

async function planOnce(deps: Deps, o2AccountId: string, executionStartTime: string, iteration: number): Promise<O2TaskResult<'plan'>> {
  const now = deps.clock.now();
  let o = await load(deps, o2AccountId);
  const next = iteration + 1;
  const end = await currentEnd(deps, o, now);
  if (!end.gone && end.endDate !== o.endDate) o = await changeO2(deps, o, WORKFLOW, 'end-date-changed', { endDate: end.endDate });
  const step = end.gone ? { action: 'expire' as const } : o2ScheduleStep(o, o.endDate, now);
  if (step.action === 'wait') {
    const horizon = horizonOf(executionStartTime);
    if (now.getTime() >= horizon || iteration >= CONTINUE_AFTER_ITERATIONS) {
      // The successor's first wait, planned here: it starts waiting at once, within its own horizon.
      const first = new Date(Math.min(step.until?.getTime() ?? Number.POSITIVE_INFINITY, now.getTime() + CONTINUE_AFTER_MS));
      return { action: O2_PLAN_ACTION.continue, nextExecutionName: await handOver(deps, o, first), at: sfnTimestamp(first), iteration: next };
    }
    const until = new Date(Math.min(step.until?.getTime() ?? horizon, horizon));
    const due = until.toISOString();
    if (o.dueAt !== due) o = await changeO2(deps, o, WORKFLOW, 'scheduled', { dueAt: due });
    return { action: O2_PLAN_ACTION.wait, at: sfnTimestamp(until), iteration: next };
  }
  if (step.action === 'done') {
    if (o.dueAt || o.taskToken) await changeO2(deps, o, WORKFLOW, 'closed', { dueAt: undefined, taskToken: undefined, waitingFor: undefined });
    return { action: O2_PLAN_ACTION.done, reason: step.reason, iteration: next };
  }
  if (step.action === 'notice') return { action: O2_PLAN_ACTION.notice, noticeDate: step.noticeDate, iteration: next };
  return { action: O2_PLAN_ACTION.expire, iteration: next };
}

/** The notice of `noticeDate` to the user with the PI in copy, once, if still due. */
export async function notice(deps: Deps, o2AccountId: string, noticeDate: string): Promise<O2TaskResult<'notice'>> {
  const now = deps.clock.now();
  const o = await load(deps, o2AccountId);
  const step = o2ScheduleStep(o, o.endDate, now);
  if (step.action !== 'notice' || step.noticeDate !== noticeDate) return { sent: false, reason: 'not due any more' };
  const name = `notice:${o.endDate ?? ''}:${noticeDate}`;
  if (o.sent?.includes(name)) return { sent: false, reason: 'sent already' };
  const pi = await deps.people.person(o.piHuid);
  await deps.mailer.send(emails.o2ExpiryNotice(o, pi, noticeDate, deps.links));
  await recordO2Sent(deps, o, WORKFLOW, name, { lastNoticeDate: noticeDate }, { noticeDate });
  return { sent: true };
}

/**
 * The O2 account expires with its HMS account (the end of its end date, or the HMS account gone):
 * EXPIRED, the directory user out of `o2` and without its POSIX attributes (the uid number stays on
 * the record: a renewal gets it back), the user and the PI told — each once.
 */
export async function expire(deps: Deps, o2AccountId: string): Promise<O2TaskResult<'expire'>> {
  const now = deps.clock.now();
  let o = await load(deps, o2AccountId);
  if (o.status === 'ACTIVE') {
    const end = await currentEnd(deps, o, now);
    if (!end.gone && (!end.endDate || now.getTime() < expiryInstant(end.endDate).getTime())) return { expired: false, reason: 'extended' };
    o = await changeO2(deps, o, WORKFLOW, 'expired', {
      status: o2Transition(o.status, 'expire'),
      // The HMS account gone before its end date (cancelled, say): the O2 account ended today, and its emails say so.
      endDate: end.gone ? earlier(dateIn(now), end.endDate ?? o.endDate) : (end.endDate ?? o.endDate),
      expiredAt: now.toISOString(),
      expiredNoticeSentAt: undefined,
      taskToken: undefined,
      waitingFor: undefined,
    });
    deps.metrics.count(METRIC_NAMES.o2Expired);
  }
  if (!o2Can(o.status, 'renew')) return { expired: false, reason: `not active (${o.status})` };
  await syncO2Login(deps, o);
  if (!o.expiredNoticeSentAt) {
    const pi = await deps.people.person(o.piHuid);
    await deps.mailer.send(emails.o2Expired(o, pi, deps.links));
    await recordO2Sent(deps, o, WORKFLOW, `o2-expired:${o.expiredAt ?? now.toISOString()}`, { expiredNoticeSentAt: now.toISOString() });
  }
  return { expired: true };
}

/** The earlier of two dates (the first when the second is unknown). */
function earlier(a: IsoDate, b: IsoDate | undefined): IsoDate {
  return b && compareDates(b, a) < 0 ? b : a;
}
