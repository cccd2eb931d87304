/**
 * A local Step Functions service: executions of every synthesized state machine (a registry by
 * ARN), run by aws-local-stepfunctions, plus what it lacks — task tokens (.waitForTaskToken),
 * Waits and callback timeouts on the local clock, and a checkpoint after each state so executions
 * resume after the process is killed and started again.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { LOCAL_TIMEOUT_KEY, prepareDefinition, retryIntervals, TOKEN_SENTINEL, withToken, type AslDefinition, type StateKind } from './transform.ts';

import { checkpointRecord, HISTORY_LIMIT, MAX_EXECUTION_MS, MAX_HISTORY_EVENTS, HISTORY_LIMIT_CAUSE, EXECUTION_TIME_CAUSE, SfnError, stateMachineName, type Checkpoint, type ExecutionRecord, type ExecutionStatus, type HistoryEvent, type Invoker, type Live, type LocalStepFunctionsOptions, type PendingToken, type StateMachineSpec } from './records.ts';

export { EXECUTION_TIME_CAUSE, HISTORY_LIMIT_CAUSE, MAX_EXECUTION_MS, MAX_HISTORY_EVENTS, SfnError, stateMachineName, type ExecutionRecord, type ExecutionStatus, type HistoryEvent, type Invoker, type LocalStepFunctionsOptions, type StateMachineSpec };

export class LocalStepFunctions {
  private readonly machines = new Map<string, StateMachineSpec>();
  private readonly executions = new Map<string, Live>();
  /** The definitions validated already (by their first execution): each is validated once. */
  private readonly validated = new WeakSet<object>();
  private readonly tokens = new Map<string, PendingToken>();
  private readonly finishedTokens = new Map<string, 'timed-out' | 'done'>();
  private readonly dir: string | undefined;
  private closing = false;
  readonly stats = { transitions: 0, invocations: 0, executions: 0 };

  constructor(private readonly opts: LocalStepFunctionsOptions) {
    const specs = [...(opts.stateMachines ?? []), ...(opts.stateMachineArn && opts.definition ? [{ arn: opts.stateMachineArn, definition: opts.definition }] : [])];
    for (const spec of specs) {
      if (!/^arn:[^:]+:states:[^:]*:[^:]*:stateMachine:[A-Za-z0-9_-]{1,80}$/.test(spec.arn)) throw new Error(`Not a state machine ARN: ${spec.arn}`);
      if (this.machines.has(spec.arn)) throw new Error(`State machine ${spec.arn} given twice`);
      this.machines.set(spec.arn, spec);
    }
    this.dir = opts.dataDir ? join(opts.dataDir, 'executions') : undefined;
    if (this.dir) mkdirSync(this.dir, { recursive: true });
  }

  /** Every state machine the service runs. */
  stateMachines(): { stateMachineArn: string; name: string }[] {
    return [...this.machines.keys()].map((arn) => ({ stateMachineArn: arn, name: stateMachineName(arn) }));
  }

  /** The state machine with this ARN, or StateMachineDoesNotExist. */
  private machine(arn: string): StateMachineSpec {
    const machine = this.machines.get(arn);
    if (!machine) throw new SfnError('StateMachineDoesNotExist', `State machine does not exist: ${arn}`);
    return machine;
  }

  executionArn(stateMachineArn: string, name: string): string {
    return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  /**
   * Loads checkpointed executions and resumes those that were running, each on its own state
   * machine. A checkpoint file that is not an execution record (truncated, overwritten) is moved
   * aside to `<file>.damaged` and reported to `onDamaged`; its execution is not resumed (the
   * reconciler starts a fresh one). A running execution of a state machine the service does not
   * run (no longer in the template) is listed but not resumed, and reported to `onOrphaned`.
   */
  restore(
    onDamaged: (file: string, problem: string, movedTo: string) => void = () => undefined,
    onOrphaned: (file: string, stateMachineArn: string) => void = () => undefined,
  ): number {
    if (!this.dir) return 0;
    let resumed = 0;
    for (const file of readdirSync(this.dir).filter((f) => f.endsWith('.json'))) {
      const path = join(this.dir, file);
      let record: ExecutionRecord;
      try {
        record = checkpointRecord(JSON.parse(readFileSync(path, 'utf8')));
      } catch (err) {
        renameSync(path, `${path}.damaged`);
        onDamaged(path, (err as Error).message, `${path}.damaged`);
        continue;
      }
      if (this.executions.has(record.executionArn)) continue;
      const live: Live = { record, file: path, abort: new AbortController(), endBusy: () => undefined };
      this.executions.set(record.executionArn, live);
      if (record.status === 'RUNNING' && !this.machines.has(record.stateMachineArn)) {
        onOrphaned(path, record.stateMachineArn);
      } else if (record.status === 'RUNNING') {
        live.resume = record.checkpoint;
        this.launch(live, record.checkpoint?.state, record.checkpoint?.input ?? record.input);
        resumed++;
      }
    }
    return resumed;
  }

  /** Starts an execution of the state machine `stateMachineArn` (which may be left out only when the service runs one). */
  startExecution(args: { stateMachineArn?: string | undefined; name?: string | undefined; input?: string | undefined }): { executionArn: string; startDate: string } {
    const only = this.machines.size === 1 ? [...this.machines.keys()][0] : undefined;
    const stateMachineArn = args.stateMachineArn ?? only;
    if (!stateMachineArn) throw new SfnError('ValidationException', 'stateMachineArn is required');
    this.machine(stateMachineArn);
    const name = args.name ?? randomUUID();
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new SfnError('InvalidName', `Invalid execution name: ${name}`);
    let input: unknown;
    try {
      input = JSON.parse(args.input ?? '{}');
    } catch {
      throw new SfnError('InvalidExecutionInput', 'Input is not valid JSON');
    }
    const executionArn = this.executionArn(stateMachineArn, name);
    const existing = this.executions.get(executionArn);
    if (existing) {
      // As in AWS: the same name and input while running answers the same execution.
      if (existing.record.status === 'RUNNING' && JSON.stringify(existing.record.input) === JSON.stringify(input)) {
        return { executionArn, startDate: existing.record.startDate };
      }
      throw new SfnError('ExecutionAlreadyExists', `Execution already exists: ${executionArn}`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn,
      name,
      input,
      status: 'RUNNING',
      startDate: this.opts.clock.now().toISOString(),
      transitions: 0,
      invocations: 0,
      history: [],
    };
    const live: Live = { record, abort: new AbortController(), endBusy: () => undefined };
    this.executions.set(executionArn, live);
    this.stats.executions++;
    this.event(live, 'ExecutionStarted', undefined, { input });
    this.countEvents(live, 1);
    this.persist(live);
    this.launch(live, undefined, input);
    return { executionArn, startDate: record.startDate };
  }

  describeExecution(executionArn: string): ExecutionRecord {
    const live = this.executions.get(executionArn);
    if (!live) throw new SfnError('ExecutionDoesNotExist', `Execution does not exist: ${executionArn}`);
    return live.record;
  }

  /** Executions, latest first: of every state machine, or of `stateMachineArn` only (which must exist). */
  listExecutions(statusFilter?: ExecutionStatus, stateMachineArn?: string): ExecutionRecord[] {
    if (stateMachineArn !== undefined) this.machine(stateMachineArn);
    return [...this.executions.values()]
      .map((l) => l.record)
      .filter((r) => (!statusFilter || r.status === statusFilter) && (stateMachineArn === undefined || r.stateMachineArn === stateMachineArn))
      .sort((a, b) => b.startDate.localeCompare(a.startDate));
  }

  stopExecution(executionArn: string, error?: string, cause?: string): { stopDate: string } {
    const live = this.executions.get(executionArn);
    if (!live) throw new SfnError('ExecutionDoesNotExist', `Execution does not exist: ${executionArn}`);
    if (live.record.status === 'RUNNING') {
      this.finish(live, 'ABORTED', undefined, error, cause);
      live.abort.abort(new SfnError('ExecutionAborted', cause ?? 'stopped'));
      live.stopRun?.();
    }
    return { stopDate: live.record.stopDate ?? this.opts.clock.now().toISOString() };
  }

  sendTaskSuccess(token: string, output: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new SfnError('InvalidOutput', 'Output is not valid JSON');
    }
    this.takeToken(token).resolve(parsed);
  }

  sendTaskFailure(token: string, error?: string, cause?: string): void {
    const err = new Error(cause ?? '');
    err.name = error ?? 'States.TaskFailed';
    this.takeToken(token).reject(err);
  }

  sendTaskHeartbeat(token: string): void {
    if (!this.tokens.has(token)) this.takeToken(token);
  }

  private takeToken(token: string): PendingToken {
    const pending = this.tokens.get(token);
    if (pending) {
      this.tokens.delete(token);
      this.finishedTokens.set(token, 'done');
      return pending;
    }
    if (this.finishedTokens.get(token) === 'timed-out') throw new SfnError('TaskTimedOut', 'Task timed out');
    if (this.finishedTokens.has(token)) throw new SfnError('TaskDoesNotExist', 'Task already completed');
    throw new SfnError('InvalidToken', 'Invalid task token');
  }

  /** Runs (or resumes) an execution in the emulator. */
  private launch(live: Live, startAt: string | undefined, input: unknown) {
    const source = this.machine(live.record.stateMachineArn).definition;
    const { definition, kinds } = prepareDefinition(source, startAt);
    // A definition is validated once, by its first execution from its own StartAt, as AWS validates it
    // once when the state machine is created or updated (validating it again on every start took
    // about 75 ms of CPU each: most of the local system's time under load; issue 21). Resuming
    // starts at the checkpointed state, which leaves the states before it unreachable: the validator
    // refuses that (MISSING_TRANSITION_TARGET), so a resumed run is never what validates.
    const validate = !startAt && !this.validated.has(source);
    const machine = new StateMachine(definition as never, { validationOptions: validate ? { checkArn: false } : { noValidate: true } });
    if (validate) this.validated.add(source);
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [name, kind] of Object.entries(kinds)) {
      const handler = this.handlerFor(live, source, name, kind);
      if (handler) handlers[name] = handler;
    }
    const retryIntervalOverrides = Object.fromEntries(Object.keys(kinds).map((n) => [n, retryIntervals(definition, n, this.opts.retryIntervalMs ?? 10)]));
    live.endBusy = this.opts.clock.begin();
    this.armLifetime(live);
    const smArn = live.record.stateMachineArn;
    const run = machine.run(input as never, {
      noThrowOnAbort: true,
      overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides },
      context: {
        Execution: { Id: live.record.executionArn, Name: live.record.name, LocalStartTime: live.record.startDate },
        StateMachine: { Id: smArn, Name: stateMachineName(smArn) },
        Task: { Token: TOKEN_SENTINEL },
      },
    });
    live.stopRun = run.abort;
    // The emulator closes its event log before it settles the result: the run's last events (the
    // final state's exit) are checkpointed and counted before the execution is finished.
    const followed = this.follow(live, run.eventLogs).catch(() => undefined);
    run.result.then(
      async (output) => {
        await followed;
        if (this.closing) return live.endBusy();
        if (live.record.status === 'RUNNING') this.finish(live, 'SUCCEEDED', output);
      },
      async (err: unknown) => {
        await followed;
        if (this.closing) return live.endBusy();
        if (live.record.status !== 'RUNNING') return;
        const cause = (err as { cause?: unknown }).cause as { name?: string; message?: string } | undefined;
        const e = cause && typeof cause === 'object' ? cause : (err as Error);
        this.finish(live, 'FAILED', undefined, e.name ?? 'States.Runtime', e.message ?? String(err));
      },
    );
  }

  /** Checkpoints each state as it is entered and keeps a bounded history. */
  private async follow(live: Live, events: AsyncGenerator<{ type: string; state?: { name: string; input: unknown; output?: unknown }; Error?: string; Cause?: unknown }>) {
    for await (const ev of events) {
      if (live.record.status !== 'RUNNING') break;
      if (ev.type === 'StateEntered' && ev.state) {
        live.record.transitions++;
        this.stats.transitions++;
        const resumeSame = live.resume?.state === ev.state.name;
        live.record.checkpoint = { state: ev.state.name, input: ev.state.input, ...(resumeSame ? { deadline: live.resume?.deadline, token: live.resume?.token } : {}) };
        if (!resumeSame) live.resume = undefined;
        this.event(live, 'StateEntered', ev.state.name);
        if (!this.countEvents(live, 1)) break;
        this.persist(live);
      } else if (ev.type === 'StateExited' && ev.state) {
        this.event(live, 'StateExited', ev.state.name);
        if (!this.countEvents(live, 1)) break;
      } else if (ev.type === 'StateFailed' || ev.type === 'StateRetried' || ev.type === 'StateCaught') {
        this.event(live, ev.type, ev.state?.name, ev.Error ? { error: ev.Error, cause: ev.Cause } : undefined);
      }
    }
  }

  private handlerFor(live: Live, definition: AslDefinition, stateName: string, kind: StateKind): ((input: unknown) => Promise<unknown>) | undefined {
    const clock = this.opts.clock;
    switch (kind) {
      case 'wait':
        return async (input) => {
          const spec = input as { at?: string; seconds?: number };
          const deadline =
            live.resume?.state === stateName && live.resume.deadline !== undefined
              ? live.resume.deadline
              : spec.at !== undefined
                ? Date.parse(spec.at)
                : clock.now().getTime() + (spec.seconds ?? 0) * 1000;
          this.remember(live, stateName, { deadline });
          await this.asleep(live, clock.sleepUntil(new Date(deadline), live.abort.signal));
          return null;
        };
      case 'token':
        return async (input) => {
          const params = { ...(input as Record<string, unknown>) };
          const timeoutSeconds = Number(params[LOCAL_TIMEOUT_KEY] ?? 31_536_000);
          delete params[LOCAL_TIMEOUT_KEY];
          const resumed = live.resume?.state === stateName && live.resume.token ? live.resume : undefined;
          const token = resumed?.token ?? `${randomUUID()}${randomUUID()}`.replace(/-/g, '');
          const deadline = resumed?.deadline ?? clock.now().getTime() + timeoutSeconds * 1000;
          this.remember(live, stateName, { deadline, token });
          const answer = new Promise<unknown>((resolve, reject) => this.tokens.set(token, { exec: live, resolve, reject }));
          answer.catch(() => undefined);
          await this.invokeLambda(live, String(params.FunctionName), withToken(params.Payload, token));
          // TaskSubmitted: the callback is awaited (its answer, success, failure or time-out, was counted with the invocation).
          if (!this.countEvents(live, 1)) throw this.ended(live);
          const timeout = clock.sleepUntil(new Date(deadline), live.abort.signal).then(() => {
            this.tokens.delete(token);
            this.finishedTokens.set(token, 'timed-out');
            const err = new Error('Task timed out');
            err.name = 'States.Timeout';
            throw err;
          });
          return this.asleep(live, Promise.race([answer, timeout]));
        };
      case 'lambda':
        return (input) => this.invokeLambda(live, String(definition.States[stateName]!.Resource), input);
      case 'lambda-invoke':
        return async (input) => {
          const p = input as { FunctionName: string; Payload: unknown };
          return { Payload: await this.invokeLambda(live, p.FunctionName, p.Payload), StatusCode: 200 };
        };
      case 'start-execution':
        return async (input) => {
          const p = input as { StateMachineArn: string; Name?: string; Input?: unknown };
          // TaskScheduled, TaskStarted, TaskSucceeded (or TaskFailed).
          if (!this.countEvents(live, 3)) throw this.ended(live);
          const out = this.startExecution({ stateMachineArn: p.StateMachineArn, name: p.Name, input: typeof p.Input === 'string' ? p.Input : JSON.stringify(p.Input ?? {}) });
          return { ExecutionArn: out.executionArn, StartDate: out.startDate };
        };
      default:
        return undefined;
    }
  }

  private async invokeLambda(live: Live, functionArn: string, payload: unknown): Promise<unknown> {
    // Each attempt: (Lambda|Task)Scheduled, ...Started, ...Succeeded or ...Failed / ...TimedOut.
    // An execution already ended (a quota, a stop) invokes nothing more.
    if (!this.countEvents(live, 3)) throw this.ended(live);
    live.record.invocations++;
    this.stats.invocations++;
    return this.opts.clock.track(() => this.opts.invoke(functionArn, payload));
  }

  /** Sleeping on the clock or on a callback is not work in progress. */
  private async asleep<T>(live: Live, promise: Promise<T>): Promise<T> {
    live.endBusy();
    try {
      return await promise;
    } finally {
      live.endBusy = live.record.status === 'RUNNING' ? this.opts.clock.begin() : () => undefined;
    }
  }

  private remember(live: Live, state: string, extra: Partial<Checkpoint>) {
    if (live.record.checkpoint?.state === state) {
      Object.assign(live.record.checkpoint, extra);
      this.persist(live);
    }
  }

  private finish(live: Live, status: ExecutionStatus, output?: unknown, error?: string, cause?: string) {
    const r = live.record;
    r.status = status;
    r.stopDate = this.opts.clock.now().toISOString();
    // The closing event (ExecutionSucceeded, ...Failed, ...TimedOut, ...Aborted) may be the 25,000th.
    r.historyEvents = (r.historyEvents ?? 0) + 1;
    live.lifetime?.abort();
    if (output !== undefined) r.output = output;
    if (error) r.error = error;
    if (cause) r.cause = cause;
    for (const [token, p] of this.tokens) {
      if (p.exec === live) {
        this.tokens.delete(token);
        this.finishedTokens.set(token, 'done');
      }
    }
    this.event(live, `Execution${status === 'SUCCEEDED' ? 'Succeeded' : status === 'FAILED' ? 'Failed' : status === 'ABORTED' ? 'Aborted' : 'TimedOut'}`, undefined, error ? { error, cause } : undefined);
    this.persist(live);
    live.endBusy();
  }

  /**
   * Counts `n` history events the way AWS records them, approximately: ExecutionStarted; every
   * state entered and exited (Pass, Choice, Wait, Task, Succeed, Fail: 2 each); per Lambda or
   * service task attempt, scheduled + started + succeeded/failed/timed-out (3; a retried attempt
   * counts again; Step Functions records no separate "retried" event); TaskSubmitted for a callback
   * task; the closing event (in finish). False — and the execution failed with States.Runtime — when
   * these events would reach the 25,000th, which only ExecutionSucceeded may be.
   */
  private countEvents(live: Live, n: number): boolean {
    const r = live.record;
    if (r.status !== 'RUNNING') return false;
    const count = (r.historyEvents ?? 0) + n;
    if (count < MAX_HISTORY_EVENTS) {
      r.historyEvents = count;
      return true;
    }
    r.historyEvents = MAX_HISTORY_EVENTS - 1; // finish() counts ExecutionFailed as the 25,000th
    this.end(live, 'FAILED', 'States.Runtime', HISTORY_LIMIT_CAUSE);
    return false;
  }

  /** The one-year limit, on the local clock, from the execution's start (also for a resumed execution). */
  private armLifetime(live: Live) {
    if (live.record.status !== 'RUNNING') return;
    live.lifetime?.abort();
    const lifetime = new AbortController();
    live.lifetime = lifetime;
    const deadline = new Date(Date.parse(live.record.startDate) + MAX_EXECUTION_MS);
    this.opts.clock.sleepUntil(deadline, lifetime.signal).then(
      () => {
        if (live.record.status === 'RUNNING' && !this.closing) this.end(live, 'TIMED_OUT', 'States.Timeout', EXECUTION_TIME_CAUSE);
      },
      () => undefined,
    );
  }

  /** Ends a running execution from outside its states (a quota): recorded, then its run stopped. */
  private end(live: Live, status: ExecutionStatus, error: string, cause: string) {
    this.finish(live, status, undefined, error, cause);
    live.abort.abort(this.ended(live));
    live.stopRun?.();
  }

  /** The error a state of an execution that has ended gets (its run is being stopped). */
  private ended(live: Live): SfnError {
    return new SfnError(live.record.error ?? 'ExecutionAborted', live.record.cause ?? `execution ${live.record.status}`);
  }

  private event(live: Live, type: string, state?: string, detail?: unknown) {
    const h = live.record.history;
    const id = (h.at(-1)?.id ?? 0) + 1;
    h.push({ id, timestamp: this.opts.clock.now().toISOString(), type, ...(state ? { state } : {}), ...(detail !== undefined ? { detail } : {}) });
    if (h.length > HISTORY_LIMIT) h.splice(0, h.length - HISTORY_LIMIT);
  }

  private persist(live: Live) {
    if (!this.dir) return;
    // Executions of different state machines may share a name: the file is named by both.
    const file = (live.file ??= join(this.dir, `${live.record.name}@${stateMachineName(live.record.stateMachineArn)}.json`));
    writeFileSync(`${file}.tmp`, JSON.stringify(live.record));
    renameSync(`${file}.tmp`, file);
  }

  /** Stops every running execution's emulator run (not their records): for shutting down. */
  shutdown() {
    this.closing = true;
    for (const live of this.executions.values()) {
      live.lifetime?.abort();
      live.abort.abort(new Error('shutting down'));
      live.stopRun?.();
    }
  }
}

