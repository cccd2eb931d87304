/**
 * `npm run bench`: every figure of the project, from one entry point that passes each part its options
 * (issue 21). Each part prints its table with the goals beside the figures; the last line is the JSON
 * of every part (and into --json FILE).
 *   npm run bench -- [--only bundles,lifecycle,activation,pages,mail] [--base REF] [--runs N]
 *                    [--samples N] [--guests N] [--rate R]
 *                    [--scale [--guests N] [--concurrency C]] [--json FILE]
 * - bundles: each function's bundle and import time, this tree beside `--base REF` (e.g. origin/main
 *   or a commit) when given (bench/bundles.ts);
 * - lifecycle: startup, one guest-year and one O2 year, transitions and invocations (bench/lifecycle.ts);
 * - activation: the activation page's answers (bench/activation.ts);
 * - pages: the first page's script and "My guests" with N guests (bench/pages.ts);
 * - mail: N guests ending the same day against a local SES at R recipients a second (bench/mail.ts);
 * - scale (only with --scale): N guests at C concurrent over HTTP (bench/scale.ts).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundlesDir, bundleTable, measureBundles, treeAt } from './bundles.ts';

const PARTS = ['bundles', 'lifecycle', 'activation', 'pages', 'mail'] as const;
type Part = (typeof PARTS)[number] | 'scale';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    base: { type: 'string' },
    runs: { type: 'string' },
    samples: { type: 'string' },
    guests: { type: 'string' },
    concurrency: { type: 'string' },
    rate: { type: 'string' },
    scale: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
  strict: true,
});

const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
for (const p of only ?? []) if (![...PARTS, 'scale'].includes(p as Part)) throw new Error(`--only: ${p} is not one of ${[...PARTS, 'scale'].join(', ')}`);
const parts: Part[] = only ? (only as Part[]) : [...PARTS, ...(values.scale ? (['scale'] as const) : [])];
if (values.scale && !parts.includes('scale')) parts.push('scale');
const ROOT = join(import.meta.dirname, '..');

/** Runs one part's script with its own options; its output goes on as it comes, its last line is its JSON. */
function runScript(script: string, args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', script), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench/${script} exited with ${code}`));
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last));
      } catch {
        resolve(undefined);
      }
    });
  });
}

const opt = (name: string, value: string | undefined) => (value === undefined ? [] : [`--${name}`, value]);
const results: Record<string, unknown> = {};

for (const part of parts) {
  console.log(`\n## ${part}\n`);
  if (part === 'bundles') {
    const runs = Number(values.runs ?? 5);
    const now = await measureBundles(ROOT, 'now', runs);
    const base = values.base ? { ref: values.base, figures: await measureBundles(treeAt(values.base), 'base', runs) } : undefined;
    console.log(bundleTable(now, base));
    console.log(`\nBundles, source maps and esbuild metafiles: ${bundlesDir('now')}/<function>/ (runs: ${runs} fresh processes each, median).`);
    results.bundles = { now, ...(base ? { base } : {}) };
  } else if (part === 'lifecycle') {
    results.lifecycle = await runScript('lifecycle.ts', opt('runs', values.runs));
  } else if (part === 'activation') {
    results.activation = await runScript('activation.ts', opt('samples', values.samples));
  } else if (part === 'pages') {
    results.pages = await runScript('pages.ts', [...opt('guests', values.scale ? undefined : values.guests), ...opt('runs', values.runs)]);
  } else if (part === 'mail') {
    results.mail = await runScript('mail.ts', [...opt('guests', values.scale || parts.length > 1 ? undefined : values.guests), ...opt('rate', values.rate)]);
  } else {
    results.scale = await runScript('scale.ts', [...opt('guests', values.guests), ...opt('concurrency', values.concurrency)]);
  }
}

const json = JSON.stringify(results);
if (values.json) writeFileSync(values.json, json);
console.log(json);
