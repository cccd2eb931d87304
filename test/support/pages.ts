/**
 * Browser-test helpers: one browser context per person, sign-in through the local identity
 * provider's page, and for every page a check with axe (WCAG 2.2 A and AA rules: no serious or
 * critical violation) and a screenshot kept with the test output (test-results/screenshots/).
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ROOT } from './cli.ts';

export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

/** A person at a browser: their own context (cookies, storage), and the errors their pages raised. */
export class Person {
  readonly errors: string[] = [];
  private constructor(
    readonly name: string,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('pageerror', (err) => this.errors.push(`${name}: ${err.message}`));
    page.on('console', (msg) => {
      // An answer of 4xx is the browser's "Failed to load resource" in the console: the pages handle those.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) this.errors.push(`${name} (console): ${msg.text()}`);
    });
  }

  static async open(browser: Browser, name: string): Promise<Person> {
    // AxeBuilder needs a page of a context made with newContext().
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'America/New_York' });
    context.setDefaultTimeout(15_000);
    return new Person(name, context, await context.newPage());
  }

  /** On the local identity provider's sign-in page: the button of this person (and the HMS IT role). */
  async signInAs(buttonName: string): Promise<void> {
    await expect.poll(() => this.page.url(), { timeout: 15_000 }).toContain('/_local/idp/interaction/');
    await this.page.getByRole('button', { name: buttonName, exact: true }).click();
    await this.page.waitForURL((url) => !url.pathname.startsWith('/_local/') && url.pathname !== '/callback');
  }

}

/** Where the README's screenshots are (written with UPDATE_DOCS_SCREENSHOTS=1). */
export const DOCS_SCREENSHOTS = join(ROOT, 'docs', 'screenshots');

let shot = 0;

/** The prefixes of the browser test files that name their screenshots `NN-<prefix>-…`; the journey's have none. */
const PREFIXES = ['o2', 'layout', 'forms'];

/**
 * Starts the numbering again and removes this file's screenshots of an earlier run: those named
 * `NN-<prefix>-…`, or without `prefix` the journey's (no prefix). The folder is shared by every
 * browser test file, so another file's are left alone.
 */
export function clearScreenshots(prefix?: string): void {
  const mine = prefix ? new RegExp(`^\\d+-${prefix}-`) : new RegExp(`^\\d+-(?!(${PREFIXES.join('|')})-)`);
  try {
    for (const f of readdirSync(SCREENSHOTS)) if (mine.test(f)) rmSync(join(SCREENSHOTS, f));
  } catch {
    // no folder yet
  }
  shot = 0;
}

/**
 * The page as it is now: axe finds no serious or critical violation of the WCAG 2.0/2.1/2.2 A and AA
 * rules, and a full-page screenshot is saved as test-results/screenshots/NN-<name>.png. With
 * `docs` and UPDATE_DOCS_SCREENSHOTS=1, the window's view goes to docs/screenshots/<name>.png too.
 */
export async function checkPage(page: Page, name: string, opts: { docs?: boolean } = {}): Promise<string> {
  await page.waitForLoadState('networkidle');
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`),
    `axe on ${name} (${page.url()})`,
  ).toEqual([]);
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, `${String(++shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (opts.docs && process.env.UPDATE_DOCS_SCREENSHOTS === '1') {
    mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(DOCS_SCREENSHOTS, `${name}.png`) });
  }
  return file;
}
