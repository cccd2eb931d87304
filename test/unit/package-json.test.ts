/**
 * package.json: every dependency's install script is reviewed in `allowScripts` (npm 11), so that
 * `npm ci` warns of none. The lockfile has no `resolved` URLs, which version-pinned keys need to
 * be verified, so the entries are by name.
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { ROOT } from '../support/cli.ts';

it('npm install-scripts ls: no dependency with an install script left unreviewed', () => {
  const run = spawnSync('npm', ['install-scripts', 'ls'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(`${run.stdout}${run.stderr}`).toContain('No packages with unreviewed install scripts.');
  expect(run.status).toBe(0);
});
