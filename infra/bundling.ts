/**
 * How each function is bundled, in one place: the stack's NodejsFunction (infra/functions.ts) and
 * the bundle benchmark (bench/bundles.ts) read it, so what is measured is what is deployed.
 * ESM for Node 24, minified, the AWS SDK left out (the runtime provides it). No source map in the
 * deployed asset: a stack trace names the minified bundle, and `npm run bench -- --bundles` writes
 * the bundles with their maps and metafiles to read one (issue 21).
 */
export const BUNDLE = {
  format: 'esm',
  minify: true,
  sourcemap: false,
  target: 'node24',
  mainFields: ['module', 'main'],
  external: ['@aws-sdk/*'],
  /** CommonJS dependencies bundled into ESM still call `require` for Node's own modules. */
  banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
} as const;

/** The functions, by entry: what the stack deploys (infra/*.ts name these entries). */
export const FUNCTION_ENTRIES = ['functions/api.ts', 'functions/lifecycle-task.ts', 'functions/o2-task.ts', 'functions/reconciler.ts'] as const;
