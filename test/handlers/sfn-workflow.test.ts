/**
 * The Step Functions adapter of the LifecycleWorkflow port, on aws-sdk-client-mock: an execution as
 * HMS IT sees it, from DescribeExecution and the newest page of GetExecutionHistory.
 */
import { DescribeExecutionCommand, ExecutionDoesNotExist, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { StepFunctionsWorkflow } from '../../shared/adapters/sfn-workflow.ts';
import { EXECUTION_EVENTS_SHOWN } from '../../shared/core/ports.ts';

const sfn = mockClient(SFNClient);
const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:GuestLifecycle';
const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:GuestLifecycle:g-1';

beforeEach(() => sfn.reset());

describe('StepFunctionsWorkflow.execution', () => {
  it('status and dates from DescribeExecution; the newest events, with the state and the failure each names', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand, { executionArn: EXECUTION }).resolves({ executionArn: EXECUTION, stateMachineArn: ARN, status: 'FAILED', startDate: new Date('2027-01-04T14:00:00Z'), stopDate: new Date('2027-01-04T14:05:00Z'), error: 'States.TaskFailed', cause: 'boom' });
    sfn.on(GetExecutionHistoryCommand).resolves({
      nextToken: 'more',
      events: [
        { id: 9, timestamp: new Date('2027-01-04T14:05:00Z'), type: 'ExecutionFailed', executionFailedEventDetails: { error: 'States.TaskFailed', cause: 'boom' } },
        { id: 8, timestamp: new Date('2027-01-04T14:04:59Z'), type: 'LambdaFunctionFailed', lambdaFunctionFailedEventDetails: { error: 'Error', cause: 'directory down' } },
        { id: 7, timestamp: new Date('2027-01-04T14:04:58Z'), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Provision' } },
      ],
    });
    const workflow = new StepFunctionsWorkflow(new SFNClient({ region: 'us-east-1' }), ARN);

    // Act
    const e = await workflow.execution('g-1');

    // Assess
    expect(sfn.commandCalls(GetExecutionHistoryCommand)[0]!.args[0].input).toEqual({ executionArn: EXECUTION, reverseOrder: true, maxResults: EXECUTION_EVENTS_SHOWN, includeExecutionData: false });
    expect(e).toEqual({
      name: 'g-1',
      status: 'FAILED',
      startDate: '2027-01-04T14:00:00.000Z',
      stopDate: '2027-01-04T14:05:00.000Z',
      error: 'States.TaskFailed',
      cause: 'boom',
      eventsTruncated: true,
      events: [
        { id: 9, at: '2027-01-04T14:05:00.000Z', type: 'ExecutionFailed', state: undefined, error: 'States.TaskFailed', cause: 'boom' },
        { id: 8, at: '2027-01-04T14:04:59.000Z', type: 'LambdaFunctionFailed', state: undefined, error: 'Error', cause: 'directory down' },
        { id: 7, at: '2027-01-04T14:04:58.000Z', type: 'TaskStateEntered', state: 'Provision', error: undefined, cause: undefined },
      ],
    });
  });

  it('an execution Step Functions does not know: undefined', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'no', $metadata: {} }));
    sfn.on(GetExecutionHistoryCommand).rejects(new ExecutionDoesNotExist({ message: 'no', $metadata: {} }));
    expect(await new StepFunctionsWorkflow(new SFNClient({ region: 'us-east-1' }), ARN).execution('g-9')).toBeUndefined();
  });
});
