/**
 * The whole system on one machine: dynalite, aws-ses-v2-local, the local Step Functions service
 * running the synthesized definition, the local API Gateway, the local scheduler, and one clock.
 * Handlers are the deployed modules, configured by environment variables taken from the template.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve as resolvePath } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { useClock } from '../shared/adapters/system.ts';
import { DynamoDirectory, type DirectorySeed } from '../shared/adapters/directories.ts';
import { setRuntimeDeps } from '../functions/runtime.ts';
import { LocalClock } from './clock.ts';
import { startDynalite, ensureTables, tablesFromTemplate } from './dynamo.ts';
import { startMailbox } from './mailbox.ts';
import { FaultInjector, type FaultRule } from './faults.ts';
import { LocalStepFunctions } from './sfn/service.ts';
import { createSfnServer } from './sfn/http.ts';
import { createApiServer, lambdaContext, type ApiHandler } from './api-server.ts';
import { LocalIdentityProvider } from './identity.ts';
import { LocalScheduler } from './scheduler.ts';
import { localEndpoints } from './endpoints.ts';
import { synthesizeForLocal, type LocalDeployment } from './synth.ts';
import { LOCAL_REGION } from './template.ts';
import { SAMPLE_DIRECTORY } from './sample-data.ts';

export interface LocalSystemOptions {
  apiPort?: number;
  mailPort?: number;
  dataDir: string;
  seed?: DirectorySeed | undefined;
  /** Start a frozen clock at this instant. */
  clock?: string | undefined;
  reset?: boolean;
  log?: (line: string) => void;
  /**
   * Fault injection (local/faults.ts): the handlers reach DynamoDB and SES through proxies that fail
   * requests as the rules say. An injector, or a seed and rules for a new one. The system's own
   * setup (tables, directory seed) and the mailbox's GET /store go around the proxies.
   */
  faults?: FaultInjector | { seed: number; rules?: FaultRule[] } | undefined;
}

export interface LocalSystem {
  apiUrl: string;
  mailUrl: string;
  openApiUrl: string;
  clock: LocalClock;
  sfn: LocalStepFunctions;
  idp: LocalIdentityProvider;
  scheduler: LocalScheduler;
  deployment: LocalDeployment;
  /** The fault injector, when started with `faults`. */
  faults: FaultInjector | undefined;
  startupMs: number;
  stop(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}

/** A concrete port: the one asked for, or a free one for 0. */
async function reservePort(port: number): Promise<number> {
  if (port !== 0) return port;
  const { createServer } = await import('node:net');
  const probe = createServer();
  const free = await new Promise<number>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const a = probe.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });
  await new Promise((r) => probe.close(r));
  return free;
}

const close = (s: Server) => new Promise<void>((r) => { s.closeAllConnections?.(); s.close(() => r()); });

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export async function startLocalSystem(opts: LocalSystemOptions): Promise<LocalSystem> {
  const t0 = performance.now();
  const dataDir = resolvePath(opts.dataDir);
  if (opts.reset) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const log = opts.log ?? (() => undefined);

  // One clock. A frozen clock's position is kept in the data directory across restarts.
  const clockFile = join(dataDir, 'clock.json');
  const saved = existsSync(clockFile) ? (JSON.parse(readFileSync(clockFile, 'utf8')) as { now: string; frozen: boolean }) : undefined;
  const clock = opts.clock ? new LocalClock(new Date(opts.clock), true) : saved?.frozen ? new LocalClock(new Date(saved.now), true) : new LocalClock();
  // Written whole or not at all (a kill mid-write must not leave a truncated file behind).
  const saveClock = () => {
    writeFileSync(`${clockFile}.tmp`, JSON.stringify({ now: clock.now().toISOString(), frozen: clock.frozen }));
    renameSync(`${clockFile}.tmp`, clockFile);
  };
  saveClock();
  useClock(clock);

  const deployment = await synthesizeForLocal();

  // DynamoDB
  const dynamo = await startDynalite({ path: join(dataDir, 'dynamodb') });
  // SES
  const mailbox = await startMailbox({ port: opts.mailPort ?? 8005, dataDir });
  const mailAddress = mailbox.address();
  const mailUrl = `http://127.0.0.1:${typeof mailAddress === 'object' && mailAddress ? mailAddress.port : opts.mailPort}`;
  // Faults: proxies in front of both, for the handlers only.
  const faults = opts.faults instanceof FaultInjector ? opts.faults : opts.faults ? new FaultInjector(opts.faults.seed, opts.faults.rules) : undefined;
  const dynamoForHandlers = faults ? (await faults.proxy('dynamodb', dynamo.endpoint)).endpoint : dynamo.endpoint;
  const sesForHandlers = faults ? (await faults.proxy('ses', mailUrl)).endpoint : mailUrl;

  // Environment of the deployed functions, with the SDK pointed at the local services.
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoForHandlers,
    AWS_ENDPOINT_URL_SES: sesForHandlers,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    ...deployment.environment,
  });

  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTables(client, tablesFromTemplate(deployment.template));
  const directory = new DynamoDirectory(client, deployment.environment.DIRECTORY_TABLE!);
  if (opts.seed) await directory.load(opts.seed);
  else if (!(await directory.person(SAMPLE_DIRECTORY.people[0]!.huid))) await directory.load(SAMPLE_DIRECTORY);

  // Handlers: the deployed modules.
  const modules = Object.fromEntries(
    await Promise.all(Object.entries(deployment.functions).map(async ([logicalId, entry]) => [logicalId, ((await import(/* @vite-ignore */ `../${entry}`)) as { handler: Handler }).handler] as const)),
  ) as Record<string, Handler>;
  const byEntry = (entry: string) => modules[Object.entries(deployment.functions).find(([, e]) => e === entry)![0]]!;
  setRuntimeDeps(undefined);

  // Step Functions
  const sfn = new LocalStepFunctions({
    stateMachineArn: deployment.stateMachineArn,
    definition: deployment.definition,
    clock,
    dataDir,
    invoke: async (functionArn, payload) => {
      const logicalId = functionArn.split(':').pop()!;
      const handler = modules[logicalId];
      if (!handler) throw new Error(`No local handler for ${functionArn}`);
      return handler(payload, lambdaContext(logicalId));
    },
  });
  const sfnServer = createSfnServer(sfn, (fn) => clock.track(fn));
  const sfnPort = await listen(sfnServer, 0);
  process.env.AWS_ENDPOINT_URL_SFN = `http://127.0.0.1:${sfnPort}`;

  // API Gateway and the local identity provider
  const apiPort = await reservePort(opts.apiPort ?? 3000);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const idp = await LocalIdentityProvider.create({ issuer: `${apiUrl.replace('127.0.0.1', 'localhost')}/_local/idp`, dataDir, clock });
  const scheduler = new LocalScheduler(clock, deployment.schedule, () => byEntry('functions/reconciler.ts')({ source: 'local.scheduler' }, lambdaContext('reconciler')));
  const apiServer = createApiServer({
    handler: byEntry('functions/api.ts') as ApiHandler,
    idp,
    clock,
    log,
    local: localEndpoints({ clock, idp, sfn, scheduler, onClockMoved: saveClock }),
  });
  await listen(apiServer, apiPort);

  scheduler.start();
  const resumed = sfn.restore();
  if (resumed) log(`resumed ${resumed} executions`);
  await clock.idle();

  return {
    apiUrl,
    mailUrl,
    openApiUrl: `${apiUrl}/openapi.json`,
    clock,
    sfn,
    idp,
    scheduler,
    deployment,
    faults,
    startupMs: performance.now() - t0,
    async stop() {
      scheduler.stop();
      sfn.shutdown();
      await close(apiServer);
      // Let handler invocations already under way finish before their services go away.
      await Promise.race([clock.idle(), new Promise((r) => setTimeout(r, 5000).unref())]);
      clock.dispose();
      await faults?.close();
      await Promise.all([close(sfnServer), close(mailbox), close(dynamo.server)]);
      client.destroy();
    },
  };
}
