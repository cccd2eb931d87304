/** Builds the app for tests: cdk.json feature flags, asset bundling off (fast), default config. No side effects. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { PROJECT_ROOT } from '../../infra/functions.ts';
import { GuestAccountsStack } from '../../infra/guest-accounts-stack.ts';
import { DEFAULT_CONFIG, type StackConfig } from '../../infra/stack-config.ts';

export const STACK_NAME = 'GuestAccounts';
export const STATE_MACHINE_NAME = `${STACK_NAME}-GuestLifecycle`;

/** The feature flags cdk.json gives the real app, so that tests see the same template. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

export function buildApp(config: Partial<StackConfig> = {}): { app: App; stack: GuestAccountsStack } {
  const app = new App({
    context: {
      ...cdkJsonContext(),
      // No stack is bundled: NodejsFunction assets are left as placeholders (no esbuild run).
      'aws:cdk:bundling-stacks': [],
    },
  });
  const stack = new GuestAccountsStack(app, STACK_NAME, { config: { ...DEFAULT_CONFIG, ...config } });
  return { app, stack };
}
