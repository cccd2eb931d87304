/** Builds the app for tests: cdk.json feature flags, asset bundling off (fast), default config. No side effects. */
import { App } from 'aws-cdk-lib';
import { GuestAccountsStack } from '../../infra/guest-accounts-stack.ts';
import { cdkJsonContext, DEFAULT_CONFIG, type StackConfig } from '../../infra/stack-config.ts';

export const STACK_NAME = 'GuestAccounts';
export const STATE_MACHINE_NAME = `${STACK_NAME}-GuestLifecycle`;


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
