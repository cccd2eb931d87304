/** GuestRepository over one DynamoDB table with single-item conditional writes (no transactions). */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { FINAL_STATUSES, type AuditEvent, type Guest } from '../domain/model.ts';
import { ConflictError, ValidationError } from '../domain/errors.ts';
import type { AttemptCounter, GuestQuery, GuestRepository, Page } from '../ports.ts';

const guestKey = (guestId: string) => ({ pk: `GUEST#${guestId}`, sk: 'GUEST' });
const accountKey = (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: 'ACCOUNT' });
export const DUE_SHARD = 'DUE';

const keyDoesNotExist = 'attribute_not_exists(pk)';
const versionIs = '#version = :expected';

const encodeCursor = (key: Record<string, unknown> | undefined) =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

/** The cursor is a query parameter of GET /v1/guests: a bad one is the caller's mistake (400), never ours. */
const invalidCursor = () => new ValidationError('The cursor is not valid.', { 'query:cursor': ['not a cursor returned by this API'] });

function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Every key attribute of the table and its indexes is a string.
    if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length && Object.values(value).every((v) => typeof v === 'string')) {
      return value as Record<string, unknown>;
    }
  } catch {
    // fall through
  }
  throw invalidCursor();
}

/** What is stored: the guest plus the index attributes derived from it. */
function toItem(guest: Guest): Record<string, unknown> {
  const item: Record<string, unknown> = { ...guestKey(guest.guestId), type: 'guest', ...guest };
  if (guest.dueAt && !FINAL_STATUSES.includes(guest.status)) item.dueShard = DUE_SHARD;
  else delete item.dueAt;
  return item;
}

function fromItem(item: Record<string, unknown>): Guest {
  const { pk: _pk, sk: _sk, type: _type, dueShard: _d, ...guest } = item;
  return guest as unknown as Guest;
}

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
        throw new ConflictError(`Guest ${next.guestId} was changed by someone else; read it again and retry.`);
      }
      throw err;
    }
  }

  /** A query from a cursor: DynamoDB refusing its start key (not ours, another query's) means a bad cursor. */
  private async queryFrom(command: QueryCommand) {
    try {
      return await this.doc.send(command);
    } catch (err) {
      if (command.input.ExclusiveStartKey && (err as { name?: string }).name === 'ValidationException') throw invalidCursor();
      throw err;
    }
  }

  async listBySponsor(sponsorHuid: string, query: GuestQuery): Promise<Page<Guest>> {
    const names: Record<string, string> = { '#s': 'sponsorHuid' };
    const values: Record<string, unknown> = { ':s': sponsorHuid };
    let keyCondition = '#s = :s';
    if (query.expiringBefore) {
      names['#e'] = 'endDate';
      values[':e'] = query.expiringBefore;
      keyCondition += ' AND #e < :e';
    }
    let filter: string | undefined;
    if (query.status) {
      names['#st'] = 'status';
      values[':st'] = query.status;
      filter = '#st = :st';
    }
    const out = await this.queryFrom(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'bySponsor',
        KeyConditionExpression: keyCondition,
        FilterExpression: filter,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ExclusiveStartKey: decodeCursor(query.cursor),
        Limit: query.limit ?? 50,
      }),
    );
    return { items: (out.Items ?? []).map(fromItem), cursor: encodeCursor(out.LastEvaluatedKey) };
  }

  async listDue(before: string, cursor?: string): Promise<Page<Guest>> {
    const out = await this.queryFrom(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'byDue',
        KeyConditionExpression: '#shard = :shard AND #due <= :before',
        ExpressionAttributeNames: { '#shard': 'dueShard', '#due': 'dueAt' },
        ExpressionAttributeValues: { ':shard': DUE_SHARD, ':before': before },
        ExclusiveStartKey: decodeCursor(cursor),
        Limit: 100,
      }),
    );
    return { items: (out.Items ?? []).map(fromItem), cursor: encodeCursor(out.LastEvaluatedKey) };
  }

  async appendAudit(events: AuditEvent[]): Promise<void> {
    // Keyed by the guest version the event produced: writing it again (a retry) changes nothing.
    await Promise.all(
      events.map((event) =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { pk: `GUEST#${event.guestId}`, sk: `AUDIT#${String(event.seq).padStart(8, '0')}`, type: 'audit', ...event },
          }),
        ),
      ),
    );
  }

  async history(guestId: string): Promise<AuditEvent[]> {
    // One query over the guest's partition: its audit items (AUDIT#…) and the guest item (GUEST),
    // whose `lastAudit` stands in for an event whose own write was lost.
    const events: AuditEvent[] = [];
    let last: AuditEvent | undefined;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `GUEST#${guestId}` },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        const { pk: _pk, sk, type: _t, ...rest } = item;
        if (typeof sk === 'string' && sk.startsWith('AUDIT#')) events.push(rest as AuditEvent);
        else if (sk === 'GUEST') last = (rest as Partial<Guest>).lastAudit;
      }
      start = out.LastEvaluatedKey;
    } while (start);
    if (last && !events.some((e) => e.seq === last.seq)) events.push(last);
    return events.sort((a, b) => a.seq - b.seq);
  }

  async reserveAccountId(accountId: string, guestId: string): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...accountKey(accountId), type: 'account', accountId, guestId },
          ConditionExpression: `${keyDoesNotExist} OR guestId = :g`,
          ExpressionAttributeValues: { ':g': guestId },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async guestIdForAccount(accountId: string): Promise<string | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: accountKey(accountId), ConsistentRead: true }));
    return out.Item?.guestId as string | undefined;
  }
}

/**
 * Attempt counters in the guests table (`ATTEMPTS#<key>` / window), one conditional update each:
 * the count only grows while under the limit. `expiresAt` (epoch seconds) is the table's TTL attribute.
 */
export class DynamoAttemptCounter implements AttemptCounter {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async count(key: string, window: string, limit: number, expiresAt: Date): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `ATTEMPTS#${key}`, sk: window },
          UpdateExpression: 'ADD attempts :one SET expiresAt = :exp, #type = :type',
          ConditionExpression: 'attribute_not_exists(attempts) OR attempts < :limit',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':exp': Math.floor(expiresAt.getTime() / 1000), ':type': 'attempts' },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}
