/**
 * The import graph of the deployed code (shared/, functions/, workflows/, infra/): no cycle, and no
 * dynamic import() of the project's own modules (a dynamic import of one's own module is a cycle in
 * disguise). Only what runs is counted: `import type` and `export type` are erased by the compiler
 * (verbatimModuleSyntax), so they are left out; `import { type X } from` is kept (it still loads the
 * module). local/ may load the handlers it finds in the template, and is not scanned.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { INPUT_DIRS as WEB_INPUT_DIRS, INPUT_FILES as WEB_INPUT_FILES } from '../../local/web.ts';

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
  it('use cases and the domain (shared/app, and each lifecycle\'s and the core\'s app/ and domain/) import no AWS SDK, no CDK and no adapter, not even for types: ports only', () => {
    // Act
    const offending = [...modules]
      .filter(([f]) => f.startsWith('shared/app/') || /^shared\/(core|guest|o2)\/(app|domain)\//.test(f))
      .flatMap(([f, m]) =>
        m.specifiers
          .filter((spec) =>
            spec.startsWith('.')
              ? /^(shared\/adapters|shared\/http|shared\/(core|guest|o2)\/(adapters|http)|functions|infra|local|workflows)\//.test(relative(ROOT, resolve(ROOT, dirname(f), spec)))
              : /^(@aws-sdk\/|aws-cdk-lib|constructs|@aws-lambda-powertools\/|@middy\/)/.test(spec),
          )
          .map((spec) => `${f}: ${spec}`),
      );

    // Assess
    expect(modules.has('shared/guest/app/guests.ts')).toBe(true);
    expect(offending).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Lifecycle modules (issue 19): the core imports no lifecycle; the guest module nothing of O2; the
// O2 module the guest module only through its published interface; CDK only in infra/ and
// workflows/ (and the local synthesis); no cycle anywhere, type-only imports counted.
// ---------------------------------------------------------------------------------------------

const ALL_DIRS = ['shared', 'functions', 'workflows', 'infra', 'local', 'web/src', 'scripts', 'bench'];
function everySourceFile(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx)$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .sort();
}
/** A relative specifier's target, with its extension (web/ imports without one, a directory's index aside). */
function targetOf(file: string, spec: string): string {
  const base = relative(ROOT, resolve(ROOT, dirname(file), spec));
  if (/\.(ts|tsx)$/.test(base)) return base;
  for (const ext of ['.ts', '.tsx', '/index.ts']) if (existsSync(join(ROOT, base + ext))) return base + ext;
  return base;
}
const everyFile = ALL_DIRS.flatMap(everySourceFile);
const every = new Map(everyFile.map((f) => [f, importsOf(f, readFileSync(join(ROOT, f), 'utf8'))] as const));
/** Every project module each module names, type-only imports and re-exports included. */
const namesGraph = new Map([...every].map(([f, m]) => [f, m.specifiers.filter((s) => s.startsWith('.')).map((s) => targetOf(f, s))] as const));
const importsFrom = (from: RegExp, to: RegExp) =>
  [...namesGraph].filter(([f]) => from.test(f)).flatMap(([f, targets]) => targets.filter((t) => to.test(t)).map((t) => `${f} → ${t}`));

describe('lifecycle modules', () => {
  it('read the whole project (web/ and local/ too)', () => {
    expect(everyFile).toEqual(expect.arrayContaining(['local/scim/page.ts', 'web/src/guest/GuestPage.tsx', 'shared/guest/public.ts', 'shared/o2/app/guest-events.ts']));
  });

  it('the core imports no lifecycle, and nothing that composes them', () => {
    expect(importsFrom(/^shared\/core\//, /^shared\/(guest|o2|app|http)\//)).toEqual([]);
  });

  it('the guest module imports nothing of the O2 module (it publishes events instead)', () => {
    expect(importsFrom(/^shared\/guest\//, /^shared\/o2\//)).toEqual([]);
  });

  it('a lifecycle reaches the composition (shared/app/) only for the type of the ports it takes (deps.ts), and the HTTP layer only for what no lifecycle owns', () => {
    expect(importsFrom(/^shared\/(guest|o2)\//, /^shared\/app\/(?!deps\.ts$)/)).toEqual([]);
    expect(importsFrom(/^shared\/(guest|o2)\//, /^shared\/http\/(?!(handler|route-spec|schemas)\.ts$)/)).toEqual([]);
  });

  it('the guest module takes GuestDeps, which has no port of another lifecycle (reaching one does not compile), and names none', () => {
    const guestFiles = everyFile.filter((f) => f.startsWith('shared/guest/'));
    const wide = guestFiles.filter((f) => /import type \{[^}]*\b(O2Deps|Deps)\b(?! as)[^}]*\} from '[^']*app\/deps\.ts'/.test(readFileSync(join(ROOT, f), 'utf8').replace(/GuestDeps as Deps/g, 'GuestDeps')));
    const o2Ports = guestFiles.filter((f) => /\bdeps\.(o2|o2Workflow)\b/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect({ wide, o2Ports }).toEqual({ wide: [], o2Ports: [] });
  });

  it('the O2 module reaches the guest module only through its published interface (shared/guest/public.ts; its domain through public-rules.ts)', () => {
    expect(importsFrom(/^shared\/o2\//, /^shared\/guest\/(?!public(-rules)?\.ts$)/)).toEqual([]);
    // The O2 domain only the guest lifecycle's published rules (pure), never its use cases.
    expect(importsFrom(/^shared\/o2\/domain\//, /^shared\/guest\/public\.ts$/)).toEqual([]);
    expect(importsFrom(/^shared\/o2\//, /^shared\/guest\/public\.ts$/).length).toBeGreaterThan(0);
  });

  it('the pages by feature: the guest pages import nothing of the O2 pages nor the other way; the kit neither', () => {
    expect(importsFrom(/^web\/src\/guest\//, /^web\/src\/o2\//)).toEqual([]);
    expect(importsFrom(/^web\/src\/o2\//, /^web\/src\/guest\//)).toEqual([]);
    expect(importsFrom(/^web\/src\/kit\//, /^web\/src\/(guest|o2|app)\//)).toEqual([]);
    // Each page folder takes the lifecycle's published rules (pure), never its use cases or adapters.
    expect(importsFrom(/^web\//, /^shared\/(guest|o2)\/(app|adapters|http)\/|^shared\/guest\/public\.ts$/)).toEqual([]);
  });

  it('the pages reach of shared/ only what the local build hashes (a change to a rule they apply rebuilds them)', () => {
    const reached = new Set<string>();
    const walk = (file: string): void => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const target of namesGraph.get(file) ?? []) walk(target);
    };
    for (const f of everyFile.filter((f) => f.startsWith('web/src/'))) walk(f);
    const shared = [...reached].filter((f) => f.startsWith('shared/'));
    expect(shared.length).toBeGreaterThan(0);
    expect(shared.filter((f) => !WEB_INPUT_FILES.includes(f) && !WEB_INPUT_DIRS.some((d) => f.startsWith(`${d}/`)))).toEqual([]);
  });

  it('only infra/ and workflows/ import the CDK (and local/synth.ts, which synthesizes the app for npm start)', () => {
    const cdk = [...every].filter(([, m]) => m.specifiers.some((s) => /^(aws-cdk-lib|constructs)(\/|$)/.test(s))).map(([f]) => f);
    expect(cdk.filter((f) => !/^(infra|workflows)\//.test(f) && f !== 'local/synth.ts')).toEqual([]);
    expect(cdk).toEqual(expect.arrayContaining(['infra/lifecycle-machine.ts', 'workflows/core.ts']));
  });

  it('no import cycle anywhere, local/ and web/ included, type-only imports counted', () => {
    const cycles = findCycles(namesGraph).map((c) => c.join(' → '));
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).toEqual([]);
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
