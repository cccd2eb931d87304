/**
 * The reconciler's schedule, with no CDK imports: the stack (infra/schedules.ts) creates the
 * EventBridge Scheduler schedule from it; the local mode reads that schedule from the template.
 */
export const RECONCILER_SCHEDULE = {
  /** EventBridge Scheduler cron: every day at 06:00. */
  expression: 'cron(0 6 * * ? *)',
  /** IANA time zone the expression is evaluated in (follows daylight saving time). */
  timezone: 'America/New_York',
} as const;

/** Retry policy of the schedule's target before the event goes to the dead-letter queue. */
export const RECONCILER_RETRY = {
  /** Retries after the first failed invocation. */
  retryAttempts: 3,
  /** Give up on an event older than this (seconds): the next daily run takes over. */
  maximumEventAgeSeconds: 6 * 60 * 60,
} as const;
