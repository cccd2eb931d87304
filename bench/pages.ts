/**
 * `npm run bench:pages` (part of `npm run bench`): the pages' figures, through the real CLI, HTTP
 * and a real browser only.
 *   npm run bench:pages -- [--guests N] [--runs N] [--json FILE]
 * - JavaScript of the first page: every script "My guests" loads in the browser (the entry, what it
 *   preloads, and the page's own chunk: each page's code is loaded with its address), gzipped (level
 *   9) as a CDN would send it, and as the local server sent it (compressed as CloudFront does).
 *   Goal: React's own size (react and react-dom alone, measured in the same run) + 25 KB.
 * - "My guests" with N guests (default 500) of one sponsor on the local system, in headless
 *   Chromium: from navigation start until the list holds every guest (rendered, its controls live),
 *   and the API calls the page made (counted in the browser). Goals: at most 1 s, at most 3 calls.
 *   The guests are requested through the API first (the sponsor and four delegates, under the
 *   per-client limits), then the page is loaded `--runs` times (default 5), signed in once.
 * Prints a table, and the figures as JSON on the last line (and into --json FILE). Asserts nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { builtPages } from '../local/web.ts';
import { launchChromium } from '../test/support/chromium.ts';
import { Systems, type LocalCli } from '../test/support/cli.ts';
import { stats, stopOnSignal } from './support.ts';

const { values } = parseArgs({
  options: { guests: { type: 'string', default: '500' }, runs: { type: 'string', default: '5' }, json: { type: 'string' } },
  strict: true,
});
const GUESTS = Number(values.guests);
const RUNS = Number(values.runs);
if (!Number.isInteger(GUESTS) || GUESTS < 1 || GUESTS > 5000) throw new Error(`--guests must be an integer from 1 to 5000, not ${values.guests}`);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);

const SPONSOR = '10000001';
const DELEGATES = ['10000101', '10000102', '10000103', '10000104'];
const GOALS = { firstPageJsOverReactKb: 25, interactiveMs: 1000, apiCalls: 3 };

const systems = new Systems();
stopOnSignal(() => systems.killAll());

const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

/** The scripts the first page ("My guests") loaded in the browser, each gzipped (level 9) as a CDN would send it, and as the local server sent it. */
async function firstPageJs(dir: string, base: string, loaded: string[]): Promise<{ files: { file: string; bytes: number; gzip: number; served: number; encoding: string }[]; gzipKb: number }> {
  const files = await Promise.all(
    loaded.map(async (path) => {
      const body = readFileSync(join(dir, path));
      // As a browser asks for it: what the local server sends (compressed as CloudFront does).
      const res = await fetch(new URL(path, base), { headers: { 'accept-encoding': 'br, gzip' } });
      const served = Number(res.headers.get('content-length'));
      await res.arrayBuffer();
      return { file: path, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length, served, encoding: res.headers.get('content-encoding') ?? 'identity' };
    }),
  );
  return { files, gzipKb: kb(files.reduce((n, f) => n + f.gzip, 0)) };
}

/** React's own size: react and react-dom/client alone, bundled for production and minified, gzipped the same way (the goal is this + 25 KB). */
async function reactGzip(): Promise<number> {
  const { build } = await import('esbuild');
  const out = await build({
    stdin: { contents: "import * as React from 'react'; import { createRoot } from 'react-dom/client'; export { React, createRoot };", resolveDir: join(import.meta.dirname, '..'), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    write: false,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
  return gzipSync(out.outputFiles[0]!.contents, { level: 9 }).length;
}

/** The sponsor, four delegates they named (five clients under the per-client limits), and N guests with an active HSR. */
function seed(dir: string): string {
  const person = (huid: string, name: string, delegates?: string[]) => ({ huid, name, email: `${name.toLowerCase().replace(/ /g, '.')}@hms.harvard.edu`, role: 'staff', school: 'HMS', site: 'Quad', active: true, ...(delegates ? { delegates } : {}) });
  const people = [{ ...person(SPONSOR, 'Ada Faculty', DELEGATES), role: 'faculty' }, ...DELEGATES.map((h, i) => person(h, `Lab Admin${i + 1}`))];
  const hsr = Array.from({ length: GUESTS }, (_, i) => ({ huid: String(24000000 + i), firstName: 'Bea', lastName: `Bench${i}`, personalEmail: `bea.bench${i}@example.org`, status: 'active', endDate: '2030-12-31' }));
  const file = join(dir, 'seed.json');
  writeFileSync(file, JSON.stringify({ people, hsr }));
  return file;
}

/** N requests for the sponsor, spread over the sponsor and the delegates, a few at a time, waiting out 429s. */
async function requestGuests(sys: LocalCli): Promise<number> {
  const t0 = performance.now();
  const submitters = [SPONSOR, ...DELEGATES];
  let next = 0;
  const worker = async (w: number) => {
    for (let i = next++; i < GUESTS; i = next++) {
      const as = submitters[(i + w) % submitters.length]!;
      const day = 1 + (i % 28);
      const body = { guestHuid: String(24000000 + i), population: 'agency-temp', endDate: `2027-0${2 + (i % 3)}-${String(day).padStart(2, '0')}`, ...(as === SPONSOR ? {} : { sponsorHuid: SPONSOR }) };
      for (;;) {
        const res = await sys.as(as, 'POST', '/v1/guests', body);
        if (res.status === 202) break;
        if (res.status !== 429) throw new Error(`request ${i}: ${res.status} ${JSON.stringify(res.body)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
  await sys.settle();
  return performance.now() - t0;
}

const pagesDir = await builtPages();
const reactKb = kb(await reactGzip());
let loadedJs: string[] = [];
let js: Awaited<ReturnType<typeof firstPageJs>> | undefined;
const sys = await systems.start({ clock: '2027-01-04T14:00:00.000Z', seed: seed(systems.dir()), timeoutMs: 120_000 });
const pagesUrl = /^\s*Pages:\s+(\S+)/m.exec(sys.stdout)?.[1];
if (!pagesUrl?.startsWith('http')) throw new Error(`the local system serves no pages:\n${sys.stdout}\n${sys.stderr}`);
const seedingMs = await requestGuests(sys);

const browser = await launchChromium();
const loads: { ms: number; apiCalls: number; rows: number }[] = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  let apiCalls = 0;
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/v1/')) apiCalls++;
  });
  // Signed in once (the tokens stay in the tab); the sign-in round trip is not part of the figure.
  await page.goto(pagesUrl);
  await page.getByRole('button', { name: 'Sign in with HarvardKey' }).click();
  await page.getByRole('button', { name: 'Sign in as Ada Faculty', exact: true }).click();
  await page.waitForSelector('table.guests tbody tr');
  for (let run = 0; run < RUNS; run++) {
    apiCalls = 0;
    await page.goto(pagesUrl, { waitUntil: 'commit' });
    // Every guest listed; the list's controls work from then on. Measured on the page's own clock, from navigation start.
    const ms = await page
      .waitForFunction(
        (n) => {
          // In the page (this file is type-checked without the DOM's types; the pages' CSP allows no string evaluation).
          const { document: d } = globalThis as unknown as { document: { querySelectorAll(s: string): { length: number }; querySelector(s: string): unknown } };
          return d.querySelectorAll('table.guests tbody tr').length >= n && !d.querySelector('.loading') && performance.now();
        },
        GUESTS,
        { timeout: 30_000, polling: 'raf' },
      )
      .then((h) => h.jsonValue());
    const rows = await page.locator('table.guests tbody tr').count();
    if (run === 0) {
      // The scripts this page loaded (a fresh load: nothing from the cache is counted as sent).
      loadedJs = await page.evaluate(() => {
        const { performance: perf } = globalThis as unknown as { performance: { getEntriesByType(t: string): { name: string }[] } };
        return perf.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.endsWith('.js'));
      });
    }
    await page.waitForLoadState('networkidle');
    loads.push({ ms: Number(ms), apiCalls, rows });
  }
  js = await firstPageJs(pagesDir, pagesUrl, loadedJs);
} finally {
  await browser.close();
  await systems.killAll();
}
if (!js) throw new Error('the first page was not measured');

const interactive = stats(loads.map((l) => l.ms));
const jsGoalKb = Math.round((reactKb + GOALS.firstPageJsOverReactKb) * 10) / 10;
const figures = {
  firstPageJs: { files: js.files, gzipKb: js.gzipKb, reactGzipKb: reactKb, goalKb: jsGoalKb },
  myGuests: { guests: GUESTS, rows: loads.map((l) => l.rows), runs: RUNS, interactiveMs: interactive, goalMs: GOALS.interactiveMs, apiCalls: loads.map((l) => l.apiCalls), goalApiCalls: GOALS.apiCalls },
  seeding: { guests: GUESTS, seconds: Math.round(seedingMs / 100) / 10 },
};
const ok = (b: boolean) => (b ? 'within the goal' : 'OVER THE GOAL');
process.stdout.write(
  [
    'Pages (bench/pages.ts)',
    `  JavaScript "My guests" loads, gzipped: ${js.gzipKb} KB (${js.files.map((f) => `${f.file} ${f.bytes} B → ${f.gzip} B gzip, ${f.served} B served (${f.encoding})`).join(', ')}); React alone ${reactKb} KB; goal ≤ React + ${GOALS.firstPageJsOverReactKb} KB = ${jsGoalKb} KB: ${ok(js.gzipKb <= jsGoalKb)}`,
    `  "My guests" with ${GUESTS} guests, navigation start to every guest listed (${RUNS} loads): median ${interactive.median} ms, min ${interactive.min}, max ${interactive.max}; goal ≤ ${GOALS.interactiveMs} ms: ${ok(interactive.median <= GOALS.interactiveMs)}`,
    `  API calls per load: ${loads.map((l) => l.apiCalls).join(', ')}; goal ≤ ${GOALS.apiCalls}: ${ok(loads.every((l) => l.apiCalls <= GOALS.apiCalls))}`,
    `  (requesting the ${GUESTS} guests through the API took ${figures.seeding.seconds} s)`,
    JSON.stringify(figures),
    '',
  ].join('\n'),
);
if (values.json) writeFileSync(values.json, `${JSON.stringify(figures, null, 2)}\n`);
