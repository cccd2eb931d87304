/** GuestRepository over one DynamoDB table with single-item conditional writes (no transactions). */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { STATUSES, type AuditEvent, type Guest } from '../domain/model.ts';
import { ConflictError, StaleWriteError } from '../../core/domain/errors.ts';
import type { AttemptCounter, Checkpoints, Page, PersonClaim } from '../../core/ports.ts';
import type { GuestQuery, GuestRepository } from '../app/ports.ts';
import { keyDoesNotExist, written } from '../../adapters/dynamo-conditions.ts';
import { AUDIT_PREFIX, auditHistory, decodeListCursor, encodeCursor, invalidCursor, putAuditOnce, putClaim, queryDue, queryFrom } from '../../adapters/dynamo-records.ts';
import { GUESTS_INDEXES, INDEX_ATTRIBUTES, indexAttributes, type IndexSpec } from './guests-table.ts';

const guestKey = (guestId: string) => ({ pk: `GUEST#${guestId}`, sk: 'GUEST' });
const accountKey = (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: 'ACCOUNT' });
const personKey = (huid: string) => ({ pk: `PERSON#${huid}`, sk: 'LIVE' });
export { AUDIT_PREFIX };

const versionIs = '#version = :expected';

/** What is stored: the guest plus the index attributes derived from it (shared/guest/adapters/guests-table.ts). */
function toItem(guest: Guest): Record<string, unknown> {
  const item: Record<string, unknown> = { ...guestKey(guest.guestId), type: 'guest', ...guest, ...indexAttributes(guest) };
  if (!item.dueShard) delete item.dueAt;
  return item;
}

function fromItem(item: Record<string, unknown>): Guest {
  const { pk: _pk, sk: _sk, type: _type, ...rest } = item;
  for (const k of INDEX_ATTRIBUTES) delete rest[k];
  return rest as unknown as Guest;
}

/** One partition of an index a list reads: the guests whose `index.partitionKey` is `value`. */
interface Partition {
  index: IndexSpec;
  value: string;
}

/** Queries one list page may make (each reads up to the page's remaining size): a page of sponsors or statuses with few guests ends early, with a cursor. */
export const MAX_QUERIES_PER_PAGE = 25;
const DEFAULT_PAGE = 50;

export class DynamoGuestRepository implements GuestRepository {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async get(guestId: string): Promise<Guest | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: guestKey(guestId), ConsistentRead: true }));
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async create(guest: Guest): Promise<void> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: toItem(guest), ConditionExpression: keyDoesNotExist }));
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new ConflictError(`Guest ${guest.guestId} already exists.`);
      throw err;
    }
  }

  async save(next: Guest): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: toItem(next),
          ConditionExpression: versionIs,
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': next.version - 1 },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        throw new StaleWriteError(`Guest ${next.guestId} was changed by someone else; read it again and retry.`);
      }
      throw err;
    }
  }

  async listBySponsors(sponsorHuids: readonly string[], query: GuestQuery): Promise<Page<Guest>> {
    const sponsors = [...new Set(sponsorHuids)].sort();
    return this.listOver(
      sponsors.map((value) => ({ index: GUESTS_INDEXES.bySponsor, value })),
      query,
      // A sponsor no longer listed: go on with the next one in HUID order.
      (p) => (/^\d{8}$/.test(p) ? sponsors.findIndex((s) => s > p) : undefined),
    );
  }

  async listAll(query: GuestQuery): Promise<Page<Guest>> {
    const statuses = query.status ? [query.status] : STATUSES;
    return this.listOver(statuses.map((value) => ({ index: GUESTS_INDEXES.byStatus, value })), query);
  }

  /**
   * One page over several partitions read one after the other, each by its sort key (end date),
   * from the cursor's place. `resume` says where to go on when the cursor's partition is no longer
   * one of them (undefined: the cursor is not valid here).
   */
  private async listOver(partitions: Partition[], query: GuestQuery, resume: (p: string) => number | undefined = () => undefined): Promise<Page<Guest>> {
    const limit = query.limit ?? DEFAULT_PAGE;
    let at = 0;
    let start: Record<string, string> | undefined;
    const cursor = decodeListCursor(query.cursor);
    if (cursor) {
      const index = partitions[0]?.index;
      if (index && cursor.i !== index.name) throw invalidCursor();
      at = partitions.findIndex((x) => x.value === cursor.p);
      if (at >= 0) {
        start = cursor.k;
        // A start key of another partition (a forged cursor) is refused: the key condition would refuse it too.
        if (start && (start[index!.partitionKey] !== cursor.p || !String(start.pk).startsWith('GUEST#') || start.sk !== 'GUEST')) throw invalidCursor();
      } else {
        const next = resume(cursor.p);
        if (next === undefined) throw invalidCursor();
        at = next < 0 ? partitions.length : next;
      }
    }
    const items: Guest[] = [];
    for (let queries = 0; at < partitions.length && items.length < limit && queries < MAX_QUERIES_PER_PAGE; queries++) {
      const out = await queryFrom(this.doc, this.partitionQuery(partitions[at]!, query, start, limit - items.length));
      items.push(...(out.Items ?? []).map(fromItem));
      start = out.LastEvaluatedKey as Record<string, string> | undefined;
      if (!start) at++;
    }
    const next = at < partitions.length ? encodeCursor({ i: partitions[at]!.index.name, p: partitions[at]!.value, ...(start ? { k: start } : {}) }) : undefined;
    return { items, cursor: next };
  }

  /** The query of one partition: end date before `expiringBefore` (key condition), status and failure as filters where the index does not hold them. */
  private partitionQuery({ index, value }: Partition, query: GuestQuery, start: Record<string, string> | undefined, limit: number): QueryCommand {
    const names: Record<string, string> = { '#p': index.partitionKey };
    const values: Record<string, unknown> = { ':p': value };
    let keyCondition = '#p = :p';
    if (query.expiringBefore) {
      names['#e'] = index.sortKey;
      values[':e'] = query.expiringBefore;
      keyCondition += ' AND #e < :e';
    }
    const filters: string[] = [];
    if (query.status && index !== GUESTS_INDEXES.byStatus) {
      names['#st'] = 'status';
      values[':st'] = query.status;
      filters.push('#st = :st');
    }
    if (query.failed) {
      names['#f'] = 'failure';
      filters.push('attribute_exists(#f)');
    }
    return new QueryCommand({
      TableName: this.table,
      IndexName: index.name,
      KeyConditionExpression: keyCondition,
      FilterExpression: filters.length ? filters.join(' AND ') : undefined,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ExclusiveStartKey: start,
      Limit: limit,
    });
  }

  async listDue(before: string, cursor?: string): Promise<Page<Guest>> {
    const page = await queryDue(this.doc, this.table, before, cursor);
    return { items: page.items.map(fromItem), cursor: page.cursor };
  }

  async appendAudit(events: AuditEvent[]): Promise<void> {
    await putAuditOnce(this.doc, this.table, events, (e) => guestKey(e.guestId).pk);
  }

  async history(guestId: string): Promise<AuditEvent[]> {
    return auditHistory<AuditEvent>(this.doc, this.table, guestKey(guestId).pk, 'GUEST');
  }

  async reserveAccountId(accountId: string, guestId: string): Promise<boolean> {
    return written(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...accountKey(accountId), type: 'account', accountId, guestId },
          ConditionExpression: `${keyDoesNotExist} OR guestId = :g`,
          ExpressionAttributeValues: { ':g': guestId },
        }),
      ),
    );
  }

  async accountHolders(accountIds: readonly string[]): Promise<Map<string, string>> {
    const taken = new Map<string, string>();
    let keys: Record<string, unknown>[] = [...new Set(accountIds)].map(accountKey);
    if (keys.length > 100) throw new RangeError('at most 100 account IDs at a time');
    // BatchGetItem may leave keys unprocessed under load: ask again for those (the SDK's own retries already back off).
    for (let round = 0; keys.length; round++) {
      if (round >= 10) throw new Error('DynamoDB left account IDs unprocessed ten times in a row');
      const out = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'accountId, guestId' } } }));
      for (const item of out.Responses?.[this.table] ?? []) taken.set(String(item.accountId), String(item.guestId));
      keys = (out.UnprocessedKeys?.[this.table]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    }
    return taken;
  }

  async personClaim(huid: string): Promise<PersonClaim | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: personKey(huid), ConsistentRead: true }));
    return out.Item ? { guestId: String(out.Item.guestId), claimedAt: String(out.Item.claimedAt) } : undefined;
  }

  async claimPerson(huid: string, claim: PersonClaim, previous: PersonClaim | undefined): Promise<boolean> {
    return putClaim(this.doc, this.table, personKey(huid), { type: 'person-claim', huid, idAttribute: 'guestId' }, claim, previous);
  }

  async guestIdForAccount(accountId: string): Promise<string | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: accountKey(accountId), ConsistentRead: true }));
    return out.Item?.guestId as string | undefined;
  }
}

/**
 * Attempt counters in the guests table (`ATTEMPTS#<key>`), each one conditional update: a window
 * counter only grows while under its limit; a backoff record only moves on from the count it was
 * read at. `expiresAt` (epoch seconds) is the table's TTL attribute.
 */
export class DynamoAttemptCounter implements AttemptCounter {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async count(key: string, window: string, limit: number, expiresAt: Date): Promise<number | undefined> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `ATTEMPTS#${key}`, sk: window },
          UpdateExpression: 'ADD attempts :one SET expiresAt = :exp, #type = :type',
          ConditionExpression: 'attribute_not_exists(attempts) OR attempts < :limit',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':exp': Math.floor(expiresAt.getTime() / 1000), ':type': 'attempts' },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(out.Attributes?.attempts);
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }

  async attempts(key: string): Promise<{ attempts: number; lastAt: string } | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `ATTEMPTS#${key}`, sk: 'BACKOFF' }, ConsistentRead: true }));
    return out.Item && out.Item.attempts !== undefined ? { attempts: Number(out.Item.attempts), lastAt: String(out.Item.lastAt) } : undefined;
  }

  async reset(key: string): Promise<void> {
    await this.doc.send(new UpdateCommand({ TableName: this.table, Key: { pk: `ATTEMPTS#${key}`, sk: 'BACKOFF' }, UpdateExpression: 'REMOVE attempts, lastAt' }));
  }

  async record(key: string, seen: number, at: string, expiresAt: Date): Promise<boolean> {
    return written(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `ATTEMPTS#${key}`, sk: 'BACKOFF' },
          UpdateExpression: 'SET attempts = :next, lastAt = :at, expiresAt = :exp, #type = :type',
          ConditionExpression: seen === 0 ? 'attribute_not_exists(attempts)' : 'attempts = :seen',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: {
            ':next': seen + 1,
            ':at': at,
            ':exp': Math.floor(expiresAt.getTime() / 1000),
            ':type': 'attempts',
            ...(seen === 0 ? {} : { ':seen': seen }),
          },
        }),
      ),
    );
  }
}

/** Named instants in the guests table (`CHECKPOINT#<name>` / `CHECKPOINT`): the reconciler's last drift check. */
export class DynamoCheckpoints implements Checkpoints {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    // The same options as every document client here: `from` sets them on the client it shares.
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async get(name: string): Promise<string | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `CHECKPOINT#${name}`, sk: 'CHECKPOINT' }, ConsistentRead: true }));
    return typeof out.Item?.value === 'string' ? out.Item.value : undefined;
  }

  async set(name: string, value: string): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: `CHECKPOINT#${name}`, sk: 'CHECKPOINT', type: 'checkpoint', value } }));
  }
}
