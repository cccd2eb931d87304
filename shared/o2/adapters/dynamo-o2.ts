/** O2Repository over the O2 table, with single-item conditional writes (no transactions) and lists from its indexes only. */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, StaleWriteError } from '../../core/domain/errors.ts';
import type { Lab, LabCard, O2Account, O2AuditEvent, O2Status, RegistrationStatus } from '../domain/model.ts';
import type { Page, PersonClaim } from '../../core/ports.ts';
import type { O2Query, O2Repository } from '../app/ports.ts';
import { keyDoesNotExist, written } from '../../adapters/dynamo-conditions.ts';
import { AUDIT_PREFIX, auditHistory, decodeListCursor, encodeCursor, invalidCursor, putAuditOnce, putClaim, queryDue, queryFrom } from '../../adapters/dynamo-records.ts';
import type { IndexSpec } from '../../adapters/table-indexes.ts';
import { labIndexAttributes, O2_INDEX_ATTRIBUTES, O2_INDEXES, o2IndexAttributes, wordIndexAttributes } from './o2-table.ts';
import { searchWords } from '../../core/domain/text.ts';

const labKey = (labId: string) => ({ pk: `LAB#${labId}`, sk: 'LAB' });
const o2Key = (id: string) => ({ pk: `O2#${id}`, sk: 'O2' });
const recordPk = (kind: O2AuditEvent['kind'], id: string) => (kind === 'lab' ? `LAB#${id}` : `O2#${id}`);
export { AUDIT_PREFIX as O2_AUDIT_PREFIX };

const DEFAULT_PAGE = 50;
const MAX_QUERIES_PER_PAGE = 25;

function strip<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, type: _type, ...rest } = item;
  for (const k of O2_INDEX_ATTRIBUTES) delete rest[k];
  return rest as T;
}

export class DynamoO2Repository implements O2Repository {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  private async item<T>(key: Record<string, string>): Promise<T | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    return out.Item ? strip<T>(out.Item) : undefined;
  }

  private async put(item: Record<string, unknown>, condition: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> }, onConflict: () => Error): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.table, Item: item, ConditionExpression: condition.expression, ExpressionAttributeNames: condition.names, ExpressionAttributeValues: condition.values }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw onConflict();
      throw err;
    }
  }

  private labItem(lab: Lab): Record<string, unknown> {
    return { ...labKey(lab.labId), type: 'lab', ...lab, ...labIndexAttributes(lab) };
  }

  private o2Item(o2: O2Account): Record<string, unknown> {
    const item: Record<string, unknown> = { ...o2Key(o2.o2AccountId), type: 'o2', ...o2, ...o2IndexAttributes(o2) };
    if (!item.dueShard) delete item.dueAt;
    return item;
  }

  private versionIs(version: number) {
    return { expression: '#version = :expected', names: { '#version': 'version' }, values: { ':expected': version - 1 } };
  }

  getLab(labId: string): Promise<Lab | undefined> {
    return this.item<Lab>(labKey(labId));
  }

  createLab(lab: Lab): Promise<void> {
    return this.put(this.labItem(lab), { expression: keyDoesNotExist }, () => new ConflictError(`Lab ${lab.labId} already exists.`));
  }

  saveLab(next: Lab): Promise<void> {
    return this.put(this.labItem(next), this.versionIs(next.version), () => new StaleWriteError(`Lab ${next.labId} was changed by someone else; read it again and retry.`));
  }

  async noteRegistrationRequested(lab: Lab, at: string): Promise<boolean> {
    try {
      await this.put(
        this.labItem({ ...lab, registrationRequestedAt: at }),
        { expression: '#version = :version AND attribute_not_exists(#requested)', names: { '#version': 'version', '#requested': 'registrationRequestedAt' }, values: { ':version': lab.version } },
        () => new StaleWriteError(`Lab ${lab.labId} changed, or the RC Core was asked already.`),
      );
      return true;
    } catch (err) {
      if (err instanceof StaleWriteError) return false;
      throw err;
    }
  }

  async indexLab(lab: Lab, piName: string): Promise<void> {
    const card: LabCard = { labId: lab.labId, name: lab.name, piHuid: lab.piHuid, piName };
    const words = [...new Set([...searchWords(lab.name), ...searchWords(piName)])].filter((w) => w.length >= 2);
    // One item per word in the lab's partition (its history passes over them), written as is: the same again changes nothing.
    for (const word of words) {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: `LAB#${lab.labId}`, sk: `WORD#${word}`, type: 'lab-word', ...card, ...wordIndexAttributes(word, lab.labId) } }));
    }
  }

  async labsByWord(prefix: string, limit: number): Promise<LabCard[]> {
    const index = O2_INDEXES.byWord;
    const { wordKey } = wordIndexAttributes(prefix, '');
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: index.name,
        KeyConditionExpression: '#p = :p AND begins_with(#s, :prefix)',
        ExpressionAttributeNames: { '#p': index.partitionKey, '#s': index.sortKey },
        ExpressionAttributeValues: { ':p': wordKey, ':prefix': prefix },
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((i) => ({ labId: String(i.labId), name: String(i.name), piHuid: String(i.piHuid), piName: String(i.piName) }));
  }

  labsOfPi(piHuid: string, query: O2Query): Promise<Page<Lab>> {
    return this.listOver<Lab>([{ index: O2_INDEXES.byPi, value: `LAB#${piHuid}` }], query);
  }

  labsByRegistration(status: RegistrationStatus, query: O2Query): Promise<Page<Lab>> {
    return this.listOver<Lab>([{ index: O2_INDEXES.byQueue, value: `LAB#${status}` }], query);
  }

  get(o2AccountId: string): Promise<O2Account | undefined> {
    return this.item<O2Account>(o2Key(o2AccountId));
  }

  create(o2: O2Account): Promise<void> {
    return this.put(this.o2Item(o2), { expression: keyDoesNotExist }, () => new ConflictError(`O2 account ${o2.o2AccountId} already exists.`));
  }

  save(next: O2Account): Promise<void> {
    return this.put(this.o2Item(next), this.versionIs(next.version), () => new StaleWriteError(`O2 account ${next.o2AccountId} was changed by someone else; read it again and retry.`));
  }

  listByPi(piHuid: string, query: O2Query): Promise<Page<O2Account>> {
    return this.listOver<O2Account>([{ index: O2_INDEXES.byPi, value: `O2#${piHuid}` }], query);
  }

  listByUser(userHuid: string, query: O2Query): Promise<Page<O2Account>> {
    return this.listOver<O2Account>([{ index: O2_INDEXES.byUser, value: `O2#${userHuid}` }], query);
  }

  listByStatus(statuses: readonly O2Status[], query: O2Query): Promise<Page<O2Account>> {
    return this.listOver<O2Account>(statuses.map((s) => ({ index: O2_INDEXES.byQueue, value: `O2#${s}` })), query);
  }

  listByLab(labId: string, query: O2Query): Promise<Page<O2Account>> {
    return this.listOver<O2Account>([{ index: O2_INDEXES.byLab, value: `O2#${labId}` }], query);
  }

  listForPi(piHuid: string, labIds: readonly string[], query: O2Query): Promise<Page<O2Account>> {
    return this.listOver<O2Account>(
      [
        { index: O2_INDEXES.byPi, value: `O2#${piHuid}` },
        // The PI's own accounts in a lab came with the first partition.
        ...labIds.map((labId) => ({ index: O2_INDEXES.byLab, value: `O2#${labId}`, skip: (o: O2Account) => o.piHuid === piHuid })),
      ],
      query,
    );
  }

  /**
   * One page over partitions read one after the other, each newest first, from the cursor's
   * place; the cursor names the index and the partition (a forged one is 400, as for guests).
   * `skip`: items of a partition listed already with an earlier one.
   */
  private async listOver<T>(partitions: { index: IndexSpec; value: string; skip?: (item: T) => boolean }[], query: O2Query): Promise<Page<T>> {
    const limit = query.limit ?? DEFAULT_PAGE;
    let at = 0;
    let start: Record<string, string> | undefined;
    const cursor = decodeListCursor(query.cursor);
    if (cursor) {
      at = partitions.findIndex((x) => x.value === cursor.p && x.index.name === cursor.i);
      if (at < 0) throw invalidCursor();
      start = cursor.k;
      const index = partitions[at]!.index;
      if (start && (start[index.partitionKey] !== cursor.p || !/^(LAB|O2)#/.test(String(start.pk)) || !['LAB', 'O2'].includes(String(start.sk)))) throw invalidCursor();
    }
    const items: T[] = [];
    for (let queries = 0; at < partitions.length && items.length < limit && queries < MAX_QUERIES_PER_PAGE; queries++) {
      const { index, value } = partitions[at]!;
      const out = await queryFrom(
        this.doc,
        new QueryCommand({
          TableName: this.table,
          IndexName: index.name,
          KeyConditionExpression: '#p = :p',
          ExpressionAttributeNames: { '#p': index.partitionKey },
          ExpressionAttributeValues: { ':p': value },
          ScanIndexForward: false,
          ExclusiveStartKey: start,
          Limit: limit - items.length,
        }),
      );
      const skip = partitions[at]!.skip;
      items.push(...(out.Items ?? []).map((i) => strip<T>(i)).filter((i) => !skip?.(i)));
      start = out.LastEvaluatedKey as Record<string, string> | undefined;
      if (!start) at++;
    }
    const next = at < partitions.length ? encodeCursor({ i: partitions[at]!.index.name, p: partitions[at]!.value, ...(start ? { k: start } : {}) }) : undefined;
    return { items, cursor: next };
  }

  async listDue(before: string, cursor?: string): Promise<Page<O2Account>> {
    const page = await queryDue(this.doc, this.table, before, cursor);
    return { items: page.items.map((i) => strip<O2Account>(i)), cursor: page.cursor };
  }

  async appendAudit(events: O2AuditEvent[]): Promise<void> {
    await putAuditOnce(this.doc, this.table, events, (e) => recordPk(e.kind, e.id));
  }

  async history(kind: O2AuditEvent['kind'], id: string): Promise<O2AuditEvent[]> {
    return auditHistory<O2AuditEvent>(this.doc, this.table, recordPk(kind, id), kind === 'lab' ? 'LAB' : 'O2');
  }

  async reserveUidNumber(uidNumber: number, o2AccountId: string): Promise<boolean> {
    return written(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `UID#${uidNumber}`, sk: 'UID', type: 'uid', uidNumber, o2AccountId },
          ConditionExpression: `${keyDoesNotExist} OR o2AccountId = :me`,
          ExpressionAttributeValues: { ':me': o2AccountId },
        }),
      ),
    );
  }

  async userClaim(huid: string): Promise<PersonClaim | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `O2USER#${huid}`, sk: 'LIVE' }, ConsistentRead: true }));
    return out.Item ? { guestId: String(out.Item.o2AccountId), claimedAt: String(out.Item.claimedAt) } : undefined;
  }

  async claimUser(huid: string, claim: PersonClaim, previous: PersonClaim | undefined): Promise<boolean> {
    return putClaim(this.doc, this.table, { pk: `O2USER#${huid}`, sk: 'LIVE' }, { type: 'o2-user-claim', huid, idAttribute: 'o2AccountId' }, claim, previous);
  }

}
