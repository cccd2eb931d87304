/**
 * The import graph of the deployed code (shared/, functions/, workflows/, infra/): no cycle, and no
 * dynamic import() of the project's own modules (a dynamic import of one's own module is a cycle in
 * disguise). Only what runs is counted: `import type` and `export type` are erased by the compiler
 * (verbatimModuleSyntax), so they are left out; `import { type X } from` is kept (it still loads the
 * module). local/ may load the handlers it finds in the template, and is not scanned.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SCANNED = ['shared', 'functions', 'workflows', 'infra'];

interface ModuleImports {
  /** Project modules this one loads when it loads (static import and export … from), as paths from the root. */
  loads: string[];
  /** Every module specifier of its import and export declarations, type-only ones too, as written. */
  specifiers: string[];
  /** Every import(…) whose specifier is a relative path or not a plain string: `file:line specifier`. */
  dynamic: string[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .sort();
}

/** Reads one module's imports with the TypeScript parser (no regular expressions over source text). */
export function importsOf(file: string, text: string): ModuleImports {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2023, true);
  const loads: string[] = [];
  const specifiers: string[] = [];
  const dynamic: string[] = [];
  const target = (specifier: string) => relative(ROOT, resolve(ROOT, dirname(file), specifier));
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text);
    }
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && !node.importClause?.isTypeOnly) {
      if (node.moduleSpecifier.text.startsWith('.')) loads.push(target(node.moduleSpecifier.text));
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) {
      if (node.moduleSpecifier.text.startsWith('.')) loads.push(target(node.moduleSpecifier.text));
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      const plain = arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) ? arg.text : undefined;
      if (plain === undefined || plain.startsWith('.') || plain.startsWith('/')) {
        const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        dynamic.push(`${file}:${line} import(${arg ? arg.getText() : ''})`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { loads, specifiers, dynamic };
}

/** Every cycle's first appearance in a depth-first walk, as the path that closes it (a → b → … → a). */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const walk = (node: string): void => {
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (onStack.has(next)) cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!done.has(next)) walk(next);
    }
    stack.pop();
    onStack.delete(node);
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) if (!done.has(node)) walk(node);
  return cycles;
}

const files = SCANNED.flatMap(sourceFiles);
const modules = new Map(files.map((f) => [f, importsOf(f, readFileSync(join(ROOT, f), 'utf8'))] as const));
const graph = new Map([...modules].map(([f, m]) => [f, m.loads] as const));

describe('import graph of shared/, functions/, workflows/, infra/', () => {
  it('reads the modules it is meant to (the scan is not empty, and sees known edges)', () => {
    expect(files.length).toBeGreaterThan(30);
    expect(graph.get('functions/lifecycle-task.ts')).toContain('shared/guest/app/tasks.ts');
    expect(graph.get('infra/lifecycle.ts')).toContain('workflows/guest.ts');
  });

  it('has no import cycle', () => {
    const cycles = findCycles(graph).map((c) => c.join(' → '));
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).toEqual([]);
  });

  it('has no dynamic import() of a project module', () => {
    const dynamic = [...modules.values()].flatMap((m) => m.dynamic);
    expect(dynamic, `dynamic imports of project modules:\n${dynamic.join('\n')}`).toEqual([]);
  });
});

describe('layers', () => {
  it('use cases and the domain (shared/app, shared/domain) import no AWS SDK, no CDK and no adapter, not even for types: ports only', () => {
    // Act
    const offending = [...modules]
      .filter(([f]) => f.startsWith('shared/app/') || f.startsWith('shared/domain/'))
      .flatMap(([f, m]) =>
        m.specifiers
          .filter((spec) => (spec.startsWith('.') ? /^(shared\/adapters|shared\/http|functions|infra|local|workflows)\//.test(relative(ROOT, resolve(ROOT, dirname(f), spec))) : /^(@aws-sdk\/|aws-cdk-lib|constructs|@aws-lambda-powertools\/|@middy\/)/.test(spec)))
          .map((spec) => `${f}: ${spec}`),
      );

    // Assess
    expect(modules.has('shared/guest/app/guests.ts')).toBe(true);
    expect(offending).toEqual([]);
  });
});

describe('the task contract (shared/guest/app/contract.ts)', () => {
  it('reaches neither the CDK nor the AWS SDK, even for types', () => {
    // Prepare: the contract and every project module it names, type-only imports included
    const reached = new Set<string>();
    const walk = (file: string): void => {
      if (reached.has(file)) return;
      reached.add(file);
      const m = importsOf(file, readFileSync(join(ROOT, file), 'utf8'));
      for (const spec of m.specifiers) if (spec.startsWith('.')) walk(relative(ROOT, resolve(ROOT, dirname(file), spec)));
    };

    // Act
    walk('shared/guest/app/contract.ts');
    const packages = [...reached].flatMap((f) => importsOf(f, readFileSync(join(ROOT, f), 'utf8')).specifiers.filter((s) => !s.startsWith('.')).map((s) => `${f}: ${s}`));

    // Assess
    expect(reached).toContain('shared/guest/domain/rules.ts');
    expect(packages.filter((p) => /: (aws-cdk-lib|constructs|@aws-sdk\/|@aws-lambda-powertools\/)/.test(p))).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('find a cycle and print its path, and only runtime imports count', () => {
    // Prepare
    const a = importsOf('shared/a.ts', "import { b } from './b.ts';\nimport type { C } from './c.ts';\nexport { d } from '../d.ts';");
    const b = importsOf('shared/b.ts', "import { a } from './a.ts';");

    // Act
    const cycles = findCycles(new Map([['shared/a.ts', a.loads], ['shared/b.ts', b.loads], ['d.ts', []]]));

    // Assess
    expect(a.loads).toEqual(['shared/b.ts', 'd.ts']);
    expect(cycles.map((c) => c.join(' → '))).toEqual(['shared/a.ts → shared/b.ts → shared/a.ts']);
  });

  it('find a dynamic import of a project module, but not of a package', () => {
    const m = importsOf('shared/x.ts', "const f = async (n: string) => [await import('./lifecycle.ts'), await import('node:net'), await import(n)];");
    expect(m.dynamic).toEqual(["shared/x.ts:1 import('./lifecycle.ts')", 'shared/x.ts:1 import(n)']);
  });
});
