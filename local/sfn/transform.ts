/**
 * Adapts the synthesized definition to aws-local-stepfunctions where the emulator falls short,
 * without changing what the machine does:
 * - Wait states become Task states run by the local clock (the emulator sleeps in real time and
 *   ends any Wait over 2^31 ms at once). Their time spec moves into Parameters, ResultPath null
 *   keeps the input, exactly as a Wait passes it on.
 * - `.waitForTaskToken` tasks: the timeout (TimeoutSeconds / TimeoutSecondsPath) moves into
 *   Parameters so the local service enforces it on the local clock; the emulator's own real-time
 *   timer is set out of reach.
 * - `$$.Execution.StartTime` is read from the local clock's start time (the emulator stamps real time).
 * - Resuming after a restart starts at the checkpointed state (StartAt).
 */
import { SEND_RATE_BUSY } from '../../shared/core/domain/errors.ts';

export const TOKEN_SENTINEL = '__LOCAL_TASK_TOKEN__';
export const LOCAL_TIMEOUT_KEY = '__localTimeoutSeconds';
/** Just under 2^31 ms: the longest real-time timer Node (and so the emulator) can set. */
export const OUT_OF_REACH_SECONDS = 2_147_483;

export type StateKind = 'wait' | 'token' | 'lambda' | 'lambda-invoke' | 'start-execution' | 'other';

export interface Prepared {
  definition: AslDefinition;
  kinds: Record<string, StateKind>;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [k: string]: unknown;
}
export type AslState = Record<string, unknown> & { Type: string };

function rewriteStartTime(value: unknown): unknown {
  if (typeof value === 'string') return value === '$$.Execution.StartTime' ? '$$.Execution.LocalStartTime' : value;
  if (Array.isArray(value)) return value.map(rewriteStartTime);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewriteStartTime(v)]));
  return value;
}

export function kindOf(state: AslState): StateKind {
  if (state.Type === 'Wait') return 'wait';
  if (state.Type !== 'Task') return 'other';
  const resource = String(state.Resource);
  if (resource.endsWith('.waitForTaskToken')) return 'token';
  if (/:states:::lambda:invoke$/.test(resource)) return 'lambda-invoke';
  if (/:states:::states:startExecution$/.test(resource)) return 'start-execution';
  if (/:lambda:[^:]+:[^:]+:function:/.test(resource)) return 'lambda';
  return 'other';
}

export function prepareDefinition(source: AslDefinition, startAt?: string): Prepared {
  const definition = structuredClone(source);
  const kinds: Record<string, StateKind> = {};
  for (const [name, original] of Object.entries(definition.States)) {
    const kind = kindOf(original);
    kinds[name] = kind;
    let state: AslState = original;
    if (kind === 'wait') {
      const { Seconds, SecondsPath, Timestamp, TimestampPath, Type: _type, ...rest } = state;
      const parameters: Record<string, unknown> = {};
      if (Seconds !== undefined) parameters.seconds = Seconds;
      if (SecondsPath !== undefined) parameters['seconds.$'] = SecondsPath;
      if (Timestamp !== undefined) parameters.at = Timestamp;
      if (TimestampPath !== undefined) parameters['at.$'] = TimestampPath;
      state = {
        ...rest,
        Type: 'Task',
        Resource: 'arn:aws:lambda:us-east-1:000000000000:function:local-wait',
        Parameters: parameters,
        ResultPath: null,
        TimeoutSeconds: OUT_OF_REACH_SECONDS,
      };
    } else if (kind === 'token') {
      const { TimeoutSeconds, TimeoutSecondsPath, HeartbeatSeconds: _h, HeartbeatSecondsPath: _hp, ...rest } = state;
      const parameters = { ...((rest.Parameters as Record<string, unknown>) ?? {}) };
      if (TimeoutSecondsPath !== undefined) parameters[`${LOCAL_TIMEOUT_KEY}.$`] = TimeoutSecondsPath;
      else parameters[LOCAL_TIMEOUT_KEY] = TimeoutSeconds ?? 31_536_000;
      state = { ...rest, Parameters: parameters, TimeoutSeconds: OUT_OF_REACH_SECONDS };
    }
    if (state.Type === 'Task' && state.Parameters) state.Parameters = rewriteStartTime(state.Parameters);
    definition.States[name] = state;
  }
  if (startAt) {
    if (!definition.States[startAt]) throw new Error(`Cannot resume at unknown state ${startAt}`);
    definition.StartAt = startAt;
  }
  return { definition, kinds };
}

/** Replaces the task-token sentinel wherever the definition put `$$.Task.Token`. */
export function withToken(value: unknown, token: string): unknown {
  if (value === TOKEN_SENTINEL) return token;
  if (Array.isArray(value)) return value.map((v) => withToken(v, token));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withToken(v, token)]));
  return value;
}

/**
 * A state's retry waits, locally: short (the local clock does not move for a retry), except the
 * send-rate retrier's, which keeps its real interval (-1: no override): the limiter it waits out
 * counts real seconds, as SES does.
 */
export function retryIntervals(definition: unknown, stateName: string, ms: number): number | number[] {
  const state = findState(definition, stateName) as { Retry?: { ErrorEquals?: string[] }[] } | undefined;
  const retry = state?.Retry ?? [];
  if (!retry.some((r) => r.ErrorEquals?.includes(SEND_RATE_BUSY))) return ms;
  return retry.map((r) => (r.ErrorEquals?.includes(SEND_RATE_BUSY) ? -1 : ms));
}

/** A state by name anywhere in a definition (inside Parallel branches and Map iterators too). */
function findState(node: unknown, name: string): unknown {
  if (!node || typeof node !== 'object') return undefined;
  const states = (node as { States?: Record<string, unknown> }).States;
  if (states && name in states) return states[name];
  for (const value of Object.values(node as Record<string, unknown>)) {
    const found = findState(value, name);
    if (found) return found;
  }
  return undefined;
}
