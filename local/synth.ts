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
import type { App, Stack } from 'aws-cdk-lib';
import { ENTRY_METADATA } from '../infra/function-metadata.ts';
import { stateMachinesFromTemplate, type LocalStateMachine } from './state-machines.ts';
import { constructPath, functionLogicalId, localNames, LOCAL_STACK_NAME, resolve, resourcesOfType, type CfnTemplate } from './template.ts';

export interface LocalFunction {
  readonly logicalId: string;
  /** Handler module, relative to the repository root (its `hms:entry` metadata), exporting `handler`. */
  readonly entry: string;
  /** The function's own environment variables, resolved to local names. */
  readonly environment: Readonly<Record<string, string>>;
}

export interface LocalSchedule {
  readonly logicalId: string;
  readonly expression: string;
  readonly timezone: string;
  /** Logical ID of the function the schedule invokes. */
  readonly target: string;
  /** The event it is invoked with (the target's Input, when the schedule has one). */
  readonly input?: unknown;
}

export interface LocalDeployment {
  template: CfnTemplate;
  stackName: string;
  /** Every state machine of the template. */
  stateMachines: LocalStateMachine[];
  /** Every function that has a handler here (its `hms:entry`), by logical ID. */
  functions: Record<string, LocalFunction>;
  /** The function the HTTP API integrates, if the template has an HTTP API. */
  apiFunction: string | undefined;
  /** Every EventBridge Scheduler schedule that invokes a function. */
  schedules: LocalSchedule[];
  /**
   * The environment the local process runs the handlers with: every function's variables. The
   * handlers share one process (and one configuration), so two functions giving one variable
   * different values cannot run locally, and are refused.
   */
  environment: Record<string, string>;
}

/** Builds the stack to synthesize into an app. */
export type StackFactory = (app: App) => Stack;

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

/** The stack `npm start` runs: the app's own, GuestAccountsStack. */
const guestAccounts = async (): Promise<StackFactory> => {
  const { GuestAccountsStack } = await import('../infra/guest-accounts-stack.ts');
  return (app) => new GuestAccountsStack(app, LOCAL_STACK_NAME, {});
};

/** Runs the CDK app (loaded only here: aws-cdk-lib is large). No cache: `synthesizeForLocal` caches. */
async function synthesize(build?: StackFactory): Promise<{ template: CfnTemplate; stackName: string }> {
  const [{ App }, { cdkJsonContext }, factory] = await Promise.all([import('aws-cdk-lib'), import('../infra/stack-config.ts'), build ?? guestAccounts()]);
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
    const stack = factory(app);
    // Read now: the artifact reads its template file lazily.
    const template = structuredClone(app.synth().getStackByName(stack.stackName).template) as CfnTemplate;
    return { template, stackName: stack.stackName };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The template of the app's stack (or of the stack `build` makes), synthesized now. */
export async function synthesizeTemplate(build?: StackFactory): Promise<CfnTemplate> {
  return (await synthesize(build)).template;
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
  const { template } = await synthesize();
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

/**
 * What the local system runs, from the synthesized template: the app's stack (cached in memory
 * and on disk), or the stack `stack` builds (tests: synthesized every time, never cached).
 */
export async function synthesizeForLocal(opts: { cache?: boolean; stack?: StackFactory } = {}): Promise<LocalDeployment> {
  if (opts.stack) {
    const { template, stackName } = await synthesize(opts.stack);
    return deploymentFromTemplate(template, stackName);
  }
  if (cached && opts.cache !== false) return cached;
  cached = deploymentFromTemplate(await localTemplate(opts.cache !== false), LOCAL_STACK_NAME);
  return cached;
}

/** Reads from a template what the local system runs: state machines, functions and their handlers, the API's function, schedules. */
export function deploymentFromTemplate(template: CfnTemplate, stackName: string = LOCAL_STACK_NAME): LocalDeployment {
  const names = localNames(template, stackName);
  const stateMachines = stateMachinesFromTemplate(template, names);

  const functions: Record<string, LocalFunction> = {};
  for (const [logicalId, props] of resourcesOfType(template, 'AWS::Lambda::Function')) {
    const entry = template.Resources[logicalId]?.Metadata?.[ENTRY_METADATA];
    if (typeof entry !== 'string') continue; // CDK's own helper functions (e.g. log retention) do not run locally
    const vars = (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const environment = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(resolve(v, names))]));
    delete environment.NODE_OPTIONS;
    functions[logicalId] = { logicalId, entry, environment };
  }
  const handled = (logicalId: string, by: string): string => {
    if (!functions[logicalId]) throw new Error(`${by} invokes ${constructPath(template, logicalId)}, which has no ${ENTRY_METADATA} metadata: create it with GuestFunction (infra/functions.ts)`);
    return logicalId;
  };
  for (const machine of stateMachines) for (const fn of machine.functions) handled(fn, `The state machine ${machine.name}`);

  const apiFunctions = new Set(
    resourcesOfType(template, 'AWS::ApiGatewayV2::Integration')
      .map(([, p]) => functionLogicalId(String(resolve(p.IntegrationUri, names))))
      .filter((id): id is string => id !== undefined),
  );
  if (apiFunctions.size > 1) throw new Error(`The local API gateway serves one function; the HTTP API integrates ${[...apiFunctions].join(', ')}`);
  const [apiFunction] = [...apiFunctions].map((id) => handled(id, 'The HTTP API'));

  const schedules = resourcesOfType(template, 'AWS::Scheduler::Schedule').flatMap(([logicalId, p]): LocalSchedule[] => {
    const target = p.Target as { Arn?: unknown; Input?: unknown } | undefined;
    const fn = target?.Arn === undefined ? undefined : functionLogicalId(String(resolve(target.Arn, names)));
    if (!fn) return [];
    return [
      {
        logicalId,
        expression: String(p.ScheduleExpression),
        timezone: String(p.ScheduleExpressionTimezone ?? 'UTC'),
        target: handled(fn, `The schedule ${logicalId}`),
        ...(target?.Input !== undefined ? { input: JSON.parse(String(resolve(target.Input, names))) as unknown } : {}),
      },
    ];
  });

  return { template, stackName, stateMachines, functions, apiFunction, schedules, environment: processEnvironment(template, functions) };
}

/** Every function's variables together; one variable with two values is refused, naming both functions. */
function processEnvironment(template: CfnTemplate, functions: Record<string, LocalFunction>): Record<string, string> {
  const environment: Record<string, string> = {};
  const setBy: Record<string, string> = {};
  for (const fn of Object.values(functions)) {
    for (const [name, value] of Object.entries(fn.environment)) {
      if (name in environment && environment[name] !== value) {
        throw new Error(
          `${constructPath(template, setBy[name]!)} and ${constructPath(template, fn.logicalId)} set ${name} differently; the local system runs every handler in one process, with one environment`,
        );
      }
      environment[name] = value;
      setBy[name] ??= fn.logicalId;
    }
  }
  return environment;
}
