/**
 * The pages on the local system: built by Vite (scripts/build-web.ts) when their sources changed,
 * cached like the template (node_modules/.cache/hms-guest-accounts/web-<hash of the sources>/), and
 * served on the API's port at `/`, beside the API (/v1/*, /openapi.json) and the local endpoints
 * (/_local/*), as CloudFront serves the bucket beside the API in AWS. A path of the pages that is not
 * a file (/guests/…, /activate?…) gets index.html: the pages route it. `/config.json` tells the
 * pages where to sign in and the local clock (business time).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'hms-guest-accounts');
/**
 * What the build reads: the pages, the lifecycles' pure rules they import (every domain folder, and
 * the guest lifecycle's published rules another domain imports; test/unit/imports.test.ts holds
 * that nothing else of shared/ is reached), the build script, the lockfile (Vite's and React's versions).
 */
export const INPUT_DIRS = ['web/src', 'web/public', 'shared/core/domain', 'shared/guest/domain', 'shared/o2/domain'];
export const INPUT_FILES = ['web/index.html', 'scripts/build-web.ts', 'package-lock.json', 'local/web.ts', 'shared/guest/public-rules.ts'];
/** Generated from the OpenAPI document: types only, nothing of them is in the build. */
const IGNORED = new Set(['web/src/api/schema.d.ts', 'web/src/api/openapi.json']);

function listFiles(dir: string): string[] {
  if (!existsSync(join(ROOT, dir))) return [];
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .filter((f) => !IGNORED.has(f));
}

/** A hash of every input of the pages' build (paths and contents): the cache key. */
export function webSourcesHash(): string {
  const hash = createHash('sha256');
  for (const file of [...INPUT_DIRS.flatMap(listFiles), ...INPUT_FILES].sort()) hash.update(`${file}\0`).update(readFileSync(join(ROOT, file))).update('\0');
  return hash.digest('hex').slice(0, 32);
}

/** Builds the pages into `outDir` in a child process (Node with tsx, as this one), so that it runs beside the synthesis. */
function buildInChild(outDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'build-web.ts'), outDir], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`building the pages failed (${code ?? signal}):\n${err.slice(-4000)}`))));
  });
}

/**
 * The directory of the built pages for the current sources: the cached build, or a new one (built
 * into a folder of its own, then renamed into place: starts running side by side never see half a
 * build, and the first to finish wins). Earlier builds are removed.
 */
export async function builtPages(opts: { log?: (line: string) => void } = {}): Promise<string> {
  const dir = join(CACHE_DIR, `web-${webSourcesHash()}`);
  if (existsSync(join(dir, 'index.html'))) return dir;
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${dir}.${process.pid}.tmp`;
  opts.log?.('building the pages (their sources changed)…');
  try {
    await buildInChild(tmp);
    try {
      renameSync(tmp, dir);
    } catch {
      // Another start built them first: theirs are the same.
      if (!existsSync(join(dir, 'index.html'))) throw new Error(`could not move the built pages into ${dir}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const old of readdirSync(CACHE_DIR)) {
    const path = join(CACHE_DIR, old);
    // Other sources' builds, and what a killed build left (kept for an hour: another start may be building).
    if (old.startsWith('web-') && path !== dir && (!old.endsWith('.tmp') || Date.now() - statSync(path).mtimeMs > 3_600_000)) rmSync(path, { recursive: true, force: true });
  }
  return dir;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** What the pages read from /config.json (web/src/config.ts). */
export interface PagesConfig {
  issuer: string;
  clientId: string;
  scopes: string;
  apiUrl: string;
  now?: string;
}

/** What CloudFront compresses: text, scripts, styles, JSON and SVG of 1,000 bytes to 10 MB. */
const COMPRESSIBLE = /^(text\/|application\/(javascript|json)|image\/svg\+xml)/;
const encodedCache = new WeakMap<Buffer, Map<string, Buffer>>();

/**
 * The body as CloudFront would send it to a browser that accepts `br` or `gzip` (issue 21): Brotli
 * first, then gzip; anything else as it is. A file's encodings are made once.
 */
function compressed(body: Buffer | string, type: string, accept: string): [Buffer, string | undefined] {
  const raw = typeof body === 'string' ? Buffer.from(body) : body;
  if (!COMPRESSIBLE.test(type) || raw.byteLength < 1000 || raw.byteLength > 10_000_000) return [raw, undefined];
  const accepted = accept.split(',').map((e) => e.trim().split(';')[0]!.toLowerCase());
  const encoding = accepted.includes('br') ? 'br' : accepted.includes('gzip') ? 'gzip' : undefined;
  if (!encoding) return [raw, undefined];
  const cache = typeof body === 'string' ? undefined : (encodedCache.get(raw) ?? encodedCache.set(raw, new Map()).get(raw)!);
  let out = cache?.get(encoding);
  if (!out) {
    out = encoding === 'br' ? brotliCompressSync(raw, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } }) : gzipSync(raw, { level: 6 });
    cache?.set(encoding, out);
  }
  return [out, encoding];
}

export interface LocalSite {
  /** Serves the request if it is one of the pages' (true), else leaves it (false). */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
}

/**
 * The pages' files, read into memory once (a later build may replace the folder), served as a
 * static site: the hashed assets cached for good, the rest revalidated; the HTML with a content
 * security policy without 'unsafe-inline' (the pages need none), allowing the identity provider.
 */
export function localSite(dir: string, config: () => PagesConfig): LocalSite {
  const files = new Map<string, Buffer>();
  for (const file of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (file.isFile()) files.set(`/${relative(dir, join(file.parentPath, file.name)).split('\\').join('/')}`, readFileSync(join(file.parentPath, file.name)));
  }
  const index = files.get('/index.html');
  if (!index) throw new Error(`${dir} holds no index.html`);
  const headers = (type: string, cache: string): Record<string, string> => ({ 'content-type': type, 'cache-control': cache, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
  const html = (): Record<string, string> => {
    const issuer = new URL(config().issuer).origin;
    return {
      ...headers(TYPES['.html']!, 'no-cache'),
      'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self' ${issuer}; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'`,
      'x-frame-options': 'DENY',
    };
  };
  return {
    handle(req, res, url) {
      const method = (req.method ?? 'GET').toUpperCase();
      const path = url.pathname;
      // The API's and the local system's own paths are never the pages'.
      if ((method !== 'GET' && method !== 'HEAD') || path.startsWith('/v1/') || path === '/v1' || path.startsWith('/_local/') || path === '/openapi.json') return false;
      const send = (status: number, head: Record<string, string>, body: Buffer | string) => {
        const [encoded, encoding] = compressed(body, head['content-type'] ?? '', String(req.headers['accept-encoding'] ?? ''));
        res.writeHead(status, { ...head, ...(encoding ? { 'content-encoding': encoding } : {}), vary: 'accept-encoding', 'content-length': String(encoded.byteLength) });
        res.end(method === 'HEAD' ? undefined : encoded);
      };
      if (path === '/config.json') {
        send(200, headers(TYPES['.json']!, 'no-store'), JSON.stringify(config()));
        return true;
      }
      const file = files.get(path);
      if (file && path !== '/index.html') {
        send(200, headers(TYPES[extname(path)] ?? 'application/octet-stream', path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'), file);
        return true;
      }
      // A file that is not there (a name with an extension): 404, not the pages.
      if (extname(path) && path !== '/index.html') {
        send(404, headers('text/plain; charset=utf-8', 'no-cache'), 'Not found');
        return true;
      }
      send(200, html(), index);
      return true;
    },
  };
}
