/**
 * Sign-in: OpenID Connect authorization code flow with PKCE (RFC 7636, S256), for a public client,
 * with WebCrypto. The verifier and state live in sessionStorage for the round trip only; the
 * tokens in sessionStorage (this tab), the access token refreshed with the refresh token before it
 * expires. The API is called with the access token; who the person is comes from GET /v1/me.
 */
import { config } from './config.ts';
import { clearDraft } from './kit/draft.ts';

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

interface Tokens {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** Browser time (ms) when the access token expires. */
  expiresAt: number;
}

interface Pending {
  verifier: string;
  returnTo: string;
}

const TOKENS = 'hms-guests.tokens';
const PENDING = 'hms-guests.sign-in.';
/** Refresh this long before the access token expires. */
const EARLY_MS = 60_000;

const browserMs = (): number => new Date().getTime();

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** The S256 code challenge of a verifier: BASE64URL(SHA-256(verifier)). */
export async function codeChallenge(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

let discovery: Promise<Discovery> | undefined;
function discover(): Promise<Discovery> {
  discovery ??= (async () => {
    const res = await fetch(`${config().issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`The sign-in service did not answer (HTTP ${res.status}).`);
    return (await res.json()) as Discovery;
  })();
  discovery.catch(() => (discovery = undefined));
  return discovery;
}

const redirectUri = () => `${location.origin}/callback`;

function readTokens(): Tokens | undefined {
  try {
    const raw = sessionStorage.getItem(TOKENS);
    return raw ? (JSON.parse(raw) as Tokens) : undefined;
  } catch {
    return undefined;
  }
}

function saveTokens(answer: { access_token: string; refresh_token?: string; id_token?: string; expires_in?: number }, previous?: Tokens): Tokens {
  const tokens: Tokens = {
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token ?? previous?.refreshToken,
    idToken: answer.id_token ?? previous?.idToken,
    expiresAt: browserMs() + (answer.expires_in ?? 300) * 1000,
  };
  sessionStorage.setItem(TOKENS, JSON.stringify(tokens));
  return tokens;
}

/** Whether this tab holds tokens (it may still have to refresh them). */
export function isSignedIn(): boolean {
  return readTokens() !== undefined;
}

/** Off to the sign-in page; back at `returnTo` (a path of the pages) afterwards. */
export async function signIn(returnTo = `${location.pathname}${location.search}`): Promise<never> {
  const d = await discover();
  const verifier = randomString(48);
  const state = randomString(16);
  sessionStorage.setItem(PENDING + state, JSON.stringify({ verifier, returnTo } satisfies Pending));
  const cfg = config();
  const url = new URL(d.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: cfg.clientId,
    redirect_uri: redirectUri(),
    scope: cfg.scopes,
    state,
    code_challenge: await codeChallenge(verifier),
    code_challenge_method: 'S256',
    ...(cfg.resource ? { resource: cfg.resource } : {}),
  }).toString();
  location.assign(url.toString());
  return new Promise<never>(() => undefined);
}

async function tokenRequest(body: Record<string, string>): Promise<{ access_token: string; refresh_token?: string; id_token?: string; expires_in?: number }> {
  const d = await discover();
  const res = await fetch(d.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ client_id: config().clientId, ...body }).toString(),
  });
  const answer = (await res.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string };
  if (!res.ok || typeof answer.access_token !== 'string') {
    throw new Error(answer.error_description ?? answer.error ?? `The sign-in service refused (HTTP ${res.status}).`);
  }
  return answer as { access_token: string };
}

/**
 * The redirect back from the sign-in page (`/callback?code=…&state=…`): the code and the verifier
 * for tokens. Answers where to go next.
 */
export async function completeSignIn(search: string): Promise<string> {
  const params = new URLSearchParams(search);
  const state = params.get('state') ?? '';
  const raw = sessionStorage.getItem(PENDING + state);
  sessionStorage.removeItem(PENDING + state);
  if (params.get('error')) throw new Error(params.get('error_description') ?? `Sign-in failed: ${params.get('error')}.`);
  if (!raw) throw new Error('This sign-in was not started in this browser tab, or was already used. Sign in again.');
  const pending = JSON.parse(raw) as Pending;
  const code = params.get('code');
  if (!code) throw new Error('The sign-in service sent no code. Sign in again.');
  saveTokens(await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: redirectUri(), code_verifier: pending.verifier }));
  return pending.returnTo.startsWith('/') && !pending.returnTo.startsWith('//') ? pending.returnTo : '/';
}

let refreshing: Promise<string | undefined> | undefined;

/** A valid access token, refreshed when it is about to expire; undefined when the person must sign in. */
export async function accessToken(): Promise<string | undefined> {
  const tokens = readTokens();
  if (!tokens) return undefined;
  if (tokens.expiresAt - EARLY_MS > browserMs()) return tokens.accessToken;
  if (!tokens.refreshToken) {
    sessionStorage.removeItem(TOKENS);
    return undefined;
  }
  refreshing ??= tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken })
    .then((answer) => saveTokens(answer, tokens).accessToken)
    .catch(() => {
      sessionStorage.removeItem(TOKENS);
      return undefined;
    })
    .finally(() => (refreshing = undefined));
  return refreshing;
}

/** Forgets the tokens (an API answer said they are no good). */
export function forgetTokens(): void {
  sessionStorage.removeItem(TOKENS);
}

/** Signs out of the pages and of the identity provider, then back to the start page. */
export async function signOut(): Promise<void> {
  const tokens = readTokens();
  forgetTokens();
  // What was typed into forms is the person's: it goes with them.
  clearDraft();
  let d: Discovery | undefined;
  try {
    d = await discover();
  } catch {
    d = undefined;
  }
  if (!d?.end_session_endpoint) {
    location.assign('/');
    return;
  }
  const url = new URL(d.end_session_endpoint);
  url.search = new URLSearchParams({
    client_id: config().clientId,
    post_logout_redirect_uri: `${location.origin}/`,
    ...(tokens?.idToken ? { id_token_hint: tokens.idToken } : {}),
  }).toString();
  location.assign(url.toString());
}
