/**
 * How the local system serves the pages (local/web.ts): the files of the build, index.html for the
 * pages' own paths (deep links from the emails), /config.json, and nothing of the API's, the
 * identity provider's or the local endpoints' paths.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localSite } from '../../local/web.ts';

let dir: string;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hms-pages-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>pages</title>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
  const site = localSite(dir, () => ({ issuer: 'http://localhost:3000/_local/idp', clientId: 'hms-guest-accounts-web', scopes: 'openid guests:read', apiUrl: '', now: '2027-01-04T14:00:00.000Z' }));
  server = createServer((req, res) => {
    if (!site.handle(req, res, new URL(req.url ?? '/', 'http://localhost'))) {
      res.writeHead(599);
      res.end('not the pages');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('localSite', () => {
  it.each(['/', '/guests/2b0e6a4e-6d0e-4c8e-9d1a-2f4a8f0c1d2e', '/activate?accountId=gg123', '/console?status=FAILED', '/callback?code=x&state=y'])('%s: index.html, with a CSP without unsafe-inline', async (path) => {
    const res = await fetch(`${base}${path}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<!doctype html><title>pages</title>');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self' http://localhost:3000");
    expect(csp).not.toContain('unsafe-inline');
  });

  it('a hashed asset: cached for good; another file: revalidated', async () => {
    const js = await fetch(`${base}/assets/index-abc123.js`);
    expect([js.status, js.headers.get('content-type'), js.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    const svg = await fetch(`${base}/favicon.svg`);
    expect([svg.status, svg.headers.get('content-type'), svg.headers.get('cache-control')]).toEqual([200, 'image/svg+xml', 'no-cache']);
  });

  it('a file that is not there: 404, not the pages', async () => {
    expect((await fetch(`${base}/assets/index-gone.js`)).status).toBe(404);
  });

  it('/config.json: where to sign in, and the local clock', async () => {
    const res = await fetch(`${base}/config.json`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ issuer: 'http://localhost:3000/_local/idp', clientId: 'hms-guest-accounts-web', scopes: 'openid guests:read', apiUrl: '', now: '2027-01-04T14:00:00.000Z' });
  });

  it.each([
    ['GET', '/v1/guests'],
    ['GET', '/v1/unknown'],
    ['GET', '/openapi.json'],
    ['GET', '/_local/clock'],
    ['POST', '/'],
    ['POST', '/guests/x'],
  ])('%s %s: left to the API and the local endpoints', async (method, path) => {
    expect((await fetch(`${base}${path}`, { method })).status).toBe(599);
  });
});
