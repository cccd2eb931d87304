/**
 * The O2 lifecycle's one table of status changes (shared/o2/domain/transitions.ts): what it allows
 * and refuses (409 with the words the API answers), what is derived from it, and the README's
 * "O2 lifecycle" diagram, which must draw exactly its transitions (as test/unit/transitions.test.ts
 * does for guests).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../shared/core/domain/errors.ts';
import { O2_FINAL_STATUSES, O2_STATUSES } from '../../shared/o2/domain/model.ts';
import { O2_TRANSITIONS, o2Can, o2EndsLifecycle, o2IsFinal, o2IsOpenRequest, o2IsSetUp, o2StatusChange, o2Transition, START } from '../../shared/o2/domain/transitions.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('the O2 transitions table', () => {
  it('has one row per (status, event), and only statuses of the model', () => {
    // Act
    const keys = O2_TRANSITIONS.map(([from, event]) => `${from} ${event}`);
    // Assess
    expect(new Set(keys).size).toBe(keys.length);
    for (const [from, , to] of O2_TRANSITIONS) {
      expect([START, ...O2_STATUSES]).toContain(from);
      expect(O2_STATUSES).toContain(to);
    }
  });

  it('reaches every status from the request', () => {
    const reached = new Set<string>([START]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [from, , to] of O2_TRANSITIONS) {
        if (reached.has(from) && !reached.has(to)) {
          reached.add(to);
          grew = true;
        }
      }
    }
    expect(O2_STATUSES.filter((s) => !reached.has(s))).toEqual([]);
  });

  it.each(O2_TRANSITIONS.map(([from, event, to]) => [from, event, to] as const))('%s on %s → %s', (from, event, to) => {
    expect(o2Transition(from, event)).toBe(to);
    expect(o2Can(from, event)).toBe(true);
  });

  it('refuses what the table does not allow with a 409 in words', () => {
    // Act
    const refusal = (() => {
      try {
        o2Transition('PENDING_PI_APPROVAL', 'renew');
      } catch (e) {
        return e;
      }
    })();
    // Assess
    expect(refusal).toBeInstanceOf(ConflictError);
    expect((refusal as Error).message).toBe('Only an expired O2 account can be renewed; this one is PENDING_PI_APPROVAL.');
    expect(() => o2Transition('DENIED', 'cancel')).toThrow('An O2 account in status DENIED cannot be cancelled.');
    expect(() => o2Transition('EXPIRED', 'retain')).toThrow('Only an active O2 account can be kept when leaving HMS; this one is EXPIRED.');
  });

  it('o2StatusChange writes the status only when it moves', () => {
    expect(o2StatusChange('PENDING_PI_APPROVAL', 'approve')).toEqual({});
    expect(o2StatusChange('PENDING_PI_APPROVAL', 'deny')).toEqual({ status: 'DENIED' });
    expect(() => o2StatusChange('DENIED', 'deny')).toThrow(ConflictError);
  });
});

describe('what is derived from the O2 table', () => {
  it('the final statuses are those no event leads out of, as the model lists them', () => {
    expect(O2_STATUSES.filter(o2IsFinal)).toEqual([...O2_FINAL_STATUSES]);
  });

  it('an open request (the PI may still decide) is PENDING_HMS_ACCOUNT or PENDING_PI_APPROVAL', () => {
    expect(O2_STATUSES.filter(o2IsOpenRequest)).toEqual(['PENDING_HMS_ACCOUNT', 'PENDING_PI_APPROVAL']);
  });

  it('an account is set up (has its O2 login) only when ACTIVE', () => {
    expect(O2_STATUSES.filter(o2IsSetUp)).toEqual(['ACTIVE']);
  });

  it('fails to FAILED from every status that is not final, and from no other', () => {
    expect(O2_STATUSES.filter((s) => o2Can(s, 'fail'))).toEqual(O2_STATUSES.filter((s) => !o2IsFinal(s) && s !== 'FAILED'));
  });

  it('an execution ends in a final status, or at EXPIRED (a renewal starts a new one)', () => {
    expect(O2_STATUSES.filter(o2EndsLifecycle)).toEqual(['EXPIRED', ...O2_FINAL_STATUSES]);
  });
});

/** The edges of the ```mermaid stateDiagram-v2 block of the README's "## The O2 lifecycle" section, as "FROM --> TO"; any other line in it fails. */
function readmeO2DiagramEdges(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = /^## The O2 lifecycle\n([\s\S]*?)(?=^## )/m.exec(readme);
  if (!section) throw new Error('README.md has no "## The O2 lifecycle" section');
  const block = /```mermaid\n\s*stateDiagram-v2\n([\s\S]*?)```/.exec(section[1]!);
  if (!block) throw new Error('The O2 lifecycle section has no ```mermaid stateDiagram-v2 block');
  const edges: string[] = [];
  for (const line of block[1]!.split('\n').map((l) => l.trim())) {
    if (!line) continue;
    const edge = /^(\[\*\]|[A-Z_]+) --> (\[\*\]|[A-Z_]+)(?:: .+)?$/.exec(line);
    if (!edge) throw new Error(`Not an edge of the O2 lifecycle diagram: ${line}`);
    edges.push(`${edge[1]} --> ${edge[2]}`);
  }
  return edges;
}

/** What the table says the diagram must draw: each transition's (from, to), and each way an execution ends. */
function tableEdges(): string[] {
  const moves = O2_TRANSITIONS.map(([from, , to]) => `${from} --> ${to}`);
  const ends = O2_STATUSES.filter(o2EndsLifecycle).map((s) => `${s} --> [*]`);
  return [...new Set([...moves, ...ends])];
}

describe("the README's O2 lifecycle diagram", () => {
  it('has no edge twice', () => {
    const edges = readmeO2DiagramEdges();
    expect(edges.length).toBeGreaterThan(10);
    expect(edges.filter((e, i) => edges.indexOf(e) !== i)).toEqual([]);
  });

  it('draws every transition of the table', () => {
    const drawn = new Set(readmeO2DiagramEdges());
    expect(tableEdges().filter((e) => !drawn.has(e))).toEqual([]);
  });

  it('draws no edge the table does not have', () => {
    const table = new Set(tableEdges());
    expect(readmeO2DiagramEdges().filter((e) => !table.has(e))).toEqual([]);
  });
});
