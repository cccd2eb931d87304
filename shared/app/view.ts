/** What the API shows of a guest: never the activation code hash or the task token. */
import type { Guest } from '../domain/model.ts';

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
    activation: g.activation
      ? { expiresAt: g.activation.expiresAt, used: Boolean(g.activation.usedAt), locked: g.activation.failedAttempts >= 5 }
      : null,
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
