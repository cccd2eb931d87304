/**
 * The one way this stack creates a Lambda function: Node.js 24 on arm64, ESM bundled locally with
 * esbuild (no Docker), its own log group and role (no AWS managed policies), X-Ray tracing.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from './nag.ts';

/** Repository root (where package.json and package-lock.json are). */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Lambda runtime of every function. */
export const RUNTIME = lambda.Runtime.NODEJS_24_X;

export const SERVICE_NAME = 'hms-guest-accounts';

export interface GuestFunctionProps {
  /** Handler file, relative to the repository root (e.g. `functions/api.ts`). */
  readonly entry: string;
  readonly description: string;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  readonly environment?: Record<string, string>;
}

export class GuestFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: GuestFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logs.RetentionDays.ONE_MONTH,
    });

    // An explicit role instead of AWSLambdaBasicExecutionRole: write to this function's log group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        target: 'node24',
        mainFields: ['module', 'main'],
        banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
        externalModules: ['@aws-sdk/*'],
        forceDockerBundling: false,
      },
    });

    // X-Ray: set on the function directly and granted through a separate policy, so that the
    // only wildcard-resource statement of this role is this one, acknowledged below.
    (this.fn.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: lambda.Tracing.ACTIVE };
    const xray = new iam.Policy(this, 'XRayPolicy', {
      statements: [
        new iam.PolicyStatement({
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
      ],
    });
    xray.attachToRole(this.role);
    this.fn.node.addDependency(xray);
    acknowledgeWildcardResource(
      xray,
      '*',
      'xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions; this policy holds nothing else.',
    );
  }

  /** Adds environment variables after creation (values known only once other constructs exist). */
  addEnvironment(env: Record<string, string>): void {
    for (const [k, v] of Object.entries(env)) this.fn.addEnvironment(k, v);
  }
}
