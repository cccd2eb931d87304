/**
 * vitest's globalSetup: runs once, before any worker. Extracts the browser of the browser tests
 * (test/support/chromium.ts) unless this machine has it: workers extracting it at once would race.
 */
import { extractChromium } from './chromium.ts';

export default async function setup(): Promise<void> {
  await extractChromium();
}
