/**
 * Headless Chromium for the browser tests: the binary @sparticuz/chromium ships in its npm package
 * (no download), extracted once per machine into node_modules/.cache (vitest's globalSetup does it
 * before any worker starts: two workers extracting at once race, ETXTBSY), then launched by
 * playwright-core from that path. Each extraction goes to a fresh folder and is renamed into place,
 * so a half-written one is never taken for a browser.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'node_modules', '@sparticuz', 'chromium', 'package.json'), 'utf8')) as { version: string }).version;
export const CHROMIUM_DIR = join(ROOT, 'node_modules', '.cache', 'hms-guest-accounts', `chromium-${VERSION}`);
export const CHROMIUM = join(CHROMIUM_DIR, 'chromium');

/** Extracts the browser unless this machine has it already; answers the path of the binary. */
export async function extractChromium(): Promise<string> {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  mkdirSync(join(CHROMIUM_DIR, '..'), { recursive: true });
  const tmp = mkdtempSync(`${CHROMIUM_DIR}.extracting-`);
  const previous = process.env.TMPDIR;
  // The package extracts into $TMPDIR (os.tmpdir(), read at each call): a private, empty one.
  process.env.TMPDIR = tmp;
  try {
    const { default: sparticuz } = await import('@sparticuz/chromium');
    const path = await sparticuz.executablePath();
    if (path !== join(tmp, 'chromium')) throw new Error(`@sparticuz/chromium extracted to ${path}, not into ${tmp}`);
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  }
  try {
    renameSync(tmp, CHROMIUM_DIR);
  } catch {
    // Another run extracted it first.
    rmSync(tmp, { recursive: true, force: true });
  }
  return CHROMIUM;
}

/**
 * The launch flags: the package's own for headless serverless use, less the two that switch the
 * web's security off (the pages must work with it on: CORS to the identity provider, CSP), plus
 * what this machine's closed network needs (no background connections, updates or sync).
 */
export async function chromiumArgs(): Promise<string[]> {
  const { default: sparticuz } = await import('@sparticuz/chromium');
  const unsafe = new Set(['--disable-web-security', '--allow-running-insecure-content']);
  const args = sparticuz.args.filter((a) => !unsafe.has(a));
  for (const flag of ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', '--disable-default-apps', '--mute-audio']) {
    if (!args.includes(flag)) args.push(flag);
  }
  return args;
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: await extractChromium(), args: await chromiumArgs(), headless: true, timeout: 30_000 });
}
