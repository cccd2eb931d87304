/** A fresh dynalite with the guests and idempotency tables of the stack, for tests of one adapter or use case. */
import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTables, startDynalite } from '../../local/dynamo.ts';

export interface TestDynamo {
  client: DynamoDBClient;
  guestsTable: string;
  idempotencyTable: string;
  stop(): Promise<void>;
}

export async function startTestDynamo(): Promise<TestDynamo> {
  const { server, endpoint } = await startDynalite({});
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const S = 'S' as const;
  await ensureTables(client, [
    { TableName: 'guests', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: S }, { AttributeName: 'sk', AttributeType: S }], BillingMode: 'PAY_PER_REQUEST' },
    { TableName: 'idempotency', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: S }], BillingMode: 'PAY_PER_REQUEST' },
  ]);
  return {
    client,
    guestsTable: 'guests',
    idempotencyTable: 'idempotency',
    async stop() {
      client.destroy();
      await new Promise<void>((r) => (server as Server).close(() => r()));
    },
  };
}
