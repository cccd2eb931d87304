/** LifecycleWorkflow over Step Functions. */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  InvalidToken,
  type SFNClient,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { EXECUTION_EVENTS_SHOWN, type ExecutionDetail, type ExecutionEvent, type ExecutionStatus, type LifecycleWorkflow } from '../core/ports.ts';

export class StepFunctionsWorkflow implements LifecycleWorkflow {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  executionArn(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  async start(executionName: string, input: Record<string, unknown>): Promise<void> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: executionName, input: JSON.stringify(input) }),
      );
    } catch (err) {
      // The same name again: the execution we wanted is there already.
      if (err instanceof ExecutionAlreadyExists) return;
      throw err;
    }
  }

  async describe(executionName: string): Promise<ExecutionStatus | undefined> {
    try {
      const out = await this.sfn.send(new DescribeExecutionCommand({ executionArn: this.executionArn(executionName) }));
      return out.status as ExecutionStatus | undefined;
    } catch (err) {
      if (err instanceof ExecutionDoesNotExist) return undefined;
      throw err;
    }
  }

  async execution(executionName: string): Promise<ExecutionDetail | undefined> {
    const executionArn = this.executionArn(executionName);
    try {
      const [out, history] = await Promise.all([
        this.sfn.send(new DescribeExecutionCommand({ executionArn })),
        // The newest events first, one page: what an operator looks at.
        this.sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: EXECUTION_EVENTS_SHOWN, includeExecutionData: false })),
      ]);
      return {
        name: executionName,
        status: (out.status ?? 'RUNNING') as ExecutionStatus,
        startDate: (out.startDate ?? new Date(0)).toISOString(),
        stopDate: out.stopDate?.toISOString(),
        error: out.error,
        cause: out.cause,
        events: (history.events ?? []).map(eventOf),
        eventsTruncated: Boolean(history.nextToken),
      };
    } catch (err) {
      if (err instanceof ExecutionDoesNotExist) return undefined;
      throw err;
    }
  }

  async stop(executionName: string, cause: string): Promise<void> {
    try {
      await this.sfn.send(new StopExecutionCommand({ executionArn: this.executionArn(executionName), cause }));
    } catch (err) {
      if (err instanceof ExecutionDoesNotExist) return;
      throw err;
    }
  }

  async resume(taskToken: string, output: Record<string, unknown>): Promise<boolean> {
    try {
      await this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
      return true;
    } catch (err) {
      if (err instanceof TaskTimedOut || err instanceof TaskDoesNotExist || err instanceof InvalidToken) return false;
      throw err;
    }
  }
}

/** One history event: its type, the state it names, and the error and cause of a failure, whichever details it carries. */
function eventOf(e: HistoryEvent): ExecutionEvent {
  const details = Object.entries(e).filter(([k, v]) => k.endsWith('EventDetails') && typeof v === 'object' && v !== null).map(([, v]) => v as Record<string, unknown>);
  const pick = (key: string) => details.map((d) => d[key]).find((v): v is string => typeof v === 'string');
  return {
    id: e.id ?? 0,
    at: (e.timestamp ?? new Date(0)).toISOString(),
    type: e.type ?? 'Unknown',
    state: e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name,
    error: pick('error'),
    cause: pick('cause'),
  };
}
