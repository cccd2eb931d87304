/** The pages' API client (web/src/api/client.ts) with the signed-in person's access token, and what its errors mean to a person. */
import { ApiError, createApiClient, type ApiClient, type Problem } from './api/client.ts';
import { accessToken, forgetTokens } from './auth.ts';
import { config } from './config.ts';
import { withReadableDates } from './kit/words.ts';

let client: ApiClient | undefined;

/** The client for signed-in calls (the access token is asked for at each request, so a refreshed one is used). */
export function api(): ApiClient {
  client ??= createApiClient({ baseUrl: config().apiUrl || location.origin, token: accessToken });
  return client;
}

let publicClient: ApiClient | undefined;
/** The client for the public route (activation): no token, even when someone is signed in in this tab. */
export function publicApi(): ApiClient {
  publicClient ??= createApiClient({ baseUrl: config().apiUrl || location.origin });
  return publicClient;
}

/** The session ended (no token, or the API refused it): sign in again. */
export function needsSignIn(err: unknown): boolean {
  if (err instanceof ApiError && err.status === 401) {
    forgetTokens();
    return true;
  }
  return false;
}

/** What to tell a person about a failed call: the API's own words where it has them. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return 'Your sign-in has ended. Sign in again.';
    if (err.status === 403 && err.body && 'message' in err.body) return 'Your sign-in does not allow this (missing permission). Sign out and sign in again.';
    if (err.status === 412) return 'Someone changed this guest while you were looking at it. The page now shows it as it is; check it and try again.';
    if (err.status === 429) return 'Too many requests just now. Wait a moment and try again.';
    if (err.status >= 500) return 'Something went wrong on our side. Try again in a moment; if it keeps happening, contact HMS IT.';
    return withReadableDates(err.message);
  }
  if (err instanceof TypeError) return 'The guest accounts service could not be reached. Check your connection and try again.';
  return err instanceof Error ? err.message : String(err);
}

/** The bad fields of a 400, by the body field their JSON Pointer names (`#/endDate` → `endDate`). */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError)) return out;
  for (const e of err.fieldErrors as NonNullable<Problem['errors']>) {
    const pointer = e.pointer?.replace(/^#/, '');
    if (pointer === undefined) continue;
    const field = decodeURIComponent(pointer.split('/')[1] ?? '').replace(/~1/g, '/').replace(/~0/g, '~');
    if (!field) continue;
    out[field] = out[field] ? `${out[field]}; ${e.detail}` : e.detail;
  }
  return out;
}
