/**
 * A lifecycle's definition as Amazon States Language, for the contract tests (test/cdk/*-contract):
 * its states, the Lambda tasks and what they send, the values its Choice states test.
 */
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ChainDefinitionBody, StateGraph, StateMachine, type State } from 'aws-cdk-lib/aws-stepfunctions';
import type { DefinitionClass } from '../../infra/lifecycle-machine.ts';

export interface Rule {
  Variable?: string;
  StringEquals?: string;
  And?: Rule[];
  Next?: string;
}
export interface AslState {
  Type: string;
  Resource?: unknown;
  Parameters?: Record<string, unknown> & { Payload?: Record<string, unknown>; Input?: Record<string, unknown> };
  Choices?: Rule[];
  Default?: string;
}

/** The definition's states, built with a task function of this ARN. */
export function definitionStates(Definition: DefinitionClass, taskArn: string, name: string): Record<string, AslState> {
  const stack = new Stack();
  const definition = new Definition(stack, 'Definition', {
    taskFunction: lambda.Function.fromFunctionArn(stack, 'Task', taskArn),
    self: StateMachine.fromStateMachineName(stack, 'Self', name),
  });
  const { chainable } = definition.definitionBody as ChainDefinitionBody;
  const graph = new StateGraph(chainable.startState as State, name);
  return (stack.resolve(graph.toGraphJson()) as { States: Record<string, AslState> }).States;
}

/** The Lambda tasks' payloads: the state's Parameters when it invokes the function directly, its Payload through lambda:invoke (the callback steps). */
export function lambdaTasksOf(states: Record<string, AslState>, taskArn: string): (readonly [string, Record<string, unknown>])[] {
  return Object.entries(states)
    .filter(([, s]) => s.Type === 'Task' && (s.Resource === taskArn || s.Parameters?.FunctionName === taskArn))
    .map(([name, s]) => [name, (s.Resource === taskArn ? s.Parameters : s.Parameters?.Payload) as Record<string, unknown>] as const);
}

/** Every (variable, value) a Choice state tests, through And. */
export function tested(rules: Rule[]): [string, string][] {
  return rules.flatMap((r) => [...(r.Variable && r.StringEquals !== undefined ? [[r.Variable, r.StringEquals] as [string, string]] : []), ...tested(r.And ?? [])]);
}
