/** DynamoDB: guests (with their history), the people/HSR directory, and Powertools idempotency records. */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from './nag.ts';

/** Index names the repository queries (shared/adapters/dynamo-guests.ts). */
export const GUESTS_INDEXES = { bySponsor: 'bySponsor', byDue: 'byDue' } as const;

const S = dynamodb.AttributeType.STRING;

/** Settings every table shares: on-demand, PITR, deletion protection, encrypted, never deleted with the stack. */
const common = {
  billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  deletionProtection: true,
  encryption: dynamodb.TableEncryption.AWS_MANAGED,
  removalPolicy: RemovalPolicy.RETAIN,
} satisfies Partial<dynamodb.TableProps>;

export class Storage extends Construct {
  /** Guests and their history: `pk`/`sk`, GSIs `bySponsor` and `byDue`. */
  readonly guests: dynamodb.Table;
  /** Directory snapshot: `PERSON#<huid>` and `HSR#<huid>` items. */
  readonly directory: dynamodb.Table;
  /** Powertools idempotency records (TTL `expiration`). */
  readonly idempotency: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.guests = new dynamodb.Table(this, 'GuestsTable', {
      ...common,
      partitionKey: { name: 'pk', type: S },
      sortKey: { name: 'sk', type: S },
      // Only short-lived items carry it (activation attempt counters); guests and audit events never expire.
      timeToLiveAttribute: 'expiresAt',
    });
    this.guests.addGlobalSecondaryIndex({
      indexName: GUESTS_INDEXES.bySponsor,
      partitionKey: { name: 'sponsorHuid', type: S },
      sortKey: { name: 'endDate', type: S },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    // Sparse: only guests with something due carry `dueShard`; the reconciler queries
    // `dueShard = 'DUE' AND dueAt <= :now` (never a Scan).
    this.guests.addGlobalSecondaryIndex({
      indexName: GUESTS_INDEXES.byDue,
      partitionKey: { name: 'dueShard', type: S },
      sortKey: { name: 'dueAt', type: S },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    this.directory = new dynamodb.Table(this, 'DirectoryTable', {
      ...common,
      partitionKey: { name: 'pk', type: S },
    });

    this.idempotency = new dynamodb.Table(this, 'IdempotencyTable', {
      ...common,
      partitionKey: { name: 'id', type: S },
      timeToLiveAttribute: 'expiration',
    });
  }

  /** Read/write on the guests table and its indexes; acknowledges the `index/*` wildcard this needs. */
  grantGuestsReadWrite(role: iam.IRole): void {
    this.guests.grantReadWriteData(role);
    acknowledgeWildcardResource(
      role,
      `${this.guests.tableArn}/index/*`,
      'Read/write on the guests table includes its two GSIs (bySponsor, byDue); index/* names exactly those, and a table has no other children.',
    );
  }
}
