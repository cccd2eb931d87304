/**
 * The functions' bundles and their cold-start proxy (issue 21), as the stack builds them
 * (infra/bundling.ts), from this tree and, with `--base REF`, from another commit in the same run:
 * - each bundle's size (minified `index.mjs`, the AWS SDK left out) and its largest modules;
 * - the time to import it in a fresh Node (median of N processes), beside a bare import of the AWS
 *   SDK clients it imports (what the runtime provides): "own" is the difference.
 * Writes the bundles and their esbuild metafiles under .tmp/bench-bundles/<tree>/<function>/.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { BUNDLE, FUNCTION_ENTRIES } from '../infra/bundling.ts';
import { stats } from './support.ts';

const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, '.tmp', 'bench-bundles');

export interface BundleFigures {
  fn: string;
  bytes: number;
  importMs: number;
  sdkMs: number;
  ownMs: number;
  sdkClients: string[];
  largest: { module: string; bytes: number }[];
}

/** A module's group in the bundle: its npm package, or the project folder it is in. */
function groupOf(path: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1]!;
  return path.split('/').slice(0, 2).join('/');
}

/** Median milliseconds to import `file` in a fresh Node process, over `runs` processes (after one to warm the disk cache). */
function importTime(file: string, runs: number, cwd: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  const samples: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd, encoding: 'utf8', env: { ...process.env, AWS_REGION: 'us-east-1' } });
    if (r.status !== 0) throw new Error(`importing ${file} failed: ${r.stderr}`);
    if (i > 0) samples.push(Number(r.stdout));
  }
  return stats(samples, { digits: 1 }).median;
}

/** Bundles every function of the tree at `root` and measures it. */
export async function measureBundles(root: string, label: string, runs: number): Promise<BundleFigures[]> {
  const figures: BundleFigures[] = [];
  for (const entry of FUNCTION_ENTRIES) {
    const fn = entry.replace(/^functions\/|\.ts$/g, '');
    const dir = join(OUT, label, fn);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const result = await build({
      entryPoints: [join(root, entry)],
      bundle: true,
      platform: 'node',
      format: BUNDLE.format,
      minify: BUNDLE.minify,
      sourcemap: true,
      target: BUNDLE.target,
      mainFields: [...BUNDLE.mainFields],
      external: [...BUNDLE.external],
      banner: { js: BUNDLE.banner },
      outfile: join(dir, 'index.mjs'),
      metafile: true,
      logLevel: 'error',
      absWorkingDir: root,
    });
    writeFileSync(join(dir, 'metafile.json'), JSON.stringify(result.metafile));
    const output = Object.entries(result.metafile.outputs).find(([k]) => k.endsWith('index.mjs'))![1] as Metafile['outputs'][string];
    const sdkClients = [...new Set(output.imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/')).map((i) => i.path))].sort();
    const groups = new Map<string, number>();
    for (const [path, input] of Object.entries(output.inputs)) groups.set(groupOf(path), (groups.get(groupOf(path)) ?? 0) + input.bytesInOutput);
    const largest = [...groups.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([module, bytes]) => ({ module, bytes }));
    // The SDK clients alone, imported from where the bundle would find them (this project's node_modules).
    const sdkFile = join(dir, 'sdk-only.mjs');
    writeFileSync(sdkFile, sdkClients.map((c) => `import ${JSON.stringify(c)};`).join('\n'));
    const importMs = importTime(join(dir, 'index.mjs'), runs, ROOT);
    const sdkMs = importTime(sdkFile, runs, ROOT);
    figures.push({ fn, bytes: output.bytes, importMs, sdkMs, ownMs: Math.round((importMs - sdkMs) * 10) / 10, sdkClients, largest });
  }
  return figures;
}

/**
 * The tree of another commit, beside this one, for a before/after in one run: its node_modules this
 * project's when its lockfile is the same, else installed from its own lockfile (`npm ci`).
 */
export function treeAt(ref: string): string {
  const dir = join(ROOT, '.tmp', 'bench-base', ref.replace(/[^A-Za-z0-9._-]/g, '_'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync('git', ['archive', '--format=tar', ref], { cwd: ROOT, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  if (readFileSync(join(dir, 'package-lock.json'), 'utf8') === readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  else execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
  return dir;
}

const kb = (n: number) => `${Math.round(n / 1024)} KB`;

/** The table of bundles (this tree's, and the base's beside it when there is one). */
export function bundleTable(now: BundleFigures[], base?: { ref: string; figures: BundleFigures[] }): string {
  const rows = now.map((f) => {
    const b = base?.figures.find((x) => x.fn === f.fn);
    const before = b ? `${kb(b.bytes)}, import ${b.importMs} ms (own ${b.ownMs} ms) → ` : '';
    return `| ${f.fn} | ${before}${kb(f.bytes)} | ${f.importMs} ms | ${f.sdkMs} ms | ${f.ownMs} ms | ${f.largest.map((l) => `${l.module} ${kb(l.bytes)}`).join(', ')} |`;
  });
  return [
    `| function | ${base ? `${base.ref} → ` : ''}bundle (goal ≤ 250 KB) | import | SDK clients alone | own (goal ≤ 30 ms) | largest modules |`,
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export const bundlesDir = (label: string) => relative(ROOT, join(OUT, label));
