/** DynamoDB: guests (with their history), labs and O2 accounts (with theirs), the people/HSR directory, and Powertools idempotency records. */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GUESTS_INDEXES, type GuestsIndex } from '../shared/guest/adapters/guests-table.ts';
import { O2_INDEXES, type O2Index } from '../shared/o2/adapters/o2-table.ts';
import type { GuestFunction } from './functions.ts';

/** The indexes the repository queries, declared once in shared/guest/adapters/guests-table.ts (names, keys). */
export { GUESTS_INDEXES, type GuestsIndex, O2_INDEXES, type O2Index };

/**
 * What a function may do to items of the guests table. No Scan, no DeleteItem, no batch or
 * transactional writes: nothing in the code issues them. IAM cannot restrict a PutItem to new
 * items, so audit items are kept immutable by the code (`attribute_not_exists(pk)` on every audit
 * write, shared/guest/adapters/dynamo-guests.ts) and tested (test/security/audit-immutable.test.ts).
 */
export type GuestsTableAction = 'dynamodb:GetItem' | 'dynamodb:BatchGetItem' | 'dynamodb:PutItem' | 'dynamodb:UpdateItem' | 'dynamodb:Query';

/**
 * What a function may do to items of the O2 table (labs, O2 accounts, their audit events, uid
 * number reservations, user claims): as for guests, no Scan, no DeleteItem, no batch or
 * transactional call; Query on the table itself only for a record's history (its partition).
 */
export type O2TableAction = 'dynamodb:GetItem' | 'dynamodb:PutItem' | 'dynamodb:Query';

/** What a function may do to the directory table: GetItem, the only call DynamoDirectory makes at run time. */
export type DirectoryTableAction = 'dynamodb:GetItem';

/** What Powertools idempotency (DynamoDBPersistenceLayer) calls on its table, as its documentation lists. */
export const IDEMPOTENCY_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

const S = dynamodb.AttributeType.STRING;

/** Settings every table shares: on-demand, PITR, deletion protection, encrypted, never deleted with the stack. */
export const TABLE_DEFAULTS = {
  billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  deletionProtection: true,
  encryption: dynamodb.TableEncryption.AWS_MANAGED,
  removalPolicy: RemovalPolicy.RETAIN,
} satisfies Partial<dynamodb.TableProps>;

export class Storage extends Construct {
  /** Guests and their history: `pk`/`sk`, GSIs `bySponsor`, `byDue`, `byStatus`, `byFailure` (GUESTS_INDEXES). */
  readonly guests: dynamodb.Table;
  /** Labs and O2 accounts and their history (issue 14): `pk`/`sk`, GSIs `byPi`, `byUser`, `byQueue`, `byLab`, `byWord`, `byDue` (O2_INDEXES). */
  readonly o2: dynamodb.Table;
  /** Directory snapshot: `PERSON#<huid>` and `HSR#<huid>` items. */
  readonly directory: dynamodb.Table;
  /** Powertools idempotency records (TTL `expiration`). */
  readonly idempotency: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.guests = new dynamodb.Table(this, 'GuestsTable', {
      ...TABLE_DEFAULTS,
      partitionKey: { name: 'pk', type: S },
      sortKey: { name: 'sk', type: S },
      // Only short-lived items carry it (activation attempt counters); guests and audit events never expire.
      timeToLiveAttribute: 'expiresAt',
    });
    // bySponsor: a sponsor's (or a delegate's sponsors') guests by end date. byDue: sparse, only
    // guests with something due carry `dueShard`; the reconciler queries `dueShard = 'DUE' AND
    // dueAt <= :now`. byStatus: every guest by status and end date (HMS IT's list). byFailure:
    // sparse, guests with a recorded failure. Never a Scan.
    for (const index of Object.values(GUESTS_INDEXES)) {
      this.guests.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: S },
        sortKey: { name: index.sortKey, type: S },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    // Labs and O2 accounts: every index of shared/o2/adapters/o2-table.ts, created with the table (a new
    // table may have several at once). byDue is sparse, as the guests': the reconciler reads only
    // O2 accounts with work due. Never a Scan.
    this.o2 = new dynamodb.Table(this, 'O2Table', {
      ...TABLE_DEFAULTS,
      partitionKey: { name: 'pk', type: S },
      sortKey: { name: 'sk', type: S },
    });
    for (const index of Object.values(O2_INDEXES)) {
      this.o2.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: S },
        sortKey: { name: index.sortKey, type: S },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    this.directory = new dynamodb.Table(this, 'DirectoryTable', {
      ...TABLE_DEFAULTS,
      partitionKey: { name: 'pk', type: S },
    });

    this.idempotency = new dynamodb.Table(this, 'IdempotencyTable', {
      ...TABLE_DEFAULTS,
      partitionKey: { name: 'id', type: S },
      timeToLiveAttribute: 'expiration',
    });
  }

  /** Exactly these item actions on the guests table (not its indexes), and the table's name (GUESTS_TABLE). */
  bindGuests(fn: GuestFunction, actions: readonly GuestsTableAction[]): iam.Grant {
    fn.configure({ guestsTable: this.guests.tableName });
    return this.grantGuests(fn.role, actions);
  }

  /** Query on one index of the guests table (its exact ARN), and the table's name (GUESTS_TABLE). */
  bindGuestsIndexQuery(fn: GuestFunction, index: GuestsIndex): iam.Grant {
    fn.configure({ guestsTable: this.guests.tableName });
    return this.grantGuestsIndexQuery(fn.role, index);
  }

  /** Exactly these item actions on the O2 table (not its indexes), and the table's name (O2_TABLE). */
  bindO2(fn: GuestFunction, actions: readonly O2TableAction[]): iam.Grant {
    fn.configure({ o2Table: this.o2.tableName });
    return iam.Grant.addToPrincipal({ grantee: fn.role, actions: [...new Set(actions)], resourceArns: [this.o2.tableArn] });
  }

  /** Query on one index of the O2 table (its exact ARN, no `index/*`), and the table's name (O2_TABLE). */
  bindO2IndexQuery(fn: GuestFunction, index: O2Index): iam.Grant {
    fn.configure({ o2Table: this.o2.tableName });
    return iam.Grant.addToPrincipal({ grantee: fn.role, actions: ['dynamodb:Query'], resourceArns: [this.o2IndexArn(index)] });
  }

  /** `arn:...:table/<o2>/index/<name>` */
  o2IndexArn(index: O2Index): string {
    return `${this.o2.tableArn}/index/${O2_INDEXES[index].name}`;
  }

  /**
   * The directory table's name (DIRECTORY_TABLE) and exactly these actions on it: reading people
   * and HSR records one by one (`dynamodb:GetItem`), or none for a function that loads the whole
   * configuration but never reads the directory.
   */
  bindDirectory(fn: GuestFunction, actions: readonly DirectoryTableAction[]): iam.Grant | undefined {
    fn.configure({ directoryTable: this.directory.tableName });
    return actions.length ? iam.Grant.addToPrincipal({ grantee: fn.role, actions: [...new Set(actions)], resourceArns: [this.directory.tableArn] }) : undefined;
  }

  /** What Powertools idempotency needs on its table, and the table's name (IDEMPOTENCY_TABLE). */
  bindIdempotency(fn: GuestFunction): iam.Grant {
    fn.configure({ idempotencyTable: this.idempotency.tableName });
    return this.grantIdempotency(fn.role);
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
    return `${this.guests.tableArn}/index/${GUESTS_INDEXES[index].name}`;
  }

  /** What Powertools idempotency needs on its own table, nothing else. */
  grantIdempotency(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: [...IDEMPOTENCY_ACTIONS], resourceArns: [this.idempotency.tableArn] });
  }
}
