/** What the local Step Functions service (service.ts) keeps and answers: execution records and their checkpoints, the AWS quotas it holds executions to, its options. */
import type { LocalClock } from '../clock.ts';
import type { AslDefinition } from './transform.ts';

export type Invoker = (functionArn: string, payload: unknown) => Promise<unknown>;
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export class SfnError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

export interface Checkpoint {
  state: string;
  input: unknown;
  /** Deadline of a Wait or callback in progress, kept across restarts. */
  deadline?: number;
  token?: string;
}

export interface HistoryEvent {
  id: number;
  timestamp: string;
  type: string;
  state?: string;
  detail?: unknown;
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: unknown;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  output?: unknown;
  error?: string;
  cause?: string;
  checkpoint?: Checkpoint;
  transitions: number;
  invocations: number;
  /**
   * History events as AWS would count them for this execution (the 25,000-event quota), see
   * countEvents. Not the length of `history`, which keeps only the last HISTORY_LIMIT events.
   * Absent in checkpoints written before it was counted.
   */
  historyEvents?: number;
  history: HistoryEvent[];
}

export interface Live {
  record: ExecutionRecord;
  /** Its checkpoint file: where it was read from (a checkpoint written before the registry: `<name>.json`), else `<name>@<state machine>.json`. */
  file?: string;
  abort: AbortController;
  stopRun?: () => void;
  endBusy: () => void;
  resume?: Checkpoint;
  /** Cancels the execution's one-year timer once it ends. */
  lifetime?: AbortController;
}

export interface PendingToken {
  exec: Live;
  resolve: (output: unknown) => void;
  reject: (err: Error) => void;
}

/** Events kept in `history` for GetExecutionHistory (the last ones); the quota is counted apart. */
export const HISTORY_LIMIT = 500;

/**
 * AWS Step Functions quotas for a Standard execution, enforced on the local clock:
 * - it runs at most one year; past that it ends TIMED_OUT with `States.Timeout` (and AWS emits
 *   ExecutionsTimedOut);
 * - its history holds at most 25,000 events: when an event other than ExecutionSucceeded would be
 *   the 25,000th, the execution ends FAILED with `States.Runtime`, "The execution reached the
 *   maximum number of history events (25000).", the ExecutionFailed event being the 25,000th.
 */
export const MAX_EXECUTION_MS = 365 * 86_400_000;
export const MAX_HISTORY_EVENTS = 25_000;
export const HISTORY_LIMIT_CAUSE = `The execution reached the maximum number of history events (${MAX_HISTORY_EVENTS}).`;
export const EXECUTION_TIME_CAUSE = 'The execution ran longer than the maximum execution time of one year.';

/** A checkpoint file's content as an execution record, or an error saying what is wrong with it. */
export function checkpointRecord(value: unknown): ExecutionRecord {
  const r = value as Partial<ExecutionRecord> | null;
  const statuses: unknown[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new Error('not an execution record');
  for (const key of ['executionArn', 'stateMachineArn', 'name', 'startDate'] as const) if (typeof r[key] !== 'string') throw new Error(`no ${key}`);
  if (!statuses.includes(r.status)) throw new Error('no status');
  if (!Array.isArray(r.history) || typeof r.transitions !== 'number' || typeof r.invocations !== 'number') throw new Error('no history or counts');
  if (r.checkpoint !== undefined && typeof r.checkpoint?.state !== 'string') throw new Error('a checkpoint without a state');
  return r as ExecutionRecord;
}

/** A state machine the service runs. */
export interface StateMachineSpec {
  readonly arn: string;
  readonly definition: AslDefinition;
}

export interface LocalStepFunctionsOptions {
  /** Every state machine, by ARN (each of the template's, locally). */
  stateMachines?: readonly StateMachineSpec[];
  /** One state machine alone (small tests): the same as `stateMachines: [{ arn: stateMachineArn, definition }]`. */
  stateMachineArn?: string;
  definition?: AslDefinition;
  clock: LocalClock;
  invoke: Invoker;
  /** Where executions are checkpointed; none keeps them in memory only. */
  dataDir?: string | undefined;
  /** Wait before each retry, in ms (the emulator would otherwise sleep the definition's backoff in real time). */
  retryIntervalMs?: number;
}

/** The name at the end of a state machine's ARN. */
export const stateMachineName = (arn: string): string => arn.split(':').pop()!;

