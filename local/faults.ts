/**
 * Fault injection for the local system: a small HTTP proxy in front of dynalite, one in front of
 * the SES emulator and one in front of the embedded SCIM server (the account directory). When `startLocalSystem` is given `faults`, the handlers' SDK clients are pointed
 * at the proxies (AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_SES) and never know: what they see
 * are the answers the real services give — DynamoDB's awsJson1_0 errors, SES's query-protocol XML
 * ErrorResponse — or a connection reset.
 *
 * Each request is matched against the rules in order; the first rule that matches and fires decides.
 * A rule fires on a fraction of its matches (`rate`, drawn from one seeded generator, so a run is
 * reproducible from its seed), after letting `skip` through, at most `times` times. In mode
 * `refuse` the request is answered with the error and never reaches the service (nothing happens);
 * in mode `lose-response` it is forwarded — its effect is applied — and the caller gets the error
 * instead of the answer: "the write happened but the caller saw it fail"; in mode `delay` it only
 * waits for the rule's `hold` and then goes on normally (for racing something against it).
 */
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type FaultService = 'dynamodb' | 'ses' | 'scim';

/** DynamoDB's errors. */
export type DynamoFault = 'ProvisionedThroughputExceededException' | 'ThrottlingException' | 'InternalServerError';
/** SES's errors (v1 API, query protocol). */
export type SesFault = 'Throttling' | 'ServiceUnavailable' | 'AccountSendingPausedException';
/** The account directory's (SCIM 2.0) errors: 429 with Retry-After, 500, 503. */
export type ScimFault = 'TooManyRequests' | 'InternalServerError' | 'ServiceUnavailable';
/** The connection is dropped without an answer (the SDK sees ECONNRESET / socket hang up). */
export type NetworkFault = 'ECONNRESET';
export type FaultError = DynamoFault | SesFault | ScimFault | NetworkFault;

export interface FaultRule {
  service: FaultService;
  /**
   * DynamoDB's operation (X-Amz-Target: PutItem, GetItem, …), SES's Action (SendEmail), or the SCIM
   * method and resource type (`POST Users`, `PATCH Groups`, `GET Users`); any when omitted.
   */
  operation?: string | string[];
  /** Only requests whose body contains this text (SES bodies are decoded to `Name=value` lines), or for which this is true. */
  match?: string | ((body: string) => boolean);
  /** Default: the service's throttling error (ProvisionedThroughputExceededException, Throttling, TooManyRequests). */
  error?: FaultError;
  /** Default `refuse`. */
  mode?: FaultMode;
  /** Fraction of matching requests that fail, 0..1 (default 1). */
  rate?: number;
  /** Let this many matching requests through before failing any. */
  skip?: number;
  /** Fail at most this many requests; then the rule is spent. */
  times?: number;
  /** Awaited before the request goes on, each time the rule fires (what `delay` waits for; allowed with any mode). */
  hold?: () => Promise<void>;
  /** Name in the log of injected faults. */
  label?: string;
  /** The Retry-After of a SCIM TooManyRequests, in seconds (default 1). */
  retryAfter?: number;
}

export type FaultMode = 'refuse' | 'lose-response' | 'delay';

export interface InjectedFault {
  service: FaultService;
  operation: string;
  /** None for a delay. */
  error: FaultError | undefined;
  mode: FaultMode;
  label?: string | undefined;
}

interface RuleState {
  rule: FaultRule;
  matched: number;
  fired: number;
}

/** A seeded generator of numbers in [0, 1) (mulberry32): the same sequence for the same seed everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const DYNAMO_ERRORS: Record<DynamoFault, { status: number; type: string; message: string }> = {
  ProvisionedThroughputExceededException: {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  },
  ThrottlingException: { status: 400, type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
  InternalServerError: { status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' },
};

const SES_ERRORS: Record<SesFault, { status: number; type: 'Sender' | 'Receiver'; message: string }> = {
  Throttling: { status: 400, type: 'Sender', message: 'Maximum sending rate exceeded.' },
  ServiceUnavailable: { status: 503, type: 'Receiver', message: 'Service is unavailable. Please try again later.' },
  AccountSendingPausedException: { status: 400, type: 'Sender', message: 'Email sending is disabled for your entire Amazon SES account.' },
};

const SCIM_ERRORS: Record<ScimFault, { status: number; detail: string }> = {
  TooManyRequests: { status: 429, detail: 'Too many requests: retry after the time given' },
  InternalServerError: { status: 500, detail: 'Internal server error' },
  ServiceUnavailable: { status: 503, detail: 'The directory is unavailable' },
};

const isDynamoFault = (e: FaultError): e is DynamoFault => e in DYNAMO_ERRORS;
const isSesFault = (e: FaultError): e is SesFault => e in SES_ERRORS;
const isScimFault = (e: FaultError): e is ScimFault => e in SCIM_ERRORS;
const faultOf: Record<FaultService, (e: FaultError) => boolean> = { dynamodb: isDynamoFault, ses: isSesFault, scim: isScimFault };
const DEFAULT_ERROR: Record<FaultService, FaultError> = { dynamodb: 'ProvisionedThroughputExceededException', ses: 'Throttling', scim: 'TooManyRequests' };

/** The operation a request asks for, and its body as text to match on (for SCIM, its path and query too). */
export function describeRequest(service: FaultService, headers: IncomingHttpHeaders, body: string, request: { method?: string | undefined; url?: string | undefined } = {}): { operation: string; text: string } {
  if (service === 'scim') {
    const url = request.url ?? '/';
    const resource = /\/scim\/v2\/([^/?]+)/.exec(url)?.[1] ?? 'unknown';
    let path = url;
    try {
      path = decodeURIComponent(url);
    } catch {
      // as sent
    }
    return { operation: `${request.method ?? 'GET'} ${resource}`, text: `${path}\n${body}` };
  }
  if (service === 'dynamodb') {
    const target = String(headers['x-amz-target'] ?? '');
    return { operation: target.split('.').pop() || 'unknown', text: body };
  }
  const params = new URLSearchParams(body);
  return { operation: params.get('Action') ?? 'unknown', text: [...params].map(([k, v]) => `${k}=${v}`).join('\n') };
}

export class FaultInjector {
  private states: RuleState[] = [];
  private readonly random: () => number;
  /** Every fault injected, in order. */
  readonly injected: InjectedFault[] = [];
  /** Requests seen per `service:operation`. */
  readonly seen: Record<string, number> = {};
  private readonly servers: Server[] = [];
  private readonly agent = new Agent({ keepAlive: true });

  constructor(
    readonly seed: number,
    rules: FaultRule[] = [],
  ) {
    this.random = seededRandom(seed);
    this.set(rules);
  }

  /** Replaces the rules (their counts start again). */
  set(rules: FaultRule[]): void {
    for (const r of rules) {
      if (r.error && r.error !== 'ECONNRESET' && !faultOf[r.service](r.error)) {
        throw new Error(`${r.error} is not an error ${r.service} answers with`);
      }
      if (r.rate !== undefined && !(r.rate >= 0 && r.rate <= 1)) throw new Error(`rate must be within 0..1, not ${r.rate}`);
    }
    this.states = rules.map((rule) => ({ rule, matched: 0, fired: 0 }));
  }

  add(rule: FaultRule): void {
    this.set([...this.states.map((s) => s.rule), rule]);
  }

  clear(): void {
    this.states = [];
  }

  /** Faults injected so far, optionally only those of one service, operation or label. */
  count(filter: { service?: FaultService; operation?: string; label?: string } = {}): number {
    return this.injected.filter(
      (f) => (!filter.service || f.service === filter.service) && (!filter.operation || f.operation === filter.operation) && (!filter.label || f.label === filter.label),
    ).length;
  }

  /** Which fault, if any, this request gets. */
  decide(service: FaultService, operation: string, text: string): { rule: FaultRule; error: FaultError | undefined; mode: FaultMode } | undefined {
    for (const state of this.states) {
      const { rule } = state;
      if (rule.service !== service) continue;
      if (rule.operation !== undefined && !(Array.isArray(rule.operation) ? rule.operation : [rule.operation]).includes(operation)) continue;
      if (rule.match !== undefined && !(typeof rule.match === 'string' ? text.includes(rule.match) : rule.match(text))) continue;
      if (rule.times !== undefined && state.fired >= rule.times) continue;
      state.matched++;
      if (state.matched <= (rule.skip ?? 0)) continue;
      if (rule.rate !== undefined && rule.rate < 1 && this.random() >= rule.rate) continue;
      state.fired++;
      const mode = rule.mode ?? 'refuse';
      const error = mode === 'delay' ? undefined : (rule.error ?? DEFAULT_ERROR[service]);
      this.injected.push({ service, operation, error, mode, label: rule.label });
      return { rule, error, mode };
    }
    return undefined;
  }

  /** Starts a proxy for `service` in front of `target` (http://host:port); its endpoint is what the SDK should use. */
  async proxy(service: FaultService, target: string): Promise<{ server: Server; endpoint: string }> {
    const upstream = new URL(target);
    const server = createServer((req, res) => {
      this.handle(service, upstream, req, res).catch(() => res.destroy());
    });
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    return { server, endpoint: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((r) => {
            s.closeAllConnections();
            s.close(() => r());
          }),
      ),
    );
    this.agent.destroy();
  }

  private async handle(service: FaultService, upstream: URL, req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const { operation, text } = describeRequest(service, req.headers, body.toString('utf8'), { method: req.method, url: req.url });
    const key = `${service}:${operation}`;
    this.seen[key] = (this.seen[key] ?? 0) + 1;
    const fault = this.decide(service, operation, text);
    if (fault?.rule.hold) await fault.rule.hold();
    if (fault?.error && fault.mode === 'refuse') return this.fail(service, fault.error, res, fault.rule);
    const answer = await this.forward(upstream, req, body);
    if (fault?.error) return this.fail(service, fault.error, res, fault.rule);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  }

  private forward(upstream: URL, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && k !== 'connection' && k !== 'keep-alive') headers[k] = v;
    headers.host = upstream.host;
    return new Promise((resolve, reject) => {
      const out = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent: this.agent },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => chunks.push(c));
          answer.on('error', reject);
          answer.on('end', () => {
            const h: Record<string, string | string[]> = {};
            for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && !['connection', 'keep-alive', 'transfer-encoding'].includes(k)) h[k] = v;
            const data = Buffer.concat(chunks);
            h['content-length'] = String(data.length);
            resolve({ status: answer.statusCode ?? 502, headers: h, body: data });
          });
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  }

  /** The service's own answer for `error`, or a dropped connection. */
  private fail(service: FaultService, error: FaultError, res: ServerResponse, rule?: FaultRule) {
    if (error === 'ECONNRESET') {
      res.socket?.resetAndDestroy();
      return;
    }
    const requestId = randomUUID();
    if (service === 'dynamodb' && isDynamoFault(error)) {
      const e = DYNAMO_ERRORS[error];
      const payload = JSON.stringify({ __type: e.type, message: e.message });
      res.writeHead(e.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId, 'content-length': String(Buffer.byteLength(payload)) });
      res.end(payload);
      return;
    }
    if (service === 'ses' && isSesFault(error)) {
      const e = SES_ERRORS[error];
      const payload =
        `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">` +
        `<Error><Type>${e.type}</Type><Code>${error}</Code><Message>${e.message}</Message></Error>` +
        `<RequestId>${requestId}</RequestId></ErrorResponse>`;
      res.writeHead(e.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, 'content-length': String(Buffer.byteLength(payload)) });
      res.end(payload);
      return;
    }
    if (service === 'scim' && isScimFault(error)) {
      const e = SCIM_ERRORS[error];
      const payload = JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(e.status), detail: e.detail });
      res.writeHead(e.status, {
        'content-type': 'application/scim+json',
        'content-length': String(Buffer.byteLength(payload)),
        ...(e.status === 429 ? { 'retry-after': String(rule?.retryAfter ?? 1) } : {}),
      });
      res.end(payload);
      return;
    }
    throw new Error(`${error} is not an error ${service} answers with`);
  }
}
