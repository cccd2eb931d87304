/** What every handler shares: configuration, adapters (built once per container) and the logger. */
import { Logger } from '@aws-lambda-powertools/logger';
import { loadConfig, type Config } from '../shared/config.ts';
import type { Deps } from '../shared/app/deps.ts';
import { createDeps } from './wiring.ts';
import { redactForLog } from '../shared/adapters/log-redaction.ts';

export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'hms-guest-accounts',
  jsonReplacerFn: (key, value) => redactForLog(key, value),
});

let runtime: { config: Config; deps: Deps } | undefined;

/** Built on first use, so importing a handler has no side effects. */
export function runtimeDeps(): { config: Config; deps: Deps } {
  if (!runtime) {
    const config = loadConfig();
    runtime = { config, deps: createDeps(config, (message, fields) => logger.error(message, fields)) };
  }
  return runtime;
}

/** Replaces the adapters and configuration, or with undefined makes the next invocation build them again (the local system does so after setting the environment). */
export function setRuntimeDeps(value: { config: Config; deps: Deps } | undefined): void {
  runtime = value;
}
