/** A fresh dynalite with the guests (and its indexes), directory and idempotency tables of the stack, for tests of one adapter or use case. */
import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTables, startDynalite } from '../../local/dynamo.ts';
import { GUESTS_INDEXES } from '../../shared/guest/adapters/guests-table.ts';

export interface TestDynamo {
  client: DynamoDBClient;
  guestsTable: string;
  directoryTable: string;
  idempotencyTable: string;
  stop(): Promise<void>;
}

export async function startTestDynamo(): Promise<TestDynamo> {
  const { server, endpoint } = await startDynalite({});
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const S = 'S' as const;
  const indexes = Object.values(GUESTS_INDEXES);
  const indexAttributes = [...new Set(indexes.flatMap((i) => [i.partitionKey, i.sortKey]))];
  await ensureTables(client, [
    {
      TableName: 'guests',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: ['pk', 'sk', ...indexAttributes].map((AttributeName) => ({ AttributeName, AttributeType: S })),
      GlobalSecondaryIndexes: indexes.map((i) => ({ IndexName: i.name, KeySchema: [{ AttributeName: i.partitionKey, KeyType: 'HASH' }, { AttributeName: i.sortKey, KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } })),
      BillingMode: 'PAY_PER_REQUEST',
    },
    { TableName: 'directory', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: S }], BillingMode: 'PAY_PER_REQUEST' },
    { TableName: 'idempotency', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: S }], BillingMode: 'PAY_PER_REQUEST' },
  ]);
  return {
    client,
    guestsTable: 'guests',
    directoryTable: 'directory',
    idempotencyTable: 'idempotency',
    async stop() {
      client.destroy();
      await new Promise<void>((r) => (server as Server).close(() => r()));
    },
  };
}
