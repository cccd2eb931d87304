/**
 * The whole system on one machine: dynalite, aws-ses-v2-local, the local Step Functions service
 * running every synthesized state machine, the local API Gateway, the local scheduler, and one
 * clock. What runs is what the template holds: each function's handler module (its `hms:entry`),
 * its environment, its state machines and schedules (local/synth.ts).
 */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { useClock } from '../shared/adapters/system.ts';
import { DynamoDirectory, type DirectorySeed } from '../shared/adapters/directories.ts';
import { setRuntimeDeps } from '../functions/runtime.ts';
import { LocalClock } from './clock.ts';
import { checkDynamoStore, openDataDir, readDataFile, RESET_FIX } from './data-dir.ts';
import { checkPort, portError, StartupError } from './startup-error.ts';
import { startDynalite, ensureTables, tablesFromTemplate } from './dynamo.ts';
import { guardHost } from './host-guard.ts';
import { startMailbox } from './mailbox.ts';
import { FaultInjector, type FaultRule } from './faults.ts';
import { LocalStepFunctions } from './sfn/service.ts';
import { createSfnServer } from './sfn/http.ts';
import { createApiServer, lambdaContext, type ApiHandler } from './api-server.ts';
import { IDP_KEY_FILE, IDP_PATH, LocalIdentityProvider } from './identity.ts';
import { LocalScheduler } from './scheduler.ts';
import { startScimServer, type ScimServer } from './scim/server.ts';
import { ensureHmsAccounts } from './scim/store.ts';
import { createSecretsServer, localScimToken } from './secrets.ts';
import { localEndpoints } from './endpoints.ts';
import { builtPages, localSite } from './web.ts';
import { ENV } from '../shared/config.ts';
import { synthesizeForLocal, type LocalDeployment, type StackFactory } from './synth.ts';
import { originHeadersFromTemplate } from './edge.ts';
import { functionLogicalId, LOCAL_REGION } from './template.ts';
import { SAMPLE_DIRECTORY } from './sample-data.ts';
import type { Person } from '../shared/core/domain/people.ts';

export interface LocalSystemOptions {
  apiPort?: number;
  mailPort?: number;
  /** The embedded SCIM 2.0 server's port (the account directory; default 8006, 0 picks a free one). */
  scimPort?: number;
  dataDir: string;
  seed?: DirectorySeed | undefined;
  /** Start a frozen clock at this instant. */
  clock?: string | undefined;
  reset?: boolean;
  /** SES's maximum send rate (`--ses-rate`): the mailbox refuses what passes it, and the functions' limiter keeps to it; without it the limiter allows 1000 a second. */
  sesRate?: number | undefined;
  log?: (line: string) => void;
  /** Warnings (damage repaired or set aside, a stale lock taken over); stderr if not given. */
  warn?: (line: string) => void;
  /**
   * Fault injection (local/faults.ts): the handlers reach DynamoDB and SES through proxies that fail
   * requests as the rules say. An injector, or a seed and rules for a new one. The system's own
   * setup (tables, directory seed) and the mailbox's GET /store go around the proxies.
   */
  faults?: FaultInjector | { seed: number; rules?: FaultRule[] } | undefined;
  /** The stack to run (tests): the app's own GuestAccountsStack when not given. */
  stack?: StackFactory | undefined;
  /** Serve the pages (web/) at `/` on the API's port, built when their sources changed (local/web.ts); true when not given. */
  pages?: boolean | undefined;
}

export interface LocalSystem {
  apiUrl: string;
  /** The pages (`/` on the API's port), where the emails link; undefined when they are not served (`pages: false`, or their build failed). */
  pagesUrl: string | undefined;
  mailUrl: string;
  /** The account directory's read-only page (`/` of the SCIM server). */
  scimUrl: string;
  /** Its SCIM 2.0 API (bearer token in the data directory, `scim-token`). */
  scimApiUrl: string;
  scim: ScimServer;
  openApiUrl: string;
  clock: LocalClock;
  /** Where the clock came from: the --clock flag, the data directory (the last run's), or real time. */
  clockOrigin: 'flag' | 'kept' | 'real';
  /** The data directory, absolute. */
  dataDir: string;
  sfn: LocalStepFunctions;
  idp: LocalIdentityProvider;
  /** One per schedule of the template. */
  schedulers: LocalScheduler[];
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

/** clock.json: the clock's position when it was last moved (a frozen clock) or how far ahead of real time it runs. */
interface SavedClock {
  now: string;
  frozen: boolean;
  aheadMs?: number;
}
const isSavedClock = (v: unknown): v is SavedClock => {
  const c = v as Partial<SavedClock> | null;
  return typeof c === 'object' && c !== null && typeof c.now === 'string' && !Number.isNaN(Date.parse(c.now)) && typeof c.frozen === 'boolean' && (c.aheadMs === undefined || typeof c.aheadMs === 'number');
};

/** Every person of the directory table (the local sign-in page lists them): a scan, fine locally. */
async function scanPeople(client: DynamoDBClient, table: string): Promise<Person[]> {
  const doc = DynamoDBDocumentClient.from(client);
  const people: Person[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new ScanCommand({ TableName: table, FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': 'PERSON#' }, ExclusiveStartKey: start }));
    for (const { pk: _pk, ...person } of out.Items ?? []) people.push(person as Person);
    start = out.LastEvaluatedKey;
  } while (start);
  return people;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/**
 * Starts everything, or nothing: a port another program holds, a data directory another local
 * system uses or a damaged file in it is a StartupError (what to change, in one line), and what
 * had been started by then is stopped again.
 */
export async function startLocalSystem(opts: LocalSystemOptions): Promise<LocalSystem> {
  const t0 = performance.now();
  const log = opts.log ?? (() => undefined);
  const warn = opts.warn ?? ((line: string) => process.stderr.write(`warning: ${line}\n`));
  const wantedApiPort = opts.apiPort ?? 3000;
  const wantedMailPort = opts.mailPort ?? 8005;
  // Every port before anything else: another program on one is found out before the rest starts.
  await checkPort(wantedApiPort, '--api-port');
  await checkPort(wantedMailPort, '--mail-port');
  await checkPort(opts.scimPort ?? 8006, '--scim-port');
  const data = openDataDir(opts.dataDir, { reset: opts.reset, warn });
  const undo: (() => unknown)[] = [() => data.release()];
  try {
    return await start(opts, data.path, t0, log, warn, wantedApiPort, wantedMailPort, undo);
  } catch (err) {
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch {
        // stopping what had started: the first error is the one to report
      }
    }
    throw err;
  }
}

async function start(
  opts: LocalSystemOptions,
  dataDir: string,
  t0: number,
  log: (line: string) => void,
  warn: (line: string) => void,
  wantedApiPort: number,
  wantedMailPort: number,
  /** What to stop, in reverse, if starting fails; its first step releases the data directory. */
  undo: (() => unknown)[],
): Promise<LocalSystem> {
  // One clock, kept in the data directory across restarts: a frozen clock where it was last moved,
  // a real-time clock as far ahead as it was moved. --clock sets a frozen clock anew.
  const clockFile = join(dataDir, 'clock.json');
  const saved = opts.clock ? undefined : readDataFile(clockFile, `start with --clock ISO to set the clock anew, or ${RESET_FIX}`, isSavedClock);
  const clock = opts.clock
    ? new LocalClock(new Date(opts.clock), true)
    : saved?.frozen
      ? new LocalClock(new Date(saved.now), true)
      : new LocalClock(undefined, false, saved?.aheadMs ?? 0);
  const clockOrigin = opts.clock ? 'flag' : saved?.frozen || clock.aheadMs > 0 ? 'kept' : 'real';
  // Written whole or not at all (a kill mid-write must not leave a truncated file behind).
  const saveClock = () => {
    writeFileSync(`${clockFile}.tmp`, JSON.stringify({ now: clock.now().toISOString(), frozen: clock.frozen, ...(clock.frozen ? {} : { aheadMs: clock.aheadMs }) }));
    renameSync(`${clockFile}.tmp`, clockFile);
  };
  saveClock();
  useClock(clock);
  undo.push(() => clock.dispose());

  // The pages build (when their sources changed) in a process of their own, beside the synthesis.
  const pagesDir = opts.pages === false ? Promise.resolve(undefined) : builtPages({ log }).catch((err: unknown) => (warn(`the pages are not served: ${(err as Error).message}`), undefined));
  const deployment = await synthesizeForLocal({ stack: opts.stack });
  const apiFunction = deployment.apiFunction;
  if (!apiFunction) throw new Error('The template has no HTTP API integrated with a function: the local gateway has nothing to serve');

  // DynamoDB: its store read through first (dynalite would fail on a damaged one only later, uncaught).
  const dynamoPath = join(dataDir, 'dynamodb');
  await checkDynamoStore(dynamoPath);
  const dynamo = await startDynalite({ path: dynamoPath });
  guardHost(dynamo.server);
  undo.push(() => close(dynamo.server));
  // SES
  let mailbox: Server;
  try {
    mailbox = await startMailbox({ port: wantedMailPort, dataDir, warn, rate: opts.sesRate });
  } catch (err) {
    throw portError(err, '--mail-port', wantedMailPort);
  }
  guardHost(mailbox);
  undo.push(() => close(mailbox));
  const mailAddress = mailbox.address();
  const mailUrl = `http://127.0.0.1:${typeof mailAddress === 'object' && mailAddress ? mailAddress.port : wantedMailPort}`;
  // The account directory: the embedded SCIM server, its bearer token in the data directory.
  const scimToken = localScimToken(dataDir);
  let scim: ScimServer;
  try {
    scim = await startScimServer(opts.scimPort ?? 8006, { token: scimToken, clock, dataDir });
  } catch (err) {
    throw portError(err, '--scim-port', opts.scimPort ?? 8006);
  }
  guardHost(scim.server);
  undo.push(() => close(scim.server));
  // Faults: proxies in front of both, for the handlers only.
  const faults = opts.faults instanceof FaultInjector ? opts.faults : opts.faults ? new FaultInjector(opts.faults.seed, opts.faults.rules) : undefined;
  if (faults) undo.push(() => faults.close());
  const dynamoForHandlers = faults ? (await faults.proxy('dynamodb', dynamo.endpoint)).endpoint : dynamo.endpoint;
  const sesForHandlers = faults ? (await faults.proxy('ses', mailUrl)).endpoint : mailUrl;
  const scimForHandlers = faults ? `${(await faults.proxy('scim', scim.url)).endpoint}${new URL(scim.scimUrl).pathname}` : scim.scimUrl;

  // Environment of the deployed functions, with the SDK pointed at the local services.
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoForHandlers,
    AWS_ENDPOINT_URL_SES: sesForHandlers,
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    ...deployment.environment,
    // The account's send rate is HMS's setting, not the template's: the local one is `--ses-rate`.
    [ENV.sendRatePerSecond]: String(opts.sesRate ?? 1000),
  });
  // The account directory the functions call (their template names the deployed one): the embedded
  // SCIM server, its token served by a local Secrets Manager under the template's secret.
  const scimSecret = deployment.environment[ENV.scimTokenSecret];
  const secrets = guardHost(createSecretsServer(new Map(scimSecret ? [[scimSecret, scimToken]] : [])));
  const secretsPort = await listen(secrets, 0);
  undo.push(() => close(secrets));
  Object.assign(process.env, { [ENV.scimEndpoint]: scimForHandlers, AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${secretsPort}` });

  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  undo.push(() => client.destroy());
  await ensureTables(client, tablesFromTemplate(deployment.template));
  const directory = new DynamoDirectory(client, deployment.environment.DIRECTORY_TABLE!);
  // The sample is loaded into a new data directory, and again into one missing its newest people
  // (the O2 people came later; a load adds and overwrites, it never removes).
  const seeded = opts.seed ?? ((await Promise.all([SAMPLE_DIRECTORY.people[0]!, SAMPLE_DIRECTORY.people.at(-1)!].map((p) => directory.person(p.huid)))).some((p) => !p) ? SAMPLE_DIRECTORY : undefined);
  if (seeded) {
    await directory.load(seeded);
    // The people's own HMS accounts, as the real account directory would hold them.
    ensureHmsAccounts(scim.store, seeded.people);
  }

  // Handlers: the deployed modules, each function's from its `hms:entry`.
  const modules = Object.fromEntries(
    await Promise.all(
      Object.values(deployment.functions).map(async (fn) => [fn.logicalId, ((await import(/* @vite-ignore */ `../${fn.entry}`)) as { handler: Handler }).handler] as const),
    ),
  ) as Record<string, Handler>;
  setRuntimeDeps(undefined);

  // Step Functions: every state machine of the template.
  const sfn = new LocalStepFunctions({
    stateMachines: deployment.stateMachines.map((m) => ({ arn: m.arn, definition: m.definition })),
    clock,
    dataDir,
    invoke: async (functionArn, payload) => {
      const logicalId = functionLogicalId(functionArn);
      const handler = logicalId === undefined ? undefined : modules[logicalId];
      if (!handler) throw new Error(`No local handler for ${functionArn}`);
      return handler(payload, lambdaContext(logicalId!));
    },
  });
  undo.push(() => sfn.shutdown());
  const sfnServer = guardHost(createSfnServer(sfn, (fn) => clock.track(fn)));
  const sfnPort = await listen(sfnServer, 0);
  undo.push(() => close(sfnServer));
  process.env.AWS_ENDPOINT_URL_SFN = `http://127.0.0.1:${sfnPort}`;

  // API Gateway and the local identity provider (an OpenID provider on the API's port)
  const apiPort = await reservePort(wantedApiPort);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  // The emails link to the pages served here (the handlers read the links at their first call).
  const pagesUrl = apiUrl;
  Object.assign(process.env, { [ENV.activationUrl]: `${pagesUrl}/activate`, [ENV.portalUrl]: pagesUrl });
  let idp: LocalIdentityProvider;
  try {
    idp = await LocalIdentityProvider.create({
      issuer: `http://localhost:${apiPort}${IDP_PATH}`,
      // The access tokens' audience: the API.
      resource: apiUrl,
      // The pages, served from the API's origin.
      redirectUris: [`http://localhost:${apiPort}/callback`, `http://127.0.0.1:${apiPort}/callback`],
      postLogoutRedirectUris: [`http://localhost:${apiPort}/`, `http://127.0.0.1:${apiPort}/`],
      dataDir,
      // The claim names and the HMS IT role the deployed functions read (from the template), so the tokens carry them.
      claimNames: { huidClaim: deployment.environment.HUID_CLAIM ?? 'huid', rolesClaim: deployment.environment.ROLES_CLAIM ?? 'hms_roles' },
      hmsItRole: deployment.environment.HMS_IT_ROLE,
      people: () => scanPeople(client, deployment.environment.DIRECTORY_TABLE!),
      warn,
    });
  } catch (err) {
    const keyFile = join(dataDir, IDP_KEY_FILE);
    if (!existsSync(keyFile)) throw err;
    throw new StartupError(`${keyFile} is damaged (${(err as Error).message}): delete it (a new key is made; tokens taken before no longer work), or ${RESET_FIX}`);
  }
  const schedulers = deployment.schedules.map(
    (schedule) =>
      new LocalScheduler(clock, { name: schedule.logicalId, expression: schedule.expression, timezone: schedule.timezone }, () =>
        modules[schedule.target]!(schedule.input ?? { source: 'local.scheduler' }, lambdaContext(schedule.target)),
      ),
  );
  // The pages, and where they sign in and what time it is (the local clock: business time).
  const builtDir = await pagesDir;
  const site = builtDir
    ? localSite(builtDir, () => ({ issuer: idp.issuer, clientId: idp.clientId, scopes: ['openid', 'profile', 'email', ...idp.scopes].join(' '), apiUrl: '', now: clock.now().toISOString() }))
    : undefined;
  const apiServer = guardHost(createApiServer({
    handler: modules[apiFunction] as ApiHandler,
    idp,
    clock,
    log,
    local: localEndpoints({ clock, idp, sfn, schedulers, onClockMoved: saveClock }),
    originHeaders: originHeadersFromTemplate(deployment.template, deployment.stackName),
    site,
  }));
  try {
    await listen(apiServer, apiPort);
  } catch (err) {
    throw portError(err, '--api-port', apiPort);
  }
  undo.push(() => close(apiServer));

  for (const scheduler of schedulers) scheduler.start();
  undo.push(() => schedulers.forEach((s) => s.stop()));
  const resumed = sfn.restore(
    (file, problem, movedTo) =>
      warn(`${file} is damaged (${problem}): moved to ${movedTo}; that execution does not resume (the reconciler starts its guest's lifecycle again when it is due), or ${RESET_FIX}`),
    (file, stateMachineArn) => warn(`${file}: its state machine ${stateMachineArn} is not in the template any more; that execution is listed but does not resume`),
  );
  if (resumed) log(`resumed ${resumed} executions`);
  await clock.idle();

  let stopping: Promise<void> | undefined;
  return {
    apiUrl,
    mailUrl,
    pagesUrl: site ? `${pagesUrl}/` : undefined,
    scimUrl: scim.url,
    scimApiUrl: scim.scimUrl,
    scim,
    openApiUrl: `${apiUrl}/openapi.json`,
    clock,
    clockOrigin,
    dataDir,
    sfn,
    idp,
    schedulers,
    deployment,
    faults,
    startupMs: performance.now() - t0,
    stop() {
      stopping ??= (async () => {
        for (const scheduler of schedulers) scheduler.stop();
        sfn.shutdown();
        await close(apiServer);
        // Let handler invocations already under way finish before their services go away.
        await Promise.race([clock.idle(), new Promise((r) => setTimeout(r, 5000).unref())]);
        clock.dispose();
        await faults?.close();
        await Promise.all([close(sfnServer), close(mailbox), close(dynamo.server), close(scim.server), close(secrets)]);
        client.destroy();
        // The data directory's lock, last: the store is closed.
        undo[0]!();
      })();
      return stopping;
    },
  };
}
