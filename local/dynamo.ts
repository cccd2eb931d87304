/** dynalite, in-process, with the tables the stack defines (same keys and indexes). */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { resourcesOfType, type CfnTemplate } from './template.ts';

const require = createRequire(import.meta.url);

export async function startDynalite(opts: { path?: string | undefined; port?: number }): Promise<{ server: Server; endpoint: string }> {
  const dynalite = require('dynalite') as (o: Record<string, unknown>) => Server;
  const server = dynalite({ path: opts.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, endpoint: `http://127.0.0.1:${port}` };
}

/** CreateTable inputs from the template's AWS::DynamoDB::Table / GlobalTable resources; named by logical ID. */
export function tablesFromTemplate(template: CfnTemplate): CreateTableCommandInput[] {
  const tables = [...resourcesOfType(template, 'AWS::DynamoDB::Table'), ...resourcesOfType(template, 'AWS::DynamoDB::GlobalTable')];
  return tables.map(([logicalId, p]) => {
    const gsis = (p.GlobalSecondaryIndexes as { IndexName: string; KeySchema: unknown; Projection: unknown }[] | undefined) ?? [];
    return {
      TableName: logicalId,
      KeySchema: p.KeySchema as CreateTableCommandInput['KeySchema'],
      AttributeDefinitions: p.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
      BillingMode: 'PAY_PER_REQUEST',
      ...(gsis.length
        ? { GlobalSecondaryIndexes: gsis.map((g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection })) as CreateTableCommandInput['GlobalSecondaryIndexes'] }
        : {}),
    };
  });
}

export async function ensureTables(client: DynamoDBClient, tables: CreateTableCommandInput[]): Promise<void> {
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const t of tables) if (!existing.has(t.TableName!)) await client.send(new CreateTableCommand(t));
  // A new table is CREATING until dynalite's timer (createTableMs 0: the next turn, then a store
  // write) makes it ACTIVE; a read before then is ResourceNotFoundException, as in DynamoDB. Wait.
  for (const t of tables) await untilActive(client, t.TableName!);
}

async function untilActive(client: DynamoDBClient, table: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await client.send(new DescribeTableCommand({ TableName: table }))).Table?.TableStatus;
    if (status === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`The local table ${table} is still ${status ?? 'missing'} after ${timeoutMs} ms; a run stopped while creating it may have left it so: start with a new --data-dir.`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
