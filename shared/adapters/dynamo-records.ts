/**
 * What the lifecycles' DynamoDB repositories share (shared/guest/adapters/dynamo-guests.ts,
 * shared/o2/adapters/dynamo-o2.ts): list cursors (a forged one is the caller's 400, never ours),
 * the reconciler's byDue query, audit items written once, a record's history from its partition.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../core/domain/errors.ts';
import type { Page, PersonClaim } from '../core/ports.ts';
import { keyDoesNotExist, written } from './dynamo-conditions.ts';
import { DUE_INDEX, DUE_SHARD } from './table-indexes.ts';

/** The cursor is a query parameter of the lists: a bad one is the caller's mistake (400), never ours. */
export const invalidCursor = () => new ValidationError('The cursor is not valid.', { 'query:cursor': ['not a cursor returned by this API'] });

export const encodeCursor = (key: Record<string, unknown> | undefined) => (key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined);

/** A cursor's JSON object (or a 400 naming the cursor). */
export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw invalidCursor();
}

/** A LastEvaluatedKey given back: every key attribute of the tables and their indexes is a string. */
export function startKey(cursor: string | undefined): Record<string, string> | undefined {
  const value = decodeCursor(cursor);
  if (value && !Object.values(value).every((v) => typeof v === 'string')) throw invalidCursor();
  return value as Record<string, string> | undefined;
}

/**
 * A list's cursor over several partitions: which index (`i`), the partition its page ended in (`p`:
 * a sponsor's HUID, a status, a lab), and where in it (`k`, DynamoDB's LastEvaluatedKey; none: from
 * the partition's start).
 */
export interface ListCursor {
  i: string;
  p: string;
  k?: Record<string, string>;
}

export function decodeListCursor(cursor: string | undefined): ListCursor | undefined {
  if (!cursor) return undefined;
  const value = decodeCursor(cursor) as Partial<ListCursor> | undefined;
  const { i, p, k } = value ?? {};
  const keyOk = k === undefined || (typeof k === 'object' && k !== null && !Array.isArray(k) && Object.values(k).length > 0 && Object.values(k).every((v) => typeof v === 'string'));
  if (typeof i !== 'string' || typeof p !== 'string' || !keyOk || Object.keys(value!).some((key) => !['i', 'p', 'k'].includes(key))) throw invalidCursor();
  return { i, p, ...(k ? { k } : {}) };
}

/** A query from a cursor: DynamoDB refusing its start key (not ours, another query's) means a bad cursor. */
export async function queryFrom(doc: DynamoDBDocumentClient, command: QueryCommand): Promise<QueryCommandOutput> {
  try {
    return await doc.send(command);
  } catch (err) {
    if (command.input.ExclusiveStartKey && (err as { name?: string }).name === 'ValidationException') throw invalidCursor();
    throw err;
  }
}

/** The records of a lifecycle's table whose work is due at or before `before` (a page of 100, from its due index), as stored items. */
export async function queryDue(doc: DynamoDBDocumentClient, table: string, before: string, cursor?: string): Promise<Page<Record<string, unknown>>> {
  const index = DUE_INDEX;
  const out = await queryFrom(
    doc,
    new QueryCommand({
      TableName: table,
      IndexName: index.name,
      KeyConditionExpression: '#shard = :shard AND #due <= :before',
      ExpressionAttributeNames: { '#shard': index.partitionKey, '#due': index.sortKey },
      ExpressionAttributeValues: { ':shard': DUE_SHARD, ':before': before },
      ExclusiveStartKey: startKey(cursor),
      Limit: 100,
    }),
  );
  return { items: out.Items ?? [], cursor: encodeCursor(out.LastEvaluatedKey) };
}

/** Sort key prefix of audit items (`<record pk>` / `AUDIT#<seq>`): written once, never updated or deleted. */
export const AUDIT_PREFIX = 'AUDIT#';

/**
 * Audit events as items of their record's partition, keyed by the version the event produced, and
 * written only if absent: an audit item is never overwritten (IAM cannot say "PutItem of new items
 * only", so every audit write carries the condition). Writing the same event again (a retry, or
 * `lastAudit` re-sent by the next change) finds it there: already written, done.
 */
export async function putAuditOnce<E extends { seq: number }>(doc: DynamoDBDocumentClient, table: string, events: readonly E[], pkOf: (event: E) => string): Promise<void> {
  await Promise.all(
    events.map(async (event) => {
      try {
        await doc.send(
          new PutCommand({
            TableName: table,
            Item: { pk: pkOf(event), sk: `${AUDIT_PREFIX}${String(event.seq).padStart(8, '0')}`, type: 'audit', ...event },
            ConditionExpression: keyDoesNotExist,
          }),
        );
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    }),
  );
}

/**
 * A record's history, oldest first: one query over its partition, its audit items (AUDIT#…) and the
 * record's own item (`recordSk`), whose `lastAudit` stands in for an event whose own write was lost.
 */
export async function auditHistory<E extends { seq: number }>(doc: DynamoDBDocumentClient, table: string, pk: string, recordSk: string): Promise<E[]> {
  const events: E[] = [];
  let last: E | undefined;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true, ExclusiveStartKey: start }));
    for (const item of out.Items ?? []) {
      const { pk: _pk, sk, type: _t, ...rest } = item;
      if (typeof sk === 'string' && sk.startsWith(AUDIT_PREFIX)) events.push(rest as E);
      else if (sk === recordSk) last = (rest as { lastAudit?: E }).lastAudit;
    }
    start = out.LastEvaluatedKey;
  } while (start);
  if (last && !events.some((e) => e.seq === last.seq)) events.push(last);
  return events.sort((a, b) => a.seq - b.seq);
}

/**
 * A person's one live record of a lifecycle (a claim item at `key`): written only where no claim is,
 * or over exactly the claim read (`previous`), so two requests for one person cannot both win.
 * `idAttribute` names the record's ID on the item (`guestId`, `o2AccountId`). False: lost the race.
 */
export async function putClaim(
  doc: DynamoDBDocumentClient,
  table: string,
  key: { pk: string; sk: string },
  item: { type: string; huid: string; idAttribute: string },
  claim: PersonClaim,
  previous: PersonClaim | undefined,
): Promise<boolean> {
  const { idAttribute, ...rest } = item;
  return written(
    doc.send(
      new PutCommand({
        TableName: table,
        Item: { ...key, ...rest, [idAttribute]: claim.guestId, claimedAt: claim.claimedAt },
        ...(previous
          ? { ConditionExpression: '#id = :id AND claimedAt = :at', ExpressionAttributeNames: { '#id': idAttribute }, ExpressionAttributeValues: { ':id': previous.guestId, ':at': previous.claimedAt } }
          : { ConditionExpression: keyDoesNotExist }),
      }),
    ),
  );
}
