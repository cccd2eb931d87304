/**
 * Alerts for HMS IT as structured log lines: `{"alert": "<name>", ...}` at ERROR level in the
 * function's log group, where a metric filter counts them and an alarm notifies HMS IT
 * (infra/monitoring.ts). Nothing personal goes in `detail` (the logger redacts it anyway).
 */
import type { Alerts } from '../core/ports.ts';

/** Every alert the code raises, each with an alarm of its own (infra/monitoring.ts). */
export const ALERTS = {
  'activation-ceiling': 'An activation code was tried so many times from so many addresses that it was locked: someone may be guessing (the sponsor was told).',
  'o2-rc-core-overdue': 'The RC Core has not completed the setup of an O2 account in 10 working days (it was reminded after 3).',
} as const;
export type AlertName = keyof typeof ALERTS;

export type AlertWriter = (message: string, fields: Record<string, unknown>) => void;

export class LogAlerts implements Alerts {
  constructor(private readonly write: AlertWriter) {}

  async raise(alert: AlertName, detail: Record<string, unknown>): Promise<void> {
    this.write(`HMS IT alert: ${alert}`, { ...detail, alert });
  }
}
