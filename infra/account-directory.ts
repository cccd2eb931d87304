/**
 * The HMS account directory, as the stack knows it: its SCIM 2.0 endpoint (CDK context
 * `scimEndpoint`) and the secret holding its bearer token, which HMS IT puts there (SECURITY.md:
 * the token's scope and rotation). The functions that call the directory — the lifecycle tasks,
 * the API (activation, and its changes of an account), the reconciler (drift repair) — are bound to
 * it: read access to that one secret, and the variables naming the endpoint and the secret.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { GuestFunction } from './functions.ts';
import { acknowledge } from './nag.ts';

export interface AccountDirectoryProps {
  /** The SCIM base URL (https). */
  readonly endpoint: string;
  /** Where guests set their password, for a directory that takes no password writes. */
  readonly setPasswordUrl?: string | undefined;
}

export class AccountDirectory extends Construct {
  /** The directory's bearer token (the secret string, or JSON `{"token": "..."}`). */
  readonly tokenSecret: secretsmanager.Secret;
  readonly endpoint: string;
  private readonly setPasswordUrl: string | undefined;

  constructor(scope: Construct, id: string, props: AccountDirectoryProps) {
    super(scope, id);
    this.endpoint = props.endpoint;
    this.setPasswordUrl = props.setPasswordUrl;
    this.tokenSecret = new secretsmanager.Secret(this, 'ScimToken', {
      description:
        'Bearer token of the HMS account directory (SCIM 2.0) for the guest accounts system: Users and Groups of guests only. HMS IT puts the token the directory issued here, and a new one at each rotation.',
      // A token HMS IT put here is not thrown away with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.tokenSecret,
      'AwsSolutions-SMG4',
      'The token is issued by the HMS account directory, not by AWS: no rotation Lambda can make one. HMS IT rotates it in the directory and puts the new one here (SECURITY.md, "The account directory"); the functions read it again when the directory refuses the old one.',
    );
  }

  /** Read access to the token's secret (GetSecretValue, DescribeSecret on that secret only), and the variables naming it and the endpoint. */
  bindAccess(fn: GuestFunction): iam.Grant {
    fn.configure({ scimEndpoint: this.endpoint, scimTokenSecret: this.tokenSecret.secretArn, setPasswordUrl: this.setPasswordUrl });
    return this.tokenSecret.grantRead(fn.role);
  }
}
