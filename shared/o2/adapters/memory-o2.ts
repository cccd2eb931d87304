/** The O2 repository in memory (shared/adapters/memory.ts has the rest): conditional writes, items copied, cursors that page. */
import { ConflictError, StaleWriteError } from '../../core/domain/errors.ts';
import type { Page, PersonClaim } from '../../core/ports.ts';
import { copy, pageOf } from '../../adapters/memory.ts';
import type { Lab, LabCard, O2Account, O2AuditEvent, O2Status, RegistrationStatus } from '../domain/model.ts';
import type { O2Query, O2Repository } from '../app/ports.ts';
import { searchWords } from '../../core/domain/text.ts';

export class MemoryO2Repository implements O2Repository {
  readonly labs = new Map<string, Lab>();
  readonly accounts = new Map<string, O2Account>();
  readonly audit = new Map<string, O2AuditEvent>();
  readonly uids = new Map<number, string>();
  readonly claims = new Map<string, PersonClaim>();
  /** The `byWord` index: `<word>#<labId>` → the lab's card. */
  readonly words = new Map<string, LabCard>();

  async getLab(labId: string): Promise<Lab | undefined> {
    const l = this.labs.get(labId);
    return l && copy(l);
  }

  async createLab(lab: Lab): Promise<void> {
    if (this.labs.has(lab.labId)) throw new ConflictError(`Lab ${lab.labId} already exists.`);
    this.labs.set(lab.labId, copy(lab));
  }

  async saveLab(next: Lab): Promise<void> {
    if (this.labs.get(next.labId)?.version !== next.version - 1) throw new StaleWriteError(`Lab ${next.labId} was changed by someone else; read it again and retry.`);
    this.labs.set(next.labId, copy(next));
  }

  async noteRegistrationRequested(lab: Lab, at: string): Promise<boolean> {
    const cur = this.labs.get(lab.labId);
    if (!cur || cur.version !== lab.version || cur.registrationRequestedAt) return false;
    this.labs.set(lab.labId, copy({ ...cur, registrationRequestedAt: at }));
    return true;
  }

  private page<T extends { createdAt: string }>(all: T[], query: O2Query): Page<T> {
    const sorted = all.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return pageOf(sorted.map(copy), query.cursor, query.limit ?? 50);
  }

  async indexLab(lab: Lab, piName: string): Promise<void> {
    for (const word of new Set([...searchWords(lab.name), ...searchWords(piName)])) {
      if (word.length >= 2) this.words.set(`${word}#${lab.labId}`, { labId: lab.labId, name: lab.name, piHuid: lab.piHuid, piName });
    }
  }

  async labsByWord(prefix: string, limit: number): Promise<LabCard[]> {
    return [...this.words.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, limit)
      .map(([, card]) => copy(card));
  }

  async labsOfPi(piHuid: string, query: O2Query): Promise<Page<Lab>> {
    return this.page([...this.labs.values()].filter((l) => l.piHuid === piHuid), query);
  }

  async labsByRegistration(status: RegistrationStatus, query: O2Query): Promise<Page<Lab>> {
    return this.page([...this.labs.values()].filter((l) => l.registration.status === status), query);
  }

  async get(id: string): Promise<O2Account | undefined> {
    const o = this.accounts.get(id);
    return o && copy(o);
  }

  async create(o2: O2Account): Promise<void> {
    if (this.accounts.has(o2.o2AccountId)) throw new ConflictError(`O2 account ${o2.o2AccountId} already exists.`);
    this.accounts.set(o2.o2AccountId, copy(o2));
  }

  async save(next: O2Account): Promise<void> {
    if (this.accounts.get(next.o2AccountId)?.version !== next.version - 1) throw new StaleWriteError(`O2 account ${next.o2AccountId} was changed by someone else; read it again and retry.`);
    this.accounts.set(next.o2AccountId, copy(next));
  }

  async listByPi(piHuid: string, query: O2Query): Promise<Page<O2Account>> {
    return this.page([...this.accounts.values()].filter((o) => o.piHuid === piHuid), query);
  }

  async listByUser(userHuid: string, query: O2Query): Promise<Page<O2Account>> {
    return this.page([...this.accounts.values()].filter((o) => o.userHuid === userHuid), query);
  }

  async listByStatus(statuses: readonly O2Status[], query: O2Query): Promise<Page<O2Account>> {
    const all = statuses.flatMap((s) => [...this.accounts.values()].filter((o) => o.status === s).sort((a, b) => b.createdAt.localeCompare(a.createdAt)));
    return pageOf(all.map(copy), query.cursor, query.limit ?? 50);
  }

  async listByLab(labId: string, query: O2Query): Promise<Page<O2Account>> {
    return this.page([...this.accounts.values()].filter((o) => o.labId === labId), query);
  }

  async listForPi(piHuid: string, labIds: readonly string[], query: O2Query): Promise<Page<O2Account>> {
    const newest = (xs: O2Account[]) => xs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const all = [
      ...newest([...this.accounts.values()].filter((o) => o.piHuid === piHuid)),
      ...labIds.flatMap((labId) => newest([...this.accounts.values()].filter((o) => o.labId === labId && o.piHuid !== piHuid))),
    ];
    return pageOf(all.map(copy), query.cursor, query.limit ?? 50);
  }

  async listDue(before: string, cursor?: string): Promise<Page<O2Account>> {
    const all = [...this.accounts.values()].filter((o) => o.dueAt && o.dueAt <= before).sort((a, b) => a.dueAt!.localeCompare(b.dueAt!) || a.o2AccountId.localeCompare(b.o2AccountId));
    return pageOf(all.map(copy), cursor, 100);
  }

  async appendAudit(events: O2AuditEvent[]): Promise<void> {
    for (const e of events) {
      const key = `${e.kind}#${e.id}#${e.seq}`;
      if (!this.audit.has(key)) this.audit.set(key, copy(e));
    }
  }

  async history(kind: O2AuditEvent['kind'], id: string): Promise<O2AuditEvent[]> {
    const events = [...this.audit.values()].filter((e) => e.kind === kind && e.id === id);
    const last = (kind === 'lab' ? this.labs.get(id) : this.accounts.get(id))?.lastAudit;
    if (last && !events.some((e) => e.seq === last.seq)) events.push(last);
    return events.sort((a, b) => a.seq - b.seq).map(copy);
  }

  async reserveUidNumber(uidNumber: number, o2AccountId: string): Promise<boolean> {
    const holder = this.uids.get(uidNumber);
    if (holder && holder !== o2AccountId) return false;
    this.uids.set(uidNumber, o2AccountId);
    return true;
  }

  async userClaim(huid: string): Promise<PersonClaim | undefined> {
    const c = this.claims.get(huid);
    return c && copy(c);
  }

  async claimUser(huid: string, claim: PersonClaim, previous: PersonClaim | undefined): Promise<boolean> {
    const current = this.claims.get(huid);
    const same = previous ? current?.guestId === previous.guestId && current.claimedAt === previous.claimedAt : current === undefined;
    if (!same) return false;
    this.claims.set(huid, copy(claim));
    return true;
  }
}
