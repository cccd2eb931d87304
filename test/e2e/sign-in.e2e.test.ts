/**
 * End to end: signing in through the local OpenID provider as the pages will, from Node, over HTTP
 * only, against the `npm start` process. openid-client (an OpenID Certified relying party library)
 * discovers the provider from the issuer the system prints, builds the authorization request
 * (code, PKCE S256, state) and redeems the code; the development sign-in page in between is driven
 * as a browser would: its HTML read, its form submitted, cookies kept, redirects followed by hand.
 * Then the API is called with the access token, the token is refreshed, and the ID token is refused
 * where scopes are required (API Gateway's 403).
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { childEnv, ROOT, Systems, SPONSOR, GUEST, type LocalCli } from '../support/cli.ts';

const CLIENT_ID = 'hms-guest-accounts-web';
const SCOPE = 'openid profile email guests:read guests:write';

const systems = new Systems();
let sys: LocalCli;
let issuer: URL;
let redirectUri: string;
let config: oidc.Configuration;

beforeAll(async () => {
  sys = await systems.start({ clock: '2027-01-04T14:00:00Z' });
  // The issuer, as the system prints it.
  const printed = /^\s*Sign-in:\s+(\S+)/m.exec(sys.stdout)?.[1];
  expect(printed).toBeDefined();
  issuer = new URL(printed!);
  redirectUri = `${issuer.origin}/callback`;
  // Plain http is for the local provider only.
  config = await oidc.discovery(issuer, CLIENT_ID, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
});
afterAll(() => systems.killAll());

/** A browser's cookies, enough for one host: every cookie sent back on every request. */
class Browser {
  private readonly cookies = new Map<string, string>();

  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const eq = pair!.indexOf('=');
      const [name, value] = [pair!.slice(0, eq).trim(), pair!.slice(eq + 1)];
      if (/expires=Thu, 01 Jan 1970/i.test(cookie) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** The Location of a redirect answer (303 or 302/307), resolved against the request URL. */
  async redirect(url: string | URL, init: RequestInit = {}): Promise<URL> {
    const res = await this.request(url, init);
    expect([302, 303, 307], `${String(url)} → ${res.status} ${await res.clone().text()}`).toContain(res.status);
    return new URL(res.headers.get('location')!, url);
  }
}

interface SignIn {
  /** The sign-in page's URL and HTML. */
  pageUrl: URL;
  html: string;
  /** Where the browser lands after choosing: the redirect URI with the code. */
  callback: URL;
  verifier: string;
  state: string;
}

/** The sign-in page of a new authorization request (code, PKCE S256). */
async function openSignIn(browser: Browser, scope = SCOPE): Promise<Omit<SignIn, 'callback'>> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const authorization = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const pageUrl = await browser.redirect(authorization);
  const page = await browser.request(pageUrl);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  return { pageUrl, html: await page.text(), verifier, state };
}

/** Clicks the button with this exact text on the sign-in page, and follows the redirects back to the pages. */
async function choose(browser: Browser, opened: Omit<SignIn, 'callback'>, buttonText: string): Promise<SignIn> {
  const action = /<form method="post" action="([^"]+)">/.exec(opened.html)?.[1];
  expect(action).toBeDefined();
  const escaped = buttonText.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const button = new RegExp(`<button type="submit" name="([^"]+)" value="([^"]+)">${escaped}</button>`).exec(opened.html);
  expect(button, `a button "${buttonText}"`).not.toBeNull();
  const resume = await browser.redirect(new URL(action!, opened.pageUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ [button![1]!]: button![2]! }).toString(),
  });
  const callback = await browser.redirect(resume);
  return { ...opened, callback };
}

async function signIn(buttonText: string, scope = SCOPE): Promise<{ tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers; flow: SignIn }> {
  const browser = new Browser();
  const flow = await choose(browser, await openSignIn(browser, scope), buttonText);
  const tokens = await oidc.authorizationCodeGrant(config, flow.callback, { pkceCodeVerifier: flow.verifier, expectedState: flow.state });
  return { tokens, flow };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('sign-in through the local OpenID provider (authorization code + PKCE), then the API', () => {
  let guestId: string;
  let refreshToken: string;
  let idToken: string;

  it('discovery: the issuer the system prints, code flow with S256 only, the JWKS the gateway checks tokens against', () => {
    // Assess
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(issuer.href);
    expect(issuer.pathname).toBe('/_local/idp');
    expect(meta.response_types_supported).toEqual(['code']);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']));
    expect(meta.jwks_uri).toBe(`${issuer.href}/.well-known/jwks.json`);
  });

  it('the sign-in page lists the directory\'s people, one button each to sign in (and one as HMS IT), plain accessible HTML', async () => {
    // Act
    const { html } = await openSignIn(new Browser());
    // Assess: the built-in sample's people, with what the rules care about
    for (const [name, huid] of [['Ada Faculty', '10000001'], ['Lee LabAdmin', '10000004'], ['Fay Former', '10000008'], ['Wren Wyss', '10000005']]) {
      expect(html).toContain(`<th scope="row">${name}</th>`);
      expect(html).toContain(`<td>${huid}</td>`);
      expect(html).toContain(`>Sign in as ${name}</button>`);
      expect(html).toContain(`>Sign in as ${name}, HMS IT</button>`);
    }
    expect(html).toMatch(/<td>Ada Faculty<\/td>\s*<td>—<\/td>\s*<td><button[^>]*value="10000004"/); // Lee LabAdmin is Ada's delegate (then the 'Also' column)
    expect(html).toMatch(/<td>Lee LabAdmin<\/td>\s*<td>—<\/td>\s*<td>PI \(Cell Biology\)<\/td>/); // Ada names Lee, and heads a lab
    expect(html).toContain('<td>inactive</td>');
    // Accessible and self-contained: language, title, a caption and header cells, buttons with their
    // own text, no script and nothing loaded from elsewhere.
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toMatch(/<title>[^<]+<\/title>/);
    expect(html).toMatch(/<caption>People in the directory \(23\)<\/caption>/);
    expect(html).toContain('<th scope="col">Name</th>');
    expect(html).not.toMatch(/<script|<img|<link|<iframe|\bsrc=|url\(/i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('Ada Faculty signs in with one click: an RS256 JWT access token for the API, with her HUID, no roles, the API scopes, in real time', async () => {
    // Act
    const { tokens } = await signIn('Sign in as Ada Faculty');
    // Assess
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    // The token answer's scope is the access token's: the API scopes
    expect(tokens.scope).toBe('guests:read guests:write');
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({ iss: issuer.href, aud: sys.apiUrl, sub: SPONSOR.huid, huid: SPONSOR.huid, hms_roles: [], client_id: CLIENT_ID, scope: 'guests:read guests:write' });
    // Real time, not the local clock (frozen at 2027-01-04)
    expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(60);
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(tokens.refresh_token).toBeTruthy();
    expect(decodeJwt(tokens.id_token!)).toMatchObject({ iss: issuer.href, aud: CLIENT_ID, sub: SPONSOR.huid, name: 'Ada Faculty', email: 'ada.faculty@hms.harvard.edu' });
    expect(decodeJwt(tokens.id_token!)).not.toHaveProperty('scope');

    // Act: the API with the access token
    const created = await sys.raw('POST', '/v1/guests', { guestHuid: GUEST.huid, population: 'visiting-faculty', endDate: '2027-06-30' }, bearer(tokens.access_token));
    // Assess: the caller is Ada, from the token
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ sponsorHuid: SPONSOR.huid, submittedBy: SPONSOR.huid });
    guestId = String(created.body.guestId);
    const read = await sys.raw('GET', `/v1/guests/${guestId}`, undefined, bearer(tokens.access_token));
    expect(read.status).toBe(200);
    refreshToken = tokens.refresh_token!;
    idToken = tokens.id_token!;
  });

  it('the refresh token gives a new access token (and a new refresh token: the old one is spent), which the API takes', async () => {
    // Act
    const refreshed = await oidc.refreshTokenGrant(config, refreshToken);
    // Assess
    expect(refreshed.access_token).not.toBe('');
    expect(decodeJwt(refreshed.access_token)).toMatchObject({ aud: sys.apiUrl, huid: SPONSOR.huid, hms_roles: [], scope: 'guests:read guests:write' });
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(refreshToken);
    const read = await sys.raw('GET', `/v1/guests/${guestId}`, undefined, bearer(refreshed.access_token));
    expect(read.status).toBe(200);
    // A refresh token is used once (rotation): the old one is refused.
    await expect(oidc.refreshTokenGrant(config, refreshToken)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('the ID token is refused where scopes are required: 403, API Gateway\'s body, nothing runs', async () => {
    // Act
    const read = await sys.raw('GET', `/v1/guests/${guestId}`, undefined, bearer(idToken));
    const cancel = await sys.raw('POST', `/v1/guests/${guestId}/cancel`, {}, bearer(idToken));
    // Assess
    for (const res of [read, cancel]) {
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ message: 'Forbidden' });
    }
    expect((await sys.guest(SPONSOR.huid, guestId)).status).not.toBe('CANCELLED');
  });

  it('the access token stays valid when the local clock moves: token time is real time', async () => {
    // Prepare
    const { tokens } = await signIn('Sign in as Ada Faculty');
    // Act
    await sys.advance('P30D');
    const read = await sys.raw('GET', `/v1/guests/${guestId}`, undefined, bearer(tokens.access_token));
    // Assess
    expect(read.status).toBe(200);
  });

  it('"as HMS IT" gives the role claim, kept when the token is refreshed: HMS IT reads another sponsor\'s guest', async () => {
    // Act
    const { tokens } = await signIn('Sign in as Sam Staff, HMS IT');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    // Assess
    expect(decodeJwt(tokens.access_token)).toMatchObject({ huid: '10000002', hms_roles: ['hms-it'] });
    expect(decodeJwt(refreshed.access_token)).toMatchObject({ huid: '10000002', hms_roles: ['hms-it'] });
    expect((await sys.raw('GET', `/v1/guests/${guestId}`, undefined, bearer(refreshed.access_token))).status).toBe(200);
    // Without the role, the same person does not see Ada's guest.
    const plain = await signIn('Sign in as Sam Staff');
    expect((await sys.raw('GET', `/v1/guests/${guestId}`, undefined, bearer(plain.tokens.access_token))).status).toBe(404);
  });

  it('a client that asks for guests:read only gets a token that reads and does not write', async () => {
    // Act
    const { tokens } = await signIn('Sign in as Ada Faculty', 'openid guests:read');
    const read = await sys.raw('GET', `/v1/guests/${guestId}`, undefined, bearer(tokens.access_token));
    const write = await sys.raw('POST', `/v1/guests/${guestId}/cancel`, {}, bearer(tokens.access_token));
    // Assess
    expect(decodeJwt(tokens.access_token).scope).toBe('guests:read');
    expect(read.status).toBe(200);
    expect(write.status).toBe(403);
  });
});

describe('signing out', () => {
  it('the end-session endpoint asks to confirm with a form, and signs out', async () => {
    // Prepare: a browser signed in
    const browser = new Browser();
    await choose(browser, await openSignIn(browser), 'Sign in as Ada Faculty');
    // Act
    const confirm = await browser.request(config.serverMetadata().end_session_endpoint!);
    const html = await confirm.text();
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    const done = await browser.request(new URL(action!, issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf: xsrf!, logout: 'yes' }).toString(),
    });
    const after = await browser.request(new URL(done.headers.get('location')!, issuer));
    // Assess
    expect(confirm.status).toBe(200);
    expect(html).toContain('<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>');
    expect(done.status).toBe(303);
    expect(after.status).toBe(200);
    expect(await after.text()).toContain('<h1>Signed out</h1>');
  });
});

describe('tokens for scripts come from the same provider', () => {
  it('`npm run token` prints an access token like a signed-in one (issuer, audience, key, client, claims), which the API takes', async () => {
    // Prepare: a token from a sign-in, to compare with
    const { tokens } = await signIn('Sign in as Ada Faculty');
    // Act
    const run = spawnSync('npm', ['run', '--silent', 'token', '--', '--huid', '10000002', '--role', 'hms-it', '--api', sys.apiUrl], { cwd: ROOT, env: childEnv(), encoding: 'utf8', timeout: 60_000 });
    // Assess
    expect(run.status, run.stderr).toBe(0);
    const token = run.stdout.trim();
    expect(decodeProtectedHeader(token)).toEqual(decodeProtectedHeader(tokens.access_token));
    const { iss, aud, client_id, scope } = decodeJwt(tokens.access_token);
    expect(decodeJwt(token)).toMatchObject({ iss, aud, client_id, scope, sub: '10000002', huid: '10000002', hms_roles: ['hms-it'] });
    const listed = await sys.raw('GET', '/v1/guests', undefined, bearer(token));
    expect(listed.status).toBe(200);
  });

  it('`npm run token -- --scope guests:read` prints a token that reads and does not write', async () => {
    // Act
    const run = spawnSync('npm', ['run', '--silent', 'token', '--', '--huid', '10000001', '--scope', 'guests:read', '--api', sys.apiUrl], { cwd: ROOT, env: childEnv(), encoding: 'utf8', timeout: 60_000 });
    // Assess
    expect(run.status, run.stderr).toBe(0);
    const token = run.stdout.trim();
    expect(decodeJwt(token).scope).toBe('guests:read');
    expect((await sys.raw('GET', '/v1/guests', undefined, bearer(token))).status).toBe(200);
    expect((await sys.raw('POST', '/v1/guests', {}, bearer(token))).status).toBe(403);
  });
});

describe('what the provider refuses', () => {
  it('an authorization request without PKCE: sent back to the pages with invalid_request', async () => {
    // Prepare
    const browser = new Browser();
    const authorization = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: SCOPE, state: oidc.randomState() });
    // Act
    const back = await browser.redirect(authorization);
    // Assess
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('a code redeemed with the wrong PKCE verifier: invalid_grant, no tokens', async () => {
    // Prepare
    const browser = new Browser();
    const flow = await choose(browser, await openSignIn(browser), 'Sign in as Ada Faculty');
    // Act + Assess
    await expect(oidc.authorizationCodeGrant(config, flow.callback, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: flow.state })).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('a redirect URI that is not the pages\': an error page, no redirect', async () => {
    // Prepare
    const authorization = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'https://attacker.example/callback',
      scope: SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    // Act
    const res = await new Browser().request(authorization);
    // Assess
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('redirect_uri');
  });

  it('cancelling on the sign-in page: back to the pages with access_denied', async () => {
    // Prepare
    const browser = new Browser();
    const opened = await openSignIn(browser);
    // Act
    const flow = await choose(browser, opened, 'Cancel: back to the pages without signing in');
    // Assess
    expect(flow.callback.searchParams.get('error')).toBe('access_denied');
    expect(flow.callback.searchParams.get('state')).toBe(opened.state);
  });

  it('a sign-in form posted without the browser\'s cookie (another browser, a forged post): refused, nobody signed in', async () => {
    // Prepare
    const opened = await openSignIn(new Browser());
    const action = /<form method="post" action="([^"]+)">/.exec(opened.html)![1]!;
    // Act
    const res = await new Browser().request(new URL(action, opened.pageUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ account: '10000001/hms-it' }).toString(),
    });
    // Assess
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });
});
