/**
 * What every lifecycle's state machine and its task function share: the shape of a task contract
 * (each task's input and result), the failure Step Functions' Catch hands over and what recording it
 * answers, the typed paths the definitions test, the dispatch of a payload to its task, and the
 * failure count that ends a lifecycle as FAILED. A lifecycle's contract (shared/<lifecycle>/app/
 * contract.ts) names its tasks; its tasks module hands its handlers to `dispatcher`.
 */
import type { TaskError } from '../domain/failures.ts';

export type { TaskError };

/**
 * RecordFailure's `outcome`, tested by the definitions' Deferred? Choice: the execution ends as
 * failed (the executions-failed alarm), or — a transient failure of the account directory, recorded
 * on the record, never counted toward FAILED — it ends waiting for the directory: the reconciler
 * starts the lifecycle again, and no execution fails for an outage (the DirectoryFailures alarm says it).
 */
export const FAILURE_OUTCOME = { failed: 'failed', deferred: 'deferred' } as const;
export type FailureOutcome = (typeof FAILURE_OUTCOME)[keyof typeof FAILURE_OUTCOME];

/** A task contract: each task's input (what the definition sends besides `v`, `task` and the record's ID) and result. */
export type TaskSpec = Record<string, { input: object; result: unknown }>;

/** Every task's payload, by name: the version, the task, the record's ID under `IdKey`, and the task's own fields. */
export type PayloadOf<Tasks extends TaskSpec, IdKey extends string, K extends keyof Tasks = keyof Tasks> = K extends keyof Tasks
  ? { v: number; task: K } & { [I in IdKey]: string } & Tasks[K]['input']
  : never;

/** The paths to the scalar fields of T ('result', 'approval.stage', ...), on any member of a union. */
export type FieldPath<T> = T extends object
  ? { [F in keyof T & string]-?: T[F] extends string | number | boolean ? F : T[F] extends object ? `${F}.${FieldPath<T[F]>}` : never }[keyof T & string]
  : never;
/** The type at a FieldPath of T (the union over the members of T that have it). */
export type FieldAt<T, P extends string> = T extends object
  ? P extends `${infer H}.${infer R}`
    ? H extends keyof T
      ? FieldAt<T[H], R>
      : never
    : P extends keyof T
      ? T[P]
      : never
  : never;

/** Every task name of a contract, at run time (the handler refuses any other): from a record naming each exactly once. */
export function taskNames<Tasks extends TaskSpec>(names: { [K in keyof Tasks]: true }): readonly (keyof Tasks & string)[] {
  return Object.keys(names) as (keyof Tasks & string)[];
}

/** One handler per task of the contract, typed by it. */
export type TaskHandlers<Tasks extends TaskSpec, IdKey extends string, D> = {
  readonly [K in keyof Tasks]: (deps: D, payload: PayloadOf<Tasks, IdKey, K>) => Promise<Tasks[K]['result']>;
};

/**
 * The task function's entry: checks the payload's version (an execution keeps the definition it
 * started with: every version up to the current one is accepted, a newer one refused) and its task
 * name, then runs that task's handler.
 */
export function dispatcher<Tasks extends TaskSpec, IdKey extends string, D>(contract: { version: number; names: readonly (keyof Tasks & string)[] }, handlers: TaskHandlers<Tasks, IdKey, D>) {
  return async function runTask(deps: D, payload: PayloadOf<Tasks, IdKey>): Promise<Tasks[keyof Tasks]['result']> {
    if (typeof payload.v !== 'number' || payload.v > contract.version) throw new Error(`Unsupported task payload version ${String(payload.v)}`);
    if (!contract.names.includes(payload.task as keyof Tasks & string)) throw new Error(`Unknown task ${String((payload as { task?: unknown }).task)}`);
    const handler = handlers[payload.task as keyof Tasks] as (deps: D, payload: unknown) => Promise<Tasks[keyof Tasks]['result']>;
    return handler(deps, payload);
  };
}

/** Where an execution begins: at its lifecycle's first step (the default), or at the schedule of a record past its setup. */
export const EXECUTION_PHASE = { schedule: 'schedule' } as const;
/** A new execution's input: the version and the record's ID under `IdKey`, and for the schedule, the phase and the loop count. */
export type ExecutionInputOf<IdKey extends string> = ({ v: number } & { [I in IdKey]: string }) | ({ v: number; phase: typeof EXECUTION_PHASE.schedule; iteration: 0 } & { [I in IdKey]: string });

/** The input of a new execution for a record: from the start, or (phase `schedule`) at its schedule. */
export function executionInputOf<IdKey extends string>(version: number, idKey: IdKey) {
  return (id: string, phase?: typeof EXECUTION_PHASE.schedule): ExecutionInputOf<IdKey> =>
    (phase ? { v: version, [idKey]: id, phase, iteration: 0 } : { v: version, [idKey]: id }) as ExecutionInputOf<IdKey>;
}
