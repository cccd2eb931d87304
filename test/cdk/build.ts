/**
 * Builds the app for tests: cdk.json feature flags, asset bundling off (fast), default config.
 * The app synthesizes into a folder of its own under the temp directory (an App with no `outdir`
 * makes a `cdk.outXXXXXX` folder there and never removes it): `cleanup()` removes it, once the
 * template has been read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { GuestAccountsStack } from '../../infra/guest-accounts-stack.ts';
import { cdkJsonContext, DEFAULT_CONFIG, type StackConfig } from '../../infra/stack-config.ts';

export const STACK_NAME = 'GuestAccounts';
export const STATE_MACHINE_NAME = `${STACK_NAME}-GuestLifecycle`;

export function buildApp(config: Partial<StackConfig> = {}): { app: App; stack: GuestAccountsStack; cleanup: () => void } {
  const outdir = mkdtempSync(join(tmpdir(), 'hms-guest-accounts-cdk-'));
  const app = new App({
    outdir,
    context: {
      ...cdkJsonContext(),
      // No stack is bundled: NodejsFunction assets are left as placeholders (no esbuild run).
      'aws:cdk:bundling-stacks': [],
    },
  });
  const stack = new GuestAccountsStack(app, STACK_NAME, { config: { ...DEFAULT_CONFIG, ...config } });
  return { app, stack, cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}
