/**
 * Synthesizes the CDK stack in-process (asset bundling off: the handlers run from source here)
 * and reads from the template what the local system needs. Cached in memory per process, and on
 * disk keyed by a hash of every input of the synthesis (see `synthesisInputs`): loading aws-cdk-lib
 * and synthesizing is most of a cold start, and an unchanged source tree gives the same template.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { definitionFromTemplate } from '../infra/definition.ts';
import { RECONCILER_SCHEDULE } from '../infra/schedule-spec.ts';
import type { ScheduleSpec } from './scheduler.ts';
import { constructPath, LOCAL_ACCOUNT, LOCAL_REGION, resolve, resourcesOfType, type CfnTemplate } from './template.ts';
import type { AslDefinition } from './sfn/transform.ts';

export interface LocalDeployment {
  template: CfnTemplate;
  definition: AslDefinition;
  stateMachineArn: string;
  /** Lambda logical ID → handler module (relative to the repository root). */
  functions: Record<string, string>;
  /** The functions' environment variables, resolved to local names. */
  environment: Record<string, string>;
  schedule: ScheduleSpec;
}

/** Which handler module a function's construct path belongs to. */
const ENTRIES: [RegExp, string][] = [
  [/\/Api\//, 'functions/api.ts'],
  [/\/Lifecycle\//, 'functions/lifecycle-task.ts'],
  [/\/(Schedules|Reconciler)\//, 'functions/reconciler.ts'],
];

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** What the template depends on: the CDK app and everything it imports, its context, the CDK version. */
const INPUT_DIRS = ['infra', 'workflows', 'shared', 'functions'];
const INPUT_FILES = ['cdk.json', 'package-lock.json', 'local/synth.ts'];
const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'hms-guest-accounts');

function listFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|json)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** A hash of every input of the synthesis (paths and contents), the on-disk cache key. */
export function synthesisInputs(): string {
  const hash = createHash('sha256');
  for (const file of [...INPUT_DIRS.flatMap(listFiles), ...INPUT_FILES].sort()) hash.update(`${file}\0`).update(readFileSync(join(ROOT, file))).update('\0');
  return hash.digest('hex').slice(0, 32);
}

/** Runs the CDK app (loaded only here: aws-cdk-lib is large). No cache: `synthesizeForLocal` caches. */
export async function synthesizeTemplate(): Promise<CfnTemplate> {
  const [{ App }, { GuestAccountsStack }, { cdkJsonContext }] = await Promise.all([
    import('aws-cdk-lib'),
    import('../infra/guest-accounts-stack.ts'),
    import('../infra/stack-config.ts'),
  ]);
  // No built-in CloudFormation validation here: it runs a WASM validator over the template (about
  // 1.5 s of every local start) and adds nothing locally — `npm run synth` and test/cdk validate.
  // The feature flags of cdk.json, as the CDK CLI gives them to infra/app.ts: the same template.
  // Into a folder of its own, removed once the template is read: an App with no `outdir` leaves a
  // `cdk.outXXXXXX` folder in the temp directory on every synthesis.
  const outdir = mkdtempSync(join(tmpdir(), 'hms-guest-accounts-cdk-'));
  try {
    const app = new App({
      outdir,
      builtinCloudFormationValidation: false,
      context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true },
    });
    const stack = new GuestAccountsStack(app, 'GuestAccounts', {});
    // Read now: the artifact reads its template file lazily.
    return structuredClone(app.synth().getStackByName(stack.stackName).template) as CfnTemplate;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The template, from the disk cache when the inputs are unchanged (`cache: false` always synthesizes). */
async function localTemplate(cache: boolean): Promise<CfnTemplate> {
  const file = join(CACHE_DIR, `template-${synthesisInputs()}.json`);
  if (cache) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate;
    } catch {
      // not cached yet (or unreadable): synthesize
    }
  }
  const template = await synthesizeTemplate();
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    // Templates of earlier sources are of no use any more.
    for (const old of readdirSync(CACHE_DIR)) if (old.startsWith('template-')) rmSync(join(CACHE_DIR, old), { force: true });
    writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(template));
    renameSync(`${file}.${process.pid}.tmp`, file);
  } catch {
    // a read-only tree: synthesize every time
  }
  return template;
}

let cached: LocalDeployment | undefined;

export async function synthesizeForLocal(opts: { cache?: boolean } = {}): Promise<LocalDeployment> {
  if (cached && opts.cache !== false) return cached;
  const template = await localTemplate(opts.cache !== false);

  const synthesized = definitionFromTemplate(template as never, { region: LOCAL_REGION, account: LOCAL_ACCOUNT });
  const machines = resourcesOfType(template, 'AWS::StepFunctions::StateMachine');
  const [smId, smProps] = machines[0]!;
  const smName = String(smProps.StateMachineName ?? smId);
  const stateMachineArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${smName}`;

  const names = (logicalId: string, attribute?: string): string => {
    const type = template.Resources[logicalId]?.Type;
    if (type === 'AWS::StepFunctions::StateMachine') return attribute === 'Name' ? smName : stateMachineArn;
    if (type === 'AWS::Lambda::Function') return attribute === 'Arn' ? `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}` : logicalId;
    return logicalId; // tables, configuration sets, topics: named by logical ID locally
  };

  const functions: Record<string, string> = {};
  const environment: Record<string, string> = {};
  for (const [id, props] of resourcesOfType(template, 'AWS::Lambda::Function')) {
    const path = constructPath(template, id);
    const entry = ENTRIES.find(([re]) => re.test(path))?.[1];
    if (!entry) continue; // CDK's own helper functions (e.g. log retention) do not run locally
    functions[id] = entry;
    const vars = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(vars)) environment[k] = String(resolve(v, names));
  }
  delete environment.NODE_OPTIONS;
  environment.STATE_MACHINE_ARN = stateMachineArn;
  cached = {
    template,
    definition: synthesized.definition as unknown as AslDefinition,
    stateMachineArn,
    functions,
    environment,
    schedule: RECONCILER_SCHEDULE,
  };
  return cached;
}
