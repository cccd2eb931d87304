/** What tests share about the built-in sample data (README, "Built-in sample data") and the local system's answers. */

export const SPONSOR = { huid: '10000001', email: 'ada.faculty@hms.harvard.edu' };
export const DELEGATE = { huid: '10000004', email: 'lee.labadmin@hms.harvard.edu' };
export const GUEST = { huid: '20000001', email: 'grace.guest@example.org' };

/** One message of the mailbox's GET /store (aws-ses-v2-local's format). */
export interface Mail {
  messageId: string;
  destination: { to: string[]; cc: string[] };
  subject: string;
  body: { text?: string; html?: string };
}

/** An HTTP answer, its JSON body parsed. */
export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}
