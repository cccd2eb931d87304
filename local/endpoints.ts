/** Local-only endpoints: the clock, tokens from the local identity provider, executions. */
import * as z from 'zod';
import { SCOPES } from '../shared/http/routes.ts';
import { durationMs } from '../shared/core/domain/dates.ts';
import type { LocalClock } from './clock.ts';
import type { LocalIdentityProvider } from './identity.ts';
import { stateMachineName, type LocalStepFunctions } from './sfn/service.ts';
import type { LocalScheduler } from './scheduler.ts';
import type { LocalEndpoints } from './api-server.ts';

const ClockMove = z.union([
  z.strictObject({ advance: z.string().regex(/^P/, 'an ISO-8601 duration such as P7D or PT1H') }),
  z.strictObject({ to: z.iso.datetime({ offset: true }) }),
]);
const TokenRequest = z.strictObject({
  huid: z.string().regex(/^\d{8}$/, 'an 8-digit HUID'),
  roles: z.array(z.string().max(100)).max(20).optional(),
  /** The API scopes the token carries: both when absent. */
  scopes: z.array(z.enum([SCOPES.read, SCOPES.write])).max(2).optional(),
});

function problem(status: number, detail: string, errors?: unknown) {
  return { status, body: { type: 'about:blank', title: 'Bad request', status, detail, ...(errors ? { errors } : {}) } };
}

function parse(raw: string): unknown {
  try {
    return raw ? JSON.parse(raw) : {};
  } catch {
    return undefined;
  }
}

export function localEndpoints(deps: { clock: LocalClock; idp: LocalIdentityProvider; sfn: LocalStepFunctions; schedulers: readonly LocalScheduler[]; onClockMoved: () => void }): LocalEndpoints {
  return {
    async handle(req, body, url) {
      const method = req.method ?? 'GET';
      const key = `${method} ${url.pathname}`;
      // A change is JSON only: a page elsewhere cannot send that without a CORS preflight, which nothing here answers.
      if (method === 'POST' && !/^application\/json\s*(;[^,]*)?$/i.test(String(req.headers['content-type'] ?? '').trim())) {
        return { status: 415, body: { type: 'about:blank', title: 'Unsupported media type', status: 415, detail: 'Send the body as application/json.', errors: [{ header: 'Content-Type', detail: 'must be application/json' }] } };
      }
      switch (key) {
        case 'GET /_local/clock':
          return { status: 200, body: { now: deps.clock.now().toISOString(), frozen: deps.clock.frozen } };
        case 'POST /_local/clock': {
          const parsed = ClockMove.safeParse(parse(body));
          if (!parsed.success) return problem(400, 'Send {"advance":"P7D"} or {"to":"<ISO instant>"}', parsed.error.issues.map((i) => ({ pointer: `#/${i.path.join('/')}`, detail: i.message })));
          let target: Date;
          if ('advance' in parsed.data) {
            let ms: number;
            try {
              ms = durationMs(parsed.data.advance);
            } catch (err) {
              return problem(400, (err as Error).message);
            }
            target = new Date(deps.clock.now().getTime() + ms);
          } else {
            target = new Date(parsed.data.to);
          }
          if (target.getTime() < deps.clock.now().getTime()) return problem(400, 'The clock only moves forward.');
          const before = deps.sfn.stats.transitions;
          await deps.clock.advanceTo(target);
          deps.onClockMoved();
          return { status: 200, body: { now: deps.clock.now().toISOString(), transitions: deps.sfn.stats.transitions - before } };
        }
        case 'POST /_local/token': {
          const parsed = TokenRequest.safeParse(parse(body));
          if (!parsed.success) return problem(400, 'Send {"huid":"12345678","roles":[]}', parsed.error.issues.map((i) => ({ pointer: `#/${i.path.join('/')}`, detail: i.message })));
          return { status: 200, body: { token: await deps.idp.token(parsed.data) } };
        }
        case 'GET /_local/executions':
          return {
            status: 200,
            body: {
              stats: deps.sfn.stats,
              stateMachines: deps.sfn.stateMachines(),
              executions: deps.sfn.listExecutions().map((e) => ({
                name: e.name,
                executionArn: e.executionArn,
                stateMachineArn: e.stateMachineArn,
                stateMachineName: stateMachineName(e.stateMachineArn),
                status: e.status,
                currentState: e.status === 'RUNNING' ? (e.checkpoint?.state ?? null) : null,
                startDate: e.startDate,
                stopDate: e.stopDate ?? null,
                transitions: e.transitions,
                invocations: e.invocations,
                error: e.error ?? null,
              })),
            },
          };
        case 'GET /_local/schedules':
          return { status: 200, body: { fired: deps.schedulers.flatMap((s) => s.fired).sort((a, b) => a.at.localeCompare(b.at)) } };
        default:
          return undefined;
      }
    },
  };
}
