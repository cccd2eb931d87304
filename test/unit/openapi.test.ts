/**
 * The OpenAPI document as third-party tools see it: Redocly's linter (its recommended rules) finds
 * no error in it, and the TypeScript client generated from it (openapi-typescript, as `npm run
 * build:client` does) types every answer the server gives, with no `never` or `unknown` where data
 * comes back; the typed client of the pages (web/src/api/client.ts) compiles against it, and no
 * longer does when the document changes under it.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { clientTypes, WEB_API_DIR } from '../../scripts/build-client.ts';
import { openApiDocument } from '../../shared/http/openapi.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
// Inside the project, so that the client's packages (openapi-fetch) resolve from node_modules.
const TMP = join(ROOT, '.tmp');
mkdirSync(TMP, { recursive: true });
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(TMP, 'openapi-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Warnings of Redocly's recommended rules that remain, each on purpose. */
const KNOWN_WARNINGS = [
  // API Gateway's answer to a path or method that is no route: no operation can declare it, so
  // it is a component of its own (named in the description; test/support/contract.ts checks it).
  'no-unused-components #/components/schemas/GatewayNotFound',
];

describe('redocly lint (recommended rules)', () => {
  it('reports no error, and only the warnings known', async () => {
    // Prepare
    const file = join(tempDir(), 'openapi.json');
    writeFileSync(file, JSON.stringify(openApiDocument(), null, 2));
    // Act: the CLI as a user runs it, on Node 24 (this process), without telemetry or update checks
    const cli = join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
    const out = await run(process.execPath, [cli, 'lint', '--format=json', file], {
      cwd: ROOT,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    }).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
    // Assess
    const report = JSON.parse(out.stdout) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[] };
    const problems = (severity: string) => report.problems.filter((p) => p.severity === severity).map((p) => `${p.ruleId} ${p.location[0]?.pointer} ${severity === 'error' ? p.message : ''}`.trim());
    expect(problems('error')).toEqual([]);
    expect(report.totals.errors).toBe(0);
    expect(problems('warn')).toEqual(KNOWN_WARNINGS);
  }, 60_000);
});

describe('the generated client types', () => {
  it('type every answer with data: no never, unknown or Record<string, never> in the schemas or in any answer body', async () => {
    // Act
    const types = await clientTypes(openApiDocument());
    // Assess: the schemas (the OpenAPI document's own is loosely typed on purpose: it describes any document)
    const schemas = types.slice(types.indexOf('export interface components {'), types.indexOf('    responses: never;'));
    const checked: string[] = [];
    for (const [, name, body] of schemas.matchAll(/\n {8}(\w+): \{([\s\S]*?)\n {8}\};/g)) {
      if (name === 'OpenApiDocument') continue;
      checked.push(name!);
      expect(body, name).not.toMatch(/\bnever\b(?! the code)|\bunknown\b|Record<string, never>/);
    }
    expect(checked).toEqual(expect.arrayContaining(['Guest', 'Approval', 'ActivationState', 'Failure', 'Entitlement', 'GuestPage', 'HistoryItem', 'HistoryFields', 'HistoryDetail', 'Me', 'ActivationResult', 'Problem']));
    // The labs and O2 accounts (issue 14), theirs too.
    expect(checked).toEqual(expect.arrayContaining(['Lab', 'LabPage', 'Quad', 'Posix', 'O2Account', 'O2AccountPage', 'O2HistoryItem', 'O2HistoryFields', 'O2HistoryDetail', 'LabHistoryItem', 'LabHistoryFields', 'LabHistoryPage', 'O2HistoryPage', 'LabRegistration', 'Chargeback']));
    // Every answer's content is a named schema: no inline never/unknown bodies.
    // (an answer is written headers first, then content; a request body has content only)
    const contents = [...types.matchAll(/headers: \{[^}]*\};\s*content: \{([^}]*)\}/g)].map((m) => m[1]!);
    expect(contents.length).toBeGreaterThan(100);
    for (const c of contents) expect(c).toMatch(/^\s*("application\/(problem\+)?json": components\["schemas"\]\["\w+"\];\s*)+$/);
    // The only Record<string, never> left are openapi-typescript's empty `webhooks` and `$defs`, which hold no answer.
    expect([...types.matchAll(/.*Record<string, never>.*/g)].map((m) => m[0].trim())).toEqual(['export type webhooks = Record<string, never>;', 'export type $defs = Record<string, never>;']);
    // The fields the server returns are there, typed.
    for (const field of ['activatedAt: string | null;', 'expiredAt: string | null;', 'lastNoticeDate: string | null;', 'contractorId: string | null;', 'justification: string | null;']) expect(schemas).toContain(field);
    // A lab's registration and its chargeback are each one of their shapes, told apart by a constant.
    expect(schemas).toMatch(/LabRegistration: \{[^|]*status: "not-required";\s*\} \| \{[^|]*status: "pending";\s*\} \| \{[^|]*status: "registered";/);
    for (const field of ['posix: components["schemas"]["Posix"] | null;', 'registration: components["schemas"]["LabRegistration"];', 'charged: true;', 'charged: false;']) expect(schemas).toContain(field);
  });
});

describe('the typed client of the pages (web/src/api/client.ts)', () => {
  /** Type-checks the client against the types of `document`, in a copy of web/src/api: tsc's exit status and output. */
  async function typecheck(document: Record<string, unknown>): Promise<{ ok: boolean; output: string }> {
    const dir = tempDir();
    mkdirSync(join(dir, 'src/api'), { recursive: true });
    copyFileSync(join(WEB_API_DIR, 'client.ts'), join(dir, 'src/api/client.ts'));
    copyFileSync(join(ROOT, 'web/tsconfig.json'), join(dir, 'tsconfig.json'));
    writeFileSync(join(dir, 'src/api/schema.d.ts'), await clientTypes(document));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    try {
      const out = await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: dir });
      return { ok: true, output: out.stdout };
    } catch (err) {
      return { ok: false, output: String((err as { stdout?: string }).stdout) };
    }
  }

  it('compiles against the document, and fails to once the document changes what it uses', async () => {
    // Prepare: the document, and one where the guest list lost its cursor and the activation route its path
    const doc = openApiDocument();
    const changed = structuredClone(doc) as unknown as { paths: Record<string, unknown>; components: { schemas: Record<string, { properties: Record<string, unknown>; required: string[] }> } };
    delete changed.components.schemas.GuestPage!.properties.cursor;
    changed.components.schemas.GuestPage!.required = ['items'];
    changed.paths['/v1/activation'] = changed.paths['/v1/activate'];
    delete changed.paths['/v1/activate'];

    // Act
    const [same, broken] = await Promise.all([typecheck(doc), typecheck(changed as unknown as Record<string, unknown>)]);

    // Assess
    expect(same, same.output).toEqual({ ok: true, output: '' });
    expect(broken.ok).toBe(false);
    expect(broken.output).toMatch(/client\.ts\(\d+,\d+\): error TS\d+: .*cursor/);
    expect(broken.output).toMatch(/client\.ts\(\d+,\d+\): error TS\d+: .*\/v1\/activate/);
  }, 120_000);
});
