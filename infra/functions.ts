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
import { ENV, REQUIRED_CONFIG, type ConfigKey } from '../shared/config.ts';
import { ENTRY_METADATA } from './function-metadata.ts';
import { BUNDLE } from './bundling.ts';
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
  /** Variables that are not configuration of shared/config.ts (those are set with `configure` or a construct's `bind…`). */
  readonly environment?: Record<string, string>;
  /**
   * Configuration the handler cannot start without: synthesis fails, naming each one that no
   * `bind…` or `configure` has set. @default REQUIRED_CONFIG (every handler in functions/ loads
   * the whole configuration)
   */
  readonly requiredConfig?: readonly ConfigKey[];
}

export class GuestFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  private readonly config = new Map<ConfigKey, string>();

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
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        minify: BUNDLE.minify,
        sourceMap: BUNDLE.sourcemap,
        target: BUNDLE.target,
        mainFields: [...BUNDLE.mainFields],
        banner: BUNDLE.banner,
        externalModules: [...BUNDLE.external],
        forceDockerBundling: false,
      },
    });

    // X-Ray: set on the function directly and granted through a separate policy, so that the
    // only wildcard-resource statement of this role is this one, acknowledged below.
    const cfn = this.fn.node.defaultChild as lambda.CfnFunction;
    cfn.tracingConfig = { mode: lambda.Tracing.ACTIVE };
    // Which module to run for this function where there is no bundle (the local system).
    cfn.addMetadata(ENTRY_METADATA, props.entry);
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

    const required = props.requiredConfig ?? REQUIRED_CONFIG;
    this.node.addValidation({
      validate: () =>
        required
          .filter((key) => !this.config.has(key))
          .map((key) => `${this.node.path}: ${ENV[key]} is not set (the handler cannot start without it): bind the resource it names, or configure it`),
    });
  }

  /**
   * Sets configuration read by shared/config.ts, by key: the variable's name is ENV's. The same key
   * set twice must have the same value (two bindings naming different resources is a mistake).
   * Undefined values are left out (optional settings).
   */
  configure(values: Partial<Record<ConfigKey, string | undefined>>): void {
    for (const [key, value] of Object.entries(values) as [ConfigKey, string | undefined][]) {
      if (value === undefined) continue;
      const current = this.config.get(key);
      if (current !== undefined && current !== value) throw new Error(`${this.node.path}: ${ENV[key]} is already set to another value`);
      this.config.set(key, value);
      this.fn.addEnvironment(ENV[key], value);
    }
  }
}
