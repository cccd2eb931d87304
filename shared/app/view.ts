/**
 * What the API shows of a guest and of its history: never the activation code hash, the task token,
 * the guest's personal email, or the workflow's internal fields (execution, due time, checks).
 */
import type { AuditEvent, Guest } from '../domain/model.ts';

export interface GuestView {
  guestId: string;
  status: Guest['status'];
  guestHuid: string;
  guestName: string;
  sponsorHuid: string;
  submittedBy: string;
  population: Guest['population'];
  contractorId: string | null;
  justification: string | null;
  services: Guest['services'];
  startDate: string;
  endDate: string;
  accountId: string | null;
  entitlements: Guest['entitlements'];
  approval: Guest['approval'] | null;
  activation: { expiresAt: string; used: boolean; locked: boolean } | null;
  activatedAt: string | null;
  expiredAt: string | null;
  lastNoticeDate: string | null;
  nextActionAt: string | null;
  failure: Guest['failure'] | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export function toView(g: Guest): GuestView {
  return {
    guestId: g.guestId,
    status: g.status,
    guestHuid: g.guestHuid,
    guestName: g.guestName,
    sponsorHuid: g.sponsorHuid,
    submittedBy: g.submittedBy,
    population: g.population,
    contractorId: g.contractorId ?? null,
    justification: g.justification ?? null,
    services: g.services,
    startDate: g.startDate,
    endDate: g.endDate,
    accountId: g.accountId ?? null,
    entitlements: g.entitlements,
    approval: g.approval ?? null,
    activation: activationView(g.activation),
    activatedAt: g.activatedAt ?? null,
    expiredAt: g.expiredAt ?? null,
    lastNoticeDate: g.lastNoticeDate ?? null,
    nextActionAt: g.dueAt ?? null,
    failure: g.failure ?? null,
    createdAt: g.createdAt,
    updatedAt: g.updatedAt,
    version: g.version,
  };
}

function activationView(a: Guest['activation']): GuestView['activation'] {
  return a ? { expiresAt: a.expiresAt, used: Boolean(a.usedAt), locked: Boolean(a.lockedAt) } : null;
}

/** One event of a guest's history as the API shows it: the changed fields as the guest view shows them, and nothing it hides. */
export interface HistoryItem {
  seq: number;
  at: string;
  actor: string;
  action: string;
  before: Partial<GuestView>;
  after: Partial<GuestView>;
  detail: HistoryDetail | null;
}

/** What an event may say besides the changed fields (a reason, who submitted, which email or notice). */
export interface HistoryDetail {
  reason?: string;
  role?: string;
  hsr?: string;
  noticeDate?: string;
  to?: string;
}

/** How each guest field shows in the view; fields not listed are never shown. */
const SHOWN: { [K in keyof Guest]?: (g: Partial<Guest>) => Partial<GuestView> } = {
  status: (g) => ({ status: g.status! }),
  guestHuid: (g) => ({ guestHuid: g.guestHuid! }),
  guestName: (g) => ({ guestName: g.guestName! }),
  sponsorHuid: (g) => ({ sponsorHuid: g.sponsorHuid! }),
  submittedBy: (g) => ({ submittedBy: g.submittedBy! }),
  population: (g) => ({ population: g.population! }),
  contractorId: (g) => ({ contractorId: g.contractorId ?? null }),
  justification: (g) => ({ justification: g.justification ?? null }),
  services: (g) => ({ services: g.services! }),
  startDate: (g) => ({ startDate: g.startDate! }),
  endDate: (g) => ({ endDate: g.endDate! }),
  accountId: (g) => ({ accountId: g.accountId ?? null }),
  entitlements: (g) => ({ entitlements: g.entitlements! }),
  approval: (g) => ({ approval: g.approval ?? null }),
  activation: (g) => ({ activation: activationView(g.activation) }),
  activatedAt: (g) => ({ activatedAt: g.activatedAt ?? null }),
  expiredAt: (g) => ({ expiredAt: g.expiredAt ?? null }),
  lastNoticeDate: (g) => ({ lastNoticeDate: g.lastNoticeDate ?? null }),
  failure: (g) => ({ failure: g.failure ?? null }),
  createdAt: (g) => ({ createdAt: g.createdAt! }),
};

function partialView(g: Partial<Guest> | undefined): Partial<GuestView> {
  const out: Partial<GuestView> = {};
  if (!g) return out;
  for (const key of Object.keys(g) as (keyof Guest)[]) {
    const show = SHOWN[key];
    if (show) Object.assign(out, show(g));
  }
  return out;
}

const DETAIL_KEYS = ['reason', 'role', 'hsr', 'noticeDate', 'to'] as const;

export function toHistoryItem(e: AuditEvent): HistoryItem {
  const detail: HistoryDetail = {};
  for (const k of DETAIL_KEYS) if (typeof e.detail?.[k] === 'string') detail[k] = e.detail[k] as string;
  return {
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    action: e.action,
    before: partialView(e.before),
    after: partialView(e.after),
    detail: Object.keys(detail).length ? detail : null,
  };
}
