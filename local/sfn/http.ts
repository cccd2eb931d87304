/** The local Step Functions service over HTTP, speaking the AWS JSON 1.0 protocol @aws-sdk/client-sfn uses; every state machine it runs. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { ExecutionRecord, ExecutionStatus, HistoryEvent, LocalStepFunctions } from './service.ts';
import { SfnError } from './service.ts';

const seconds = (iso: string | undefined) => (iso ? Date.parse(iso) / 1000 : undefined);

function describe(r: ExecutionRecord) {
  return {
    executionArn: r.executionArn,
    stateMachineArn: r.stateMachineArn,
    name: r.name,
    status: r.status,
    startDate: seconds(r.startDate),
    stopDate: seconds(r.stopDate),
    input: JSON.stringify(r.input),
    output: r.output === undefined ? undefined : JSON.stringify(r.output),
    error: r.error,
    cause: r.cause,
  };
}

type Body = Record<string, unknown>;

const text = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : typeof v === 'string' ? v : JSON.stringify(v));

/** A history event in the shape GetExecutionHistory gives it: the details of its kind, under that kind's key. */
function historyEvent(e: HistoryEvent): Record<string, unknown> {
  const d = (e.detail ?? {}) as { input?: unknown; error?: unknown; cause?: unknown };
  const failure = { error: text(d.error), cause: text(d.cause) };
  const details: Record<string, unknown> =
    e.type === 'StateEntered'
      ? { stateEnteredEventDetails: { name: e.state } }
      : e.type === 'StateExited'
        ? { stateExitedEventDetails: { name: e.state } }
        : e.type === 'ExecutionStarted'
          ? { executionStartedEventDetails: { input: text(d.input) } }
          : e.type === 'ExecutionFailed'
            ? { executionFailedEventDetails: failure }
            : e.type === 'ExecutionAborted'
              ? { executionAbortedEventDetails: failure }
              : e.type === 'ExecutionTimedOut'
                ? { executionTimedOutEventDetails: failure }
                : d.error !== undefined
                  ? // The emulator's StateFailed, StateRetried and StateCaught: a task's failure.
                    { taskFailedEventDetails: { resourceType: 'lambda', resource: e.state ?? '', ...failure } }
                  : {};
  return { id: e.id, timestamp: seconds(e.timestamp), type: e.type, ...details };
}

export function sfnOperations(sfn: LocalStepFunctions): Record<string, (b: Body) => unknown> {
  return {
    StartExecution: (b) => {
      const out = sfn.startExecution({ stateMachineArn: b.stateMachineArn as string, name: b.name as string | undefined, input: b.input as string | undefined });
      return { executionArn: out.executionArn, startDate: seconds(out.startDate) };
    },
    DescribeExecution: (b) => describe(sfn.describeExecution(String(b.executionArn))),
    ListStateMachines: () => ({ stateMachines: sfn.stateMachines().map((m) => ({ stateMachineArn: m.stateMachineArn, name: m.name, type: 'STANDARD' })) }),
    ListExecutions: (b) => ({
      executions: sfn.listExecutions(b.statusFilter as ExecutionStatus | undefined, b.stateMachineArn as string | undefined).map((r) => ({
        executionArn: r.executionArn,
        stateMachineArn: r.stateMachineArn,
        name: r.name,
        status: r.status,
        startDate: seconds(r.startDate),
        stopDate: seconds(r.stopDate),
      })),
    }),
    GetExecutionHistory: (b) => {
      const r = sfn.describeExecution(String(b.executionArn));
      const events = r.history.map(historyEvent);
      if (b.reverseOrder) events.reverse();
      // Pages as AWS gives them: maxResults (100 by default, at most 1000), then nextToken.
      const max = Math.min(Math.max(Number(b.maxResults) || 100, 1), 1000);
      const from = b.nextToken === undefined ? 0 : Number(b.nextToken);
      if (!Number.isInteger(from) || from < 0 || from > events.length) throw new SfnError('InvalidToken', 'Invalid nextToken');
      const page = events.slice(from, from + max);
      return { events: page, ...(from + max < events.length ? { nextToken: String(from + max) } : {}) };
    },
    StopExecution: (b) => ({ stopDate: seconds(sfn.stopExecution(String(b.executionArn), b.error as string | undefined, b.cause as string | undefined).stopDate) }),
    SendTaskSuccess: (b) => (sfn.sendTaskSuccess(String(b.taskToken), String(b.output)), {}),
    SendTaskFailure: (b) => (sfn.sendTaskFailure(String(b.taskToken), b.error as string | undefined, b.cause as string | undefined), {}),
    SendTaskHeartbeat: (b) => (sfn.sendTaskHeartbeat(String(b.taskToken)), {}),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function createSfnServer(sfn: LocalStepFunctions, track: <T>(fn: () => Promise<T>) => Promise<T>): Server {
  const ops = sfnOperations(sfn);
  return createServer((req, res) => {
    void track(async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.replace(/^AWSStepFunctions\./, '');
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...headers });
        res.end(JSON.stringify(body));
      };
      try {
        const raw = await readBody(req);
        const fn = ops[op];
        if (!fn) return send(400, { __type: 'UnknownOperationException', message: `Unsupported operation ${target}` });
        send(200, fn(raw ? (JSON.parse(raw) as Body) : {}));
      } catch (err) {
        if (err instanceof SfnError) return send(400, { __type: err.code, message: err.message }, { 'x-amzn-errortype': err.code });
        send(500, { __type: 'InternalFailure', message: err instanceof Error ? err.message : String(err) });
      }
    });
  });
}
