/**
 * `npm run build:web [-- OUT_DIR]`: the pages (web/, React) built by Vite into OUT_DIR (web/dist by
 * default): index.html, hashed JavaScript and CSS under assets/, and web/public as it is. No inline
 * script or style and no data: URL (assetsInlineLimit 0), so the pages run under a CSP without
 * 'unsafe-inline'. The local system builds the pages with this too, when their sources changed
 * (local/web.ts).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = resolve(fileURLToPath(new URL('../web', import.meta.url)));

export async function buildWeb(outDir = resolve(WEB_DIR, 'dist')): Promise<string> {
  // Loaded here only: Vite is large, and only a build needs it.
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: WEB_DIR,
    publicDir: resolve(WEB_DIR, 'public'),
    logLevel: 'warn',
    clearScreen: false,
    // JSX of React 17+ (react/jsx-runtime): no React import in every file, no Babel plugin needed.
    esbuild: { jsx: 'automatic', legalComments: 'none' },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      assetsInlineLimit: 0,
      reportCompressedSize: false,
      chunkSizeWarningLimit: 1024,
    },
  });
  return outDir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildWeb(process.argv[2] ? resolve(process.argv[2]) : undefined);
  process.stdout.write(`built the pages into ${out}\n`);
}
