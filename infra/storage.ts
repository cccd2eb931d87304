/** DynamoDB: guests (with their history), the people/HSR directory, and Powertools idempotency records. */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Index names the repository queries (shared/adapters/dynamo-guests.ts). */
export const GUESTS_INDEXES = { bySponsor: 'bySponsor', byDue: 'byDue' } as const;
export type GuestsIndex = keyof typeof GUESTS_INDEXES;

/**
 * What a function may do to items of the guests table. No Scan, no DeleteItem, no batch or
 * transactional writes: nothing in the code issues them. IAM cannot restrict a PutItem to new
 * items, so audit items are kept immutable by the code (`attribute_not_exists(pk)` on every audit
 * write, shared/adapters/dynamo-guests.ts) and tested (test/security/audit-immutable.test.ts).
 */
export type GuestsTableAction = 'dynamodb:GetItem' | 'dynamodb:BatchGetItem' | 'dynamodb:PutItem' | 'dynamodb:UpdateItem' | 'dynamodb:Query';

/** What Powertools idempotency (DynamoDBPersistenceLayer) calls on its table, as its documentation lists. */
export const IDEMPOTENCY_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

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

  /** Exactly these item actions on the guests table itself (not its indexes). */
  grantGuests(grantee: iam.IGrantable, actions: readonly GuestsTableAction[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: [...new Set(actions)], resourceArns: [this.guests.tableArn] });
  }

  /** Query on one index of the guests table, named by its exact ARN (no `index/*` wildcard). */
  grantGuestsIndexQuery(grantee: iam.IGrantable, index: GuestsIndex): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:Query'], resourceArns: [this.guestsIndexArn(index)] });
  }

  /** `arn:...:table/<guests>/index/<name>` */
  guestsIndexArn(index: GuestsIndex): string {
    return `${this.guests.tableArn}/index/${GUESTS_INDEXES[index]}`;
  }

  /** Reading people and HSR records one by one (GetItem: the only call DynamoDirectory makes at run time). */
  grantDirectoryRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:GetItem'], resourceArns: [this.directory.tableArn] });
  }

  /** What Powertools idempotency needs on its own table, nothing else. */
  grantIdempotency(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: [...IDEMPOTENCY_ACTIONS], resourceArns: [this.idempotency.tableArn] });
  }
}
