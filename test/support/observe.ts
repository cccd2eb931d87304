/**
 * What the security tests compare before and after a refused request: every item of every
 * DynamoDB table (a Scan is fine in a test), the SES mailbox, the Step Functions executions and
 * the account directory.
 */
import { DynamoDBClient, ListTablesCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { LOCAL_REGION } from '../../local/template.ts';
import type { TestSystem } from './local-system.ts';

export interface SystemState {
  /** Table name → its items as sorted JSON strings. */
  tables: Record<string, string[]>;
  mail: string[];
  executions: string[];
  /** The account directory's users and groups (local/scim), as JSON. */
  directory: string;
}

let client: DynamoDBClient | undefined;

/** A client for the local system's dynalite (its endpoint is in the environment once the system runs). */
function dynamo(): DynamoDBClient {
  client ??= new DynamoDBClient({
    endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return client;
}

/** JSON with object keys sorted at every level, so equal items compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export async function scanTables(): Promise<Record<string, string[]>> {
  const names = (await dynamo().send(new ListTablesCommand({}))).TableNames ?? [];
  const tables: Record<string, string[]> = {};
  for (const name of names.sort()) {
    const items: string[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await dynamo().send(new ScanCommand({ TableName: name, ExclusiveStartKey: start, ConsistentRead: true }));
      for (const item of out.Items ?? []) items.push(canonical(item));
      start = out.LastEvaluatedKey;
    } while (start);
    tables[name] = items.sort();
  }
  return tables;
}

export async function systemState(t: TestSystem): Promise<SystemState> {
  const [tables, mail, executions, directory] = await Promise.all([scanTables(), t.mail(), t.executions(), t.directory()]);
  return {
    tables,
    directory: canonical({ users: directory.users, groups: directory.groups }),
    mail: mail.map((m) => m.messageId).sort(),
    executions: executions.map((e) => `${e.name} ${e.status} ${e.currentState ?? ''} ${e.transitions}`).sort(),
  };
}

export function closeObserver(): void {
  client?.destroy();
  client = undefined;
}
