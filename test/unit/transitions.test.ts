/**
 * The lifecycle's one table of status changes (shared/guest/domain/transitions.ts): what it allows and
 * refuses, with the words the API answers (409), what is derived from it, and the README's
 * lifecycle diagram, which must draw exactly its transitions.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../shared/core/domain/errors.ts';
import { FINAL_STATUSES, STATUSES, type GuestStatus } from '../../shared/guest/domain/model.ts';
import {
  can,
  endsLifecycle,
  isFinal,
  isOpenRequest,
  isProvisioned,
  START,
  statusChange,
  transition,
  TRANSITIONS,
  type LifecycleEvent,
} from '../../shared/guest/domain/transitions.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** Runs `fn` and returns what it threw, asserting it is a ConflictError. */
function conflict(fn: () => unknown): ConflictError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConflictError);
  return error as ConflictError;
}

describe('the transitions table', () => {
  it('has one row per (status, event), and only statuses of the model', () => {
    const keys = TRANSITIONS.map(([from, event]) => `${from} ${event}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const [from, , to] of TRANSITIONS) {
      expect([START, ...STATUSES]).toContain(from);
      expect(STATUSES).toContain(to);
    }
  });

  it('reaches every status from the request', () => {
    const reached = new Set<string>([START]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [from, , to] of TRANSITIONS) {
        if (reached.has(from) && !reached.has(to)) {
          reached.add(to);
          grew = true;
        }
      }
    }
    expect([...STATUSES].filter((s) => !reached.has(s))).toEqual([]);
  });

  it.each(TRANSITIONS.map(([from, event, to]) => [from, event, to] as const))('%s on %s → %s', (from, event, to) => {
    expect(transition(from, event)).toBe(to);
    expect(can(from, event)).toBe(true);
  });

  it('statusChange writes the status only when it moves', () => {
    expect(statusChange('PENDING_APPROVAL', 'approve')).toEqual({});
    expect(statusChange('PENDING_APPROVAL', 'deny')).toEqual({ status: 'DENIED' });
    expect(() => statusChange('DENIED', 'deny')).toThrow(ConflictError);
  });
});

describe('refusals: a 409 with the words the API has always answered', () => {
  const refused = (event: LifecycleEvent) => STATUSES.filter((s) => !can(s, event));
  const cases: [LifecycleEvent, (s: GuestStatus) => string, GuestStatus[]][] = [
    ['cancel', (s) => `A guest in status ${s} cannot be cancelled.`, ['EXPIRED', 'DENIED', 'APPROVAL_EXPIRED', 'HSR_TIMEOUT', 'CANCELLED', 'FAILED']],
    ['extend', (s) => `A guest in status ${s} cannot be extended.`, ['PENDING_HSR', 'PENDING_APPROVAL', 'EXPIRED', 'DENIED', 'APPROVAL_EXPIRED', 'HSR_TIMEOUT', 'CANCELLED', 'FAILED']],
    ['expire', (s) => `A guest in status ${s} cannot be expired.`, ['PENDING_HSR', 'PENDING_APPROVAL', 'EXPIRED', 'DENIED', 'APPROVAL_EXPIRED', 'HSR_TIMEOUT', 'CANCELLED', 'FAILED']],
    ['approve', (s) => `The request is ${s}; it can no longer be decided.`, ['PENDING_ACTIVATION', 'ACTIVE', 'EXPIRED', 'DENIED', 'APPROVAL_EXPIRED', 'HSR_TIMEOUT', 'CANCELLED', 'FAILED']],
    ['deny', (s) => `The request is ${s}; it can no longer be decided.`, ['PENDING_ACTIVATION', 'ACTIVE', 'EXPIRED', 'DENIED', 'APPROVAL_EXPIRED', 'HSR_TIMEOUT', 'CANCELLED', 'FAILED']],
    ['resend-activation', (s) => `The account is ${s}; there is nothing to activate.`, STATUSES.filter((s) => s !== 'PENDING_ACTIVATION')],
  ];

  it.each(cases)('%s is refused in exactly the statuses listed, with its message', (event, message, statuses) => {
    expect(refused(event)).toEqual(statuses);
    for (const status of statuses) expect(conflict(() => transition(status, event)).message).toBe(message(status));
  });

  it('a restore is refused like an extension outside EXPIRED', () => {
    expect(STATUSES.filter((s) => can(s, 'restore'))).toEqual(['EXPIRED']);
    expect(conflict(() => transition('ACTIVE', 'restore')).message).toBe('A guest in status ACTIVE cannot be extended.');
  });
});

describe('what is derived from the table', () => {
  it('the final statuses are those no event leads out of, as the model lists them', () => {
    expect(STATUSES.filter(isFinal)).toEqual([...FINAL_STATUSES]);
  });

  it('a provisioned account is PENDING_ACTIVATION, ACTIVE or EXPIRED', () => {
    expect(STATUSES.filter(isProvisioned)).toEqual(['PENDING_ACTIVATION', 'ACTIVE', 'EXPIRED']);
  });

  it('an open request is PENDING_HSR or PENDING_APPROVAL', () => {
    expect(STATUSES.filter(isOpenRequest)).toEqual(['PENDING_HSR', 'PENDING_APPROVAL']);
  });

  it('a guest fails to FAILED from every status that is not final, and from no other', () => {
    expect(STATUSES.filter((s) => can(s, 'fail'))).toEqual(STATUSES.filter((s) => !isFinal(s) && s !== 'FAILED'));
    expect(STATUSES.filter((s) => can(s, 'fail')).every((s) => transition(s, 'fail') === 'FAILED')).toBe(true);
  });

  it('a lifecycle ends in a final status, or as EXPIRED when the restore window closes', () => {
    expect(STATUSES.filter(endsLifecycle)).toEqual(['EXPIRED', ...FINAL_STATUSES]);
  });
});

/** The edges of the README's ```mermaid stateDiagram-v2 block, as "FROM --> TO"; any other line in it fails. */
function readmeDiagramEdges(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /```mermaid\n\s*stateDiagram-v2\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no ```mermaid stateDiagram-v2 block');
  const edges: string[] = [];
  for (const line of block[1]!.split('\n').map((l) => l.trim())) {
    if (!line) continue;
    const edge = /^(\[\*\]|[A-Z_]+) --> (\[\*\]|[A-Z_]+)(?:: .+)?$/.exec(line);
    if (!edge) throw new Error(`Not an edge of the lifecycle diagram: ${line}`);
    edges.push(`${edge[1]} --> ${edge[2]}`);
  }
  return edges;
}

/** What the table says the diagram must draw: each transition's (from, to), and each way a lifecycle ends. */
function tableEdges(): string[] {
  const moves = TRANSITIONS.map(([from, , to]) => `${from} --> ${to}`);
  const ends = STATUSES.filter(endsLifecycle).map((s) => `${s} --> [*]`);
  return [...new Set([...moves, ...ends])];
}

describe("the README's lifecycle diagram", () => {
  it('has no edge twice', () => {
    const edges = readmeDiagramEdges();
    expect(edges.length).toBeGreaterThan(10);
    expect(edges.filter((e, i) => edges.indexOf(e) !== i)).toEqual([]);
  });

  it('draws every transition of the table', () => {
    const drawn = new Set(readmeDiagramEdges());
    expect(tableEdges().filter((e) => !drawn.has(e))).toEqual([]);
  });

  it('draws no edge the table does not have', () => {
    const table = new Set(tableEdges());
    expect(readmeDiagramEdges().filter((e) => !table.has(e))).toEqual([]);
  });
});
