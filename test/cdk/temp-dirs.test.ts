/**
 * Synthesis leaves nothing in the temp directory: an App with no `outdir` creates a
 * `cdk.outXXXXXX` folder in os.tmpdir() and never removes it, so every test run (and every local
 * start that synthesizes) used to leave some behind. Checked against a private temp directory
 * (TMPDIR), so that other processes writing to the shared one cannot disturb the count.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { synthesizeTemplate } from '../../local/synth.ts';
import { buildApp } from './build.ts';
import { app as sharedApp } from './synth.ts';

let privateTmp: string;
let savedTmpdir: string | undefined;

beforeEach(() => {
  privateTmp = mkdtempSync(join(tmpdir(), 'hms-tmpdir-probe-'));
  savedTmpdir = process.env.TMPDIR;
  process.env.TMPDIR = privateTmp; // os.tmpdir() reads it on every call
  expect(tmpdir()).toBe(privateTmp);
});

afterEach(() => {
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  rmSync(privateTmp, { recursive: true, force: true });
});

describe('synthesis temp folders', () => {
  it('the test app synthesizes into its own folder, which cleanup() removes', () => {
    // Act
    const built = buildApp();
    Template.fromStack(built.stack);
    const during = readdirSync(privateTmp);
    built.cleanup();

    // Assess: one folder while in use (where the assembly went), none after
    expect(during).toHaveLength(1);
    expect(built.app.outdir).toBe(join(privateTmp, during[0]!));
    expect(readdirSync(privateTmp)).toEqual([]);
  });

  it('the local synthesis (npm start on a cache miss, test/cdk/local-synth) removes its folder', async () => {
    // Act: the synthesis itself (not through the disk cache, which other test files use at the same time)
    const template = await synthesizeTemplate();

    // Assess
    expect(Object.keys(template.Resources).length).toBeGreaterThan(0);
    expect(readdirSync(privateTmp)).toEqual([]);
  });

  it('the shared test template (test/cdk/synth.ts) has removed its folder once read', () => {
    expect(existsSync(sharedApp.outdir)).toBe(false);
  });
});
