/** The O2 lifecycle (issue 14): one Standard state machine execution per O2 account, and the Lambda running its tasks (infra/lifecycle-machine.ts). */
import type { Construct } from 'constructs';
import { O2LifecycleDefinition } from '../workflows/o2.ts';
import type { Lifecycle, LifecycleProps } from './lifecycle.ts';
import { LifecycleMachine, type MachineSpec } from './lifecycle-machine.ts';
import type { O2TableAction } from './storage.ts';

/**
 * The O2 task function's item actions on the O2 table: the O2 account and its lab (GetItem), their
 * conditional changes and audit events, uid number reservations (PutItem). No Query: no task lists
 * accounts or reads a history.
 */
export const O2_TASK_O2_ACTIONS: readonly O2TableAction[] = ['dynamodb:GetItem', 'dynamodb:PutItem'];

export interface O2LifecycleProps extends LifecycleProps {
  /** The guest lifecycle: its state machine is only named on the task function (every handler loads the whole configuration). */
  readonly guestLifecycle: Lifecycle;
}

const O2_MACHINE: MachineSpec = { definition: O2LifecycleDefinition, taskEntry: 'functions/o2-task.ts', taskDescription: 'O2 lifecycle: every task of its state machine', arnSetting: 'o2StateMachineArn', recordNoun: 'O2 account' };

export class O2Lifecycle extends LifecycleMachine {
  constructor(scope: Construct, id: string, props: O2LifecycleProps) {
    super(scope, id, props.stateMachineName, O2_MACHINE);
    // Only what shared/o2/app/tasks.ts calls: the O2 account, its lab, their audit events and
    // uid numbers (O2_TASK_O2_ACTIONS); the guest account it rests on (GetItem); people (GetItem);
    // the emails; its own waiting step resumed when what it waits for happened already
    // (SendTaskSuccess). The guest lifecycle's state machine is named, not granted.
    const fn = this.taskFunction;
    props.storage.bindO2(fn, O2_TASK_O2_ACTIONS);
    props.storage.bindGuests(fn, ['dynamodb:GetItem']);
    props.storage.bindDirectory(fn, ['dynamodb:GetItem']);
    props.mail.bindSend(fn);
    this.bindTaskResponse(fn);
    fn.configure({ stateMachineArn: props.guestLifecycle.stateMachineArn, ...props.settings });
  }
}
