/**
 * The send-rate limiter on dynalite (issue 21): every sender reserves room in a one-second slot with
 * a conditional ADD on that second's counter, so that all of them together never pass SES's rate;
 * a send with no room in the look-ahead is SendRateBusyError (the task's retrier waits it out).
 * Time is passed in: `now` and `sleep` are the test's.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../local/dynamo.ts';
import { DynamoSendRateLimiter, RateLimitedMailer } from '../../shared/adapters/send-rate.ts';
import { SendRateBusyError } from '../../shared/core/domain/errors.ts';
import type { EmailMessage } from '../../shared/core/ports.ts';
import { startTestDynamo, type TestDynamo } from '../support/dynalite.ts';

let db: TestDynamo;
let table = 0;
beforeAll(async () => {
  db = await startTestDynamo();
});
afterAll(async () => {
  await db.stop();
});

/** A fresh table and a limiter on it at `rate`, on a test clock that `sleep` moves. */
async function limiter(rate: number, lookAheadSeconds = 20) {
  const name = `send-rate-${++table}`;
  await ensureTables(db.client, [{ TableName: name, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }]);
  const clock = { ms: 1_800_000_000_250, slept: [] as number[] };
  const l = new DynamoSendRateLimiter(db.client, name, rate, {
    now: () => clock.ms,
    sleep: async (ms) => {
      clock.slept.push(ms);
    },
    lookAheadSeconds,
  });
  const count = async (second: number) => Number((await db.client.send(new GetItemCommand({ TableName: name, Key: { pk: { S: `SECOND#${second}` } }, ConsistentRead: true }))).Item?.recipients?.N ?? 0);
  return { l, clock, count, second: Math.floor(clock.ms / 1000) };
}

describe('DynamoSendRateLimiter', () => {
  it('takes up to the rate in the current second without waiting; the next send waits for the next second', async () => {
    const { l, clock, count, second } = await limiter(3);
    for (let i = 0; i < 3; i++) await l.reserve(1);
    expect(clock.slept).toEqual([]);
    await l.reserve(1);
    expect(clock.slept).toEqual([750]); // from …250 ms to the next whole second
    expect([await count(second), await count(second + 1)]).toEqual([3, 1]);
  });

  it('counts recipients, not messages; a message to more recipients than a second allows takes a whole second', async () => {
    const { l, count, second } = await limiter(5);
    await l.reserve(4);
    await l.reserve(2); // 4 + 2 > 5: the next second
    await l.reserve(9); // more than the rate: a second of its own
    expect([await count(second), await count(second + 1), await count(second + 2)]).toEqual([4, 2, 5]);
  });

  it('many senders at once never put more than the rate in any second, and each gets a slot', async () => {
    const { l, count, second } = await limiter(4);
    await Promise.all(Array.from({ length: 30 }, () => l.reserve(1)));
    const counts = await Promise.all(Array.from({ length: 10 }, (_, i) => count(second + i)));
    expect(counts.every((c) => c <= 4)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(30);
  });

  it('no room within the look-ahead: SendRateBusyError, which Step Functions knows by that name', async () => {
    const { l } = await limiter(1, 2);
    await l.reserve(1);
    await l.reserve(1);
    const err = await l.reserve(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SendRateBusyError);
    expect((err as Error).name).toBe('SendRateBusyError');
  });
});

describe('RateLimitedMailer', () => {
  it('reserves every recipient (to and cc) before the message goes', async () => {
    const reserved: number[] = [];
    const sent: string[] = [];
    const mailer = new RateLimitedMailer({ send: async (m: EmailMessage) => (sent.push(m.subject), 'id-1') }, { reserve: async (n) => void reserved.push(n) });
    await expect(mailer.send({ to: ['a@example.org'], cc: ['b@hms.harvard.edu', 'c@hms.harvard.edu'], subject: 'S', text: 't', html: '<p>t</p>' } as EmailMessage)).resolves.toBe('id-1');
    expect(reserved).toEqual([3]);
    expect(sent).toEqual(['S']);
  });

  it('a busy rate sends nothing', async () => {
    const sent: string[] = [];
    const mailer = new RateLimitedMailer({ send: async (m: EmailMessage) => (sent.push(m.subject), 'id') }, { reserve: async () => Promise.reject(new SendRateBusyError('busy')) });
    await expect(mailer.send({ to: ['a@example.org'], subject: 'S', text: 't', html: '' } as EmailMessage)).rejects.toBeInstanceOf(SendRateBusyError);
    expect(sent).toEqual([]);
  });
});
