/** What tests share: the built-in sample data (README, "Built-in sample data"), the mailbox's and the API's answers. */
import { checkAnswer } from './contract.ts';

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
