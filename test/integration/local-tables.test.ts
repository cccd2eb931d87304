import type { Server } from 'node:http';
import { DescribeTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { ensureTables, startDynalite } from '../../local/dynamo.ts';

/**
 * `npm start` reads the directory table right after creating the tables. dynalite keeps a new
 * table CREATING until a timer and a store write make it ACTIVE, and answers a read before then
 * with ResourceNotFoundException (as DynamoDB does): ensureTables returns only once every table is ACTIVE.
 */
describe('ensureTables (local/dynamo.ts)', () => {
  it('returns with every table ACTIVE and readable at once, a fresh dynalite after another', async () => {
    for (let run = 0; run < 5; run++) {
      const { server, endpoint } = await startDynalite({});
      const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      try {
        const names = Array.from({ length: 6 }, (_, i) => `table${i}`);
        await ensureTables(
          client,
          names.map((TableName) => ({ TableName, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' })),
        );
        const statuses = await Promise.all(names.map(async (TableName) => (await client.send(new DescribeTableCommand({ TableName }))).Table?.TableStatus));
        expect(statuses).toEqual(names.map(() => 'ACTIVE'));
        await Promise.all(names.map((TableName) => client.send(new GetItemCommand({ TableName, Key: { pk: { S: 'x' } } }))));
      } finally {
        client.destroy();
        await new Promise<void>((r) => (server as Server).close(() => r()));
      }
    }
  });
});
