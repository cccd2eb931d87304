/**
 * One send-rate limiter for every function that sends email (issue 21): SES counts its maximum send
 * rate in recipients per second, across the account. Each send reserves room in a one-second slot
 * with a conditional ADD on that second's counter item (a single-item conditional write: DynamoDB and
 * dynalite alike), the first second with room, up to `lookAheadSeconds` ahead, and waits for its
 * second to begin. No room in that window: SendRateBusyError, which the task's Step Functions
 * retrier waits out (workflows/core.ts). Counter items expire a day later (TTL `expiresAt`).
 */
import { ConditionalCheckFailedException, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendRateBusyError } from '../core/domain/errors.ts';
import type { EmailMessage, Mailer } from '../core/ports.ts';

export interface SendRateLimiter {
  /** Waits until `recipients` may be sent to without passing the rate; SendRateBusyError if not within the look-ahead. */
  reserve(recipients: number): Promise<void>;
}

export interface SendRateOptions {
  /** Milliseconds since the epoch: real time (SES's rate is), not the lifecycle's clock. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** How far ahead a send may be placed: a task sends up to three messages, each may wait this long, all within the function's 30-second timeout (a timed-out task is retried and its email sent again). @default 8 */
  lookAheadSeconds?: number;
}

export class DynamoSendRateLimiter implements SendRateLimiter {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly lookAhead: number;
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly perSecond: number,
    opts: SendRateOptions = {},
  ) {
    // eslint-disable-next-line no-restricted-syntax -- SES counts real seconds, whatever the lifecycle's clock says (the local one moves)
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.lookAhead = opts.lookAheadSeconds ?? 8;
  }

  async reserve(recipients: number): Promise<void> {
    // A message to more recipients than a second allows takes a second of its own.
    const n = Math.max(1, Math.min(recipients, this.perSecond));
    const first = Math.floor(this.now() / 1000);
    for (let second = first; second < first + this.lookAhead; second++) {
      if (await this.take(second, n)) {
        const wait = second * 1000 - this.now();
        if (wait > 0) await this.sleep(wait);
        return;
      }
    }
    throw new SendRateBusyError(`Every send slot of the next ${this.lookAhead} seconds is taken (${this.perSecond} recipients a second).`);
  }

  /** Adds `n` to the second's count if it stays within the rate. */
  private async take(second: number, n: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: { S: `SECOND#${second}` } },
          UpdateExpression: 'ADD #sent :n SET #expires = :expires',
          ConditionExpression: 'attribute_not_exists(#sent) OR #sent <= :room',
          ExpressionAttributeNames: { '#sent': 'recipients', '#expires': 'expiresAt' },
          ExpressionAttributeValues: { ':n': { N: String(n) }, ':room': { N: String(this.perSecond - n) }, ':expires': { N: String(second + 86_400) } },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}

/** A mailer whose every message first reserves its recipients with the limiter. */
export class RateLimitedMailer implements Mailer {
  constructor(
    private readonly mailer: Mailer,
    private readonly limiter: SendRateLimiter,
  ) {}

  async send(message: EmailMessage): Promise<string> {
    await this.limiter.reserve(message.to.length + (message.cc?.length ?? 0));
    return this.mailer.send(message);
  }
}
