/** The guest lifecycle: one Standard state machine execution per guest, and the Lambda running its tasks (infra/lifecycle-machine.ts). */
import type { Construct } from 'constructs';
import type { ConfigKey } from '../shared/config.ts';
import { GuestLifecycleDefinition } from '../workflows/guest.ts';
import { LifecycleMachine, type MachineSpec } from './lifecycle-machine.ts';
import type { Mail } from './mail.ts';
import type { GuestsTableAction, Storage } from './storage.ts';

export { stateMachineArns, type ExecutionAction } from './lifecycle-machine.ts';

/**
 * The lifecycle task function's item actions on the guests table: the guest (GetItem, conditional
 * PutItem), its audit events (PutItem), account IDs (BatchGetItem of up to 100 candidates, then a
 * conditional PutItem). No UpdateItem (no task counts attempts), no Query (no task lists guests or
 * reads a history), no index.
 */
export const LIFECYCLE_TASK_GUESTS_ACTIONS: readonly GuestsTableAction[] = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem'];

export interface LifecycleProps {
  /** Explicit, deterministic name: the definition starts its successor (continue-as-new) by name. */
  readonly stateMachineName: string;
  readonly storage: Storage;
  readonly mail: Mail;
  /** Settings of the task function that no resource gives (the links in emails, the directories' URLs). */
  readonly settings: Partial<Record<ConfigKey, string | undefined>>;
}

const GUEST_MACHINE: MachineSpec = { definition: GuestLifecycleDefinition, taskEntry: 'functions/lifecycle-task.ts', taskDescription: 'Guest lifecycle: every Step Functions task', arnSetting: 'stateMachineArn', recordNoun: 'guest' };

export class Lifecycle extends LifecycleMachine {
  constructor(scope: Construct, id: string, props: LifecycleProps) {
    super(scope, id, props.stateMachineName, GUEST_MACHINE);
    // Only what shared/guest/app/tasks.ts (and the use cases it shares with the API) calls: the guest,
    // its audit events and account IDs (LIFECYCLE_TASK_GUESTS_ACTIONS); people and HSR records
    // (GetItem); the emails; and a sponsor's decision already recorded, completed on the waiting
    // token (SendTaskSuccess). Each binding sets the variable naming its resource.
    props.storage.bindGuests(this.taskFunction, LIFECYCLE_TASK_GUESTS_ACTIONS);
    props.storage.bindDirectory(this.taskFunction, ['dynamodb:GetItem']);
    props.mail.bindSend(this.taskFunction);
    this.bindTaskResponse(this.taskFunction);
    this.taskFunction.configure(props.settings);
  }
}
