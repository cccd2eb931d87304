/**
 * The handlers write what the use cases counted as one EMF line (CloudWatch Embedded Metric Format)
 * at the end of each invocation (Powertools `logMetrics`), in the namespace and with the dimension
 * the dashboard reads (infra/monitoring.ts). Metrics are read as enabled when the handlers load, so
 * this file turns them on before it loads them (the test configuration turns them off, as the local
 * system does); tracing stays off, and then leaves the SDK clients as they are.
 */
import { vi } from 'vitest';

vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Context } from 'aws-lambda';
import { handler as api } from '../../functions/api.ts';
import { handler as reconciler } from '../../functions/reconciler.ts';
import { metrics, setRuntimeDeps } from '../../functions/runtime.ts';
import { EmfMetrics, METRICS_NAMESPACE } from '../../shared/adapters/emf-metrics.ts';
import { loadConfig } from '../../shared/config.ts';
import { METRIC_NAMES } from '../../shared/core/ports.ts';
import { memoryWorld } from '../support/memory.ts';

const ctx = { functionName: 'guest-accounts-fn', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const config = loadConfig({ GUESTS_TABLE: 'Guests', DIRECTORY_TABLE: 'Directory', STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111111111111:stateMachine:GuestLifecycle', O2_TABLE: 'O2', O2_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111111111111:stateMachine:O2Lifecycle' });

type Emf = { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } } & Record<string, unknown>;

/** The EMF lines written to stdout while `run` runs. */
async function emfLines(run: () => Promise<unknown>): Promise<Emf[]> {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return written
    .flatMap((w) => w.split('\n'))
    .filter((l) => l.startsWith('{') && l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Emf);
}

/** The handlers on in-memory ports, counting through the EMF adapter as deployed. */
function wire() {
  const w = memoryWorld();
  setRuntimeDeps({ config, deps: { ...w.deps, metrics: new EmfMetrics(metrics) } });
  return w;
}

afterEach(() => setRuntimeDeps(undefined));
afterAll(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

describe('EMF metrics from the handlers', () => {
  it('a guest request: GuestsRequested in the namespace and service dimension the dashboard reads', async () => {
    // Prepare
    wire();
    const event = {
      version: '2.0',
      routeKey: 'POST /v1/guests',
      rawPath: '/v1/guests',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ guestHuid: '20000001', population: 'agency-temp', endDate: '2027-06-30' }),
      isBase64Encoded: false,
      requestContext: { requestId: 'r1', routeKey: 'POST /v1/guests', http: { method: 'POST', sourceIp: '192.0.2.1' }, authorizer: { jwt: { claims: { huid: '10000001', hms_roles: '[]' }, scopes: null } } },
    } as never;

    // Act
    let status: number | undefined;
    const lines = await emfLines(async () => {
      status = (await api(event, ctx)).statusCode;
    });

    // Assess
    expect(status).toBe(202);
    const line = lines.find((l) => METRIC_NAMES.requested in l);
    expect(line).toBeDefined();
    expect(line![METRIC_NAMES.requested]).toBe(1);
    expect(line!.service).toBe('hms-guest-accounts');
    expect(line!._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: METRICS_NAMESPACE, Dimensions: [['service']], Metrics: [{ Name: METRIC_NAMES.requested, Unit: 'Count' }] });
  });

  it('a reconciler run: LifecyclesRepaired, zero on a quiet day', async () => {
    wire();
    const lines = await emfLines(() => reconciler({}, ctx));
    const line = lines.find((l) => METRIC_NAMES.repaired in l);
    expect(line?.[METRIC_NAMES.repaired]).toBe(0);
  });

  it('an invocation that counted nothing writes no application metric line', async () => {
    wire();
    const event = { version: '2.0', routeKey: 'GET /openapi.json', rawPath: '/openapi.json', headers: {}, isBase64Encoded: false, requestContext: { requestId: 'r2', routeKey: 'GET /openapi.json', http: { method: 'GET', sourceIp: '192.0.2.1' } } } as never;
    const lines = await emfLines(() => api(event, ctx));
    expect(lines.filter((l) => Object.values(METRIC_NAMES).some((name) => name in l))).toEqual([]);
  });
});
