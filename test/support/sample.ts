/** What tests share: the built-in sample data (README, "Built-in sample data"), the mailbox's and the API's answers. */
import { checkAnswer } from './contract.ts';
import { readableDate } from '../../shared/core/domain/dates.ts';

export const SPONSOR = { huid: '10000001', email: 'ada.faculty@hms.harvard.edu' };
export const DELEGATE = { huid: '10000004', email: 'lee.labadmin@hms.harvard.edu' };
export const GUEST = { huid: '20000001', email: 'grace.guest@example.org' };

/** A password that keeps every rule of the password policy (shared/guest/domain/password-policy.ts), for activations in tests. */
export const PASSWORD = 'correct-tulip-7-lantern';

/** One message of the mailbox's GET /store (aws-ses-v2-local's format). */
export interface Mail {
  messageId: string;
  destination: { to: string[]; cc: string[] };
  subject: string;
  body: { text?: string; html?: string };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * The day an expiry notice is of, as an ISO date, from its text's "(Notice of Wednesday, February
 * 10, 2027.)": the emails write dates in words (shared/core/domain/dates.ts, readableDate), tests
 * compare days. A date in words that is not one (a wrong weekday) throws.
 */
export function noticeOf(m: Mail): string | undefined {
  const words = /Notice of (\w+, (\w+) (\d{1,2}), (\d{4}))\./.exec(m.body.text ?? '');
  if (!words) return undefined;
  const month = MONTHS.indexOf(words[2]!) + 1;
  const iso = `${words[4]!}-${String(month).padStart(2, '0')}-${words[3]!.padStart(2, '0')}`;
  if (month === 0 || readableDate(iso) !== words[1]) throw new Error(`not a date in words: ${words[1]!}`);
  return iso;
}

/** An HTTP answer, its JSON body parsed. */
export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** Options of one call. */
export interface RequestOptions {
  /**
   * Hold the answer to the OpenAPI document (test/support/contract.ts): an undeclared status,
   * content type or header, or a body that does not match, fails the call. On by default; off only
   * where the document of this checkout is not the one of the system called (a baseline in bench/).
   */
  contract?: boolean;
}

/**
 * One HTTP call with a JSON body (or a string sent as it is); the answer's body parsed as JSON when
 * it is JSON. With `source`, the call comes from that loopback address (127.x.y.z: every one of
 * them reaches a server on 127.0.0.1), as from another client. Every answer of the API is checked
 * against its OpenAPI document (see `RequestOptions.contract`).
 */
export async function requestJson<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  source?: string,
  options: RequestOptions = {},
): Promise<Answer<T>> {
  const answer = source ? await requestFrom(source, baseUrl, method, path, body, headers) : await requestFetch(baseUrl, method, path, body, headers);
  if (options.contract !== false) checkAnswer(method, path, answer);
  let parsed: unknown = answer.body;
  try {
    parsed = answer.body ? JSON.parse(answer.body) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: answer.status, body: parsed as T, headers: answer.headers };
}

async function requestFetch(baseUrl: string, method: string, path: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

async function requestFrom(source: string, baseUrl: string, method: string, path: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: string; headers: Headers }> {
  const { request } = await import('node:http');
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}${path}`,
      { method, localAddress: source, headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
          resolve({ status: res.statusCode ?? 0, body: text, headers: h });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The account directory's page as JSON (local/scim/server.ts `snapshot`): users with their groups, groups with their members, the changes it made. */
export interface DirectoryView {
  users: { id: string; userName: string; externalId: string | null; name: string | null; active: boolean; groups: string[]; endDate: string | null; population: string | null; sponsorHuid: string | null; passwordSet: boolean; lastModified: string }[];
  groups: { id: string; displayName: string; members: string[] }[];
  events: { at: string; op: string; userName?: string; group?: string; changes?: string[] }[];
}

/** GET / of the local account directory, as JSON. */
export async function directoryOf(pageUrl: string): Promise<DirectoryView> {
  const res = await fetch(pageUrl, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`directory page: ${res.status}`);
  return (await res.json()) as DirectoryView;
}

/** One call of the local account directory's SCIM API, with the bearer token kept in the data directory. */
export async function scimCall(scimApiUrl: string, dataDir: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const token = readFileSync(join(dataDir, 'scim-token'), 'utf8').trim();
  const res = await fetch(`${scimApiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, accept: 'application/scim+json', ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Enables (or disables) a directory user by hand through the SCIM API, as HMS IT's console would. */
export async function setActiveByHand(scimApiUrl: string, dataDir: string, userName: string, active: boolean): Promise<void> {
  const found = await scimCall(scimApiUrl, dataDir, 'GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
  const id = (found.body.Resources as { id: string }[] | undefined)?.[0]?.id;
  if (!id) throw new Error(`no directory user ${userName}`);
  const res = await scimCall(scimApiUrl, dataDir, 'PATCH', `/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: active }] });
  if (res.status !== 200) throw new Error(`PATCH user: ${res.status} ${JSON.stringify(res.body)}`);
}
