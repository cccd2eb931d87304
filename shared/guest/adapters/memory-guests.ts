/** The guests repository in memory (shared/adapters/memory.ts has the rest): conditional writes, items copied, cursors that page. */
import { ConflictError, StaleWriteError } from '../../core/domain/errors.ts';
import type { Page, PersonClaim } from '../../core/ports.ts';
import { copy, invalidCursor, listCursor, pageOf } from '../../adapters/memory.ts';
import { STATUSES, type AuditEvent, type Guest } from '../domain/model.ts';
import type { GuestQuery, GuestRepository } from '../app/ports.ts';

export class MemoryGuestRepository implements GuestRepository {
  readonly guests = new Map<string, Guest>();
  readonly audit = new Map<string, AuditEvent>();
  readonly accounts = new Map<string, string>();
  readonly claims = new Map<string, PersonClaim>();

  async get(guestId: string): Promise<Guest | undefined> {
    const g = this.guests.get(guestId);
    return g && copy(g);
  }

  async create(guest: Guest): Promise<void> {
    if (this.guests.has(guest.guestId)) throw new ConflictError(`Guest ${guest.guestId} already exists.`);
    this.guests.set(guest.guestId, copy(guest));
  }

  async save(next: Guest): Promise<void> {
    const current = this.guests.get(next.guestId);
    if (current?.version !== next.version - 1) throw new StaleWriteError(`Guest ${next.guestId} was changed by someone else; read it again and retry.`);
    this.guests.set(next.guestId, copy(next));
  }

  async listBySponsors(sponsorHuids: readonly string[], query: GuestQuery): Promise<Page<Guest>> {
    const sponsors = [...new Set(sponsorHuids)].sort();
    return this.listOver('sponsor', sponsors, (g) => g.sponsorHuid, query, (p) => (/^\d{8}$/.test(p) ? sponsors.findIndex((s) => s > p) : undefined));
  }

  async listAll(query: GuestQuery): Promise<Page<Guest>> {
    return this.listOver('status', query.status ? [query.status] : [...STATUSES], (g) => g.status, query);
  }

  /**
   * As DynamoGuestRepository's lists: partitions one after the other, each by end date (then guest
   * ID, for a stable order), filtered by status, end date and failure; the cursor names the
   * partition and the last guest read, and a partition no longer listed is skipped.
   */
  private listOver(kind: string, partitions: string[], partitionOf: (g: Guest) => string | undefined, query: GuestQuery, resume: (p: string) => number | undefined = () => undefined): Page<Guest> {
    const limit = query.limit ?? 50;
    let at = 0;
    let after: { endDate: string; guestId: string } | undefined;
    if (query.cursor) {
      let c: { kind?: unknown; p?: unknown; endDate?: unknown; guestId?: unknown };
      try {
        c = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as typeof c;
      } catch {
        throw invalidCursor();
      }
      if (c?.kind !== kind || typeof c.p !== 'string') throw invalidCursor();
      at = partitions.indexOf(c.p);
      if (at >= 0) {
        if (typeof c.endDate === 'string' && typeof c.guestId === 'string') after = { endDate: c.endDate, guestId: c.guestId };
      } else {
        const next = resume(c.p);
        if (next === undefined) throw invalidCursor();
        at = next < 0 ? partitions.length : next;
      }
    }
    const order = (a: Guest, b: Guest) => a.endDate.localeCompare(b.endDate) || a.guestId.localeCompare(b.guestId);
    const items: Guest[] = [];
    let last: Guest | undefined;
    for (; at < partitions.length; at++, after = undefined) {
      const inPartition = [...this.guests.values()]
        .filter((g) => partitionOf(g) === partitions[at] && (!after || order(g, { ...g, ...after }) > 0))
        .filter((g) => (!query.expiringBefore || g.endDate < query.expiringBefore) && (!query.status || g.status === query.status) && (!query.failed || g.failure))
        .sort(order);
      const taken = inPartition.slice(0, limit - items.length);
      items.push(...taken.map(copy));
      last = taken.at(-1);
      if (items.length >= limit) {
        if (taken.length < inPartition.length) return { items, cursor: listCursor({ kind, p: partitions[at], endDate: last!.endDate, guestId: last!.guestId }) };
        at++;
        break;
      }
    }
    return { items, cursor: at < partitions.length ? listCursor({ kind, p: partitions[at] }) : undefined };
  }

  async listDue(before: string, cursor?: string): Promise<Page<Guest>> {
    const all = [...this.guests.values()]
      .filter((g) => g.dueAt && g.dueAt <= before)
      .sort((a, b) => a.dueAt!.localeCompare(b.dueAt!) || a.guestId.localeCompare(b.guestId));
    return pageOf(all.map(copy), cursor, 100);
  }

  async appendAudit(events: AuditEvent[]): Promise<void> {
    for (const e of events) {
      const key = `${e.guestId}#${e.seq}`;
      if (!this.audit.has(key)) this.audit.set(key, copy(e));
    }
  }

  async history(guestId: string): Promise<AuditEvent[]> {
    const events = [...this.audit.values()].filter((e) => e.guestId === guestId);
    const last = this.guests.get(guestId)?.lastAudit;
    if (last && !events.some((e) => e.seq === last.seq)) events.push(last);
    return events.sort((a, b) => a.seq - b.seq).map(copy);
  }

  async reserveAccountId(accountId: string, guestId: string): Promise<boolean> {
    const holder = this.accounts.get(accountId);
    if (holder && holder !== guestId) return false;
    this.accounts.set(accountId, guestId);
    return true;
  }

  async accountHolders(accountIds: readonly string[]): Promise<Map<string, string>> {
    if (accountIds.length > 100) throw new RangeError('at most 100 account IDs at a time');
    return new Map(accountIds.filter((id) => this.accounts.has(id)).map((id) => [id, this.accounts.get(id)!]));
  }

  async guestIdForAccount(accountId: string): Promise<string | undefined> {
    return this.accounts.get(accountId);
  }

  async personClaim(huid: string): Promise<PersonClaim | undefined> {
    const c = this.claims.get(huid);
    return c && copy(c);
  }

  async claimPerson(huid: string, claim: PersonClaim, previous: PersonClaim | undefined): Promise<boolean> {
    const current = this.claims.get(huid);
    const same = previous ? current?.guestId === previous.guestId && current.claimedAt === previous.claimedAt : current === undefined;
    if (!same) return false;
    this.claims.set(huid, copy(claim));
    return true;
  }
}
