/**
 * Identity: only a token the identity provider signed, for this API, and valid now (real time, as
 * API Gateway checks it: the local clock is business time), gets past the gateway (the local
 * gateway applies the deployed JWT authorizer's rules); a token without one of the route's scopes
 * (an ID token) is refused with 403; a refused call runs nothing. The caller is the token's `huid`
 * claim, never anything in the body or other headers.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64url, decodeJwt, exportJWK, generateKeyPair, importJWK, SignJWT, UnsecuredJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { LocalIdentityProvider, WEB_CLIENT_ID } from '../../local/identity.ts';
import { TestSystem, SPONSOR, DELEGATE, GUEST } from '../support/local-system.ts';
import { closeObserver, systemState } from '../support/observe.ts';

/** An eligible sponsor who named no delegate, and whom 10000004 (DELEGATE) is not a delegate of. */
const OTHER_SPONSOR = '10000002';
/** Business time: the local clock, far from real time. */
const NOW = '2027-01-04T14:00:00.000Z';
/** Token time: real time, in seconds. */
const realNow = () => Math.floor(Date.now() / 1000);
const API_SCOPES = 'guests:read guests:write';

let t: TestSystem;
/** The local clock's instant (frozen at NOW), in seconds. */
const localClockSeconds = Date.parse(NOW) / 1000;
let idpKey: CryptoKey;
let idpJwk: JWK;
let pendingGuestId: string;

beforeAll(async () => {
  t = await TestSystem.start({ clock: NOW });
  // The local identity provider's signing key, as it keeps it in the data directory.
  idpJwk = JSON.parse(readFileSync(join(t.dataDir, 'idp-key.json'), 'utf8')) as JWK;
  idpKey = (await importJWK(idpJwk, 'RS256')) as CryptoKey;
  // A request waiting for the sponsor's decision: a decision on it would write, mail and resume its execution.
  const res = await t.as(DELEGATE.huid, 'POST', '/v1/guests', { guestHuid: GUEST.huid, population: 'agency-temp', endDate: '2027-06-30', sponsorHuid: SPONSOR.huid });
  expect(res.status).toBe(202);
  pendingGuestId = String(res.body.guestId);
  await t.advance('PT0S');
});
afterAll(async () => {
  closeObserver();
  await t.stop();
});

interface Craft {
  claims?: JWTPayload;
  header?: Record<string, unknown>;
  key?: CryptoKey | Uint8Array;
  alg?: string;
  issuer?: string;
  audience?: string;
  iat?: number;
  nbf?: number;
  exp?: number;
}

/** An access token built like the identity provider's (same key, kid, issuer, audience, scopes, lifetime in real time) except for what `c` changes. */
async function craft(c: Craft = {}): Promise<string> {
  const alg = c.alg ?? 'RS256';
  const now = realNow();
  return new SignJWT({ huid: SPONSOR.huid, hms_roles: [], scope: API_SCOPES, client_id: WEB_CLIENT_ID, ...c.claims })
    .setProtectedHeader({ alg, kid: idpJwk.kid!, typ: 'at+jwt', ...c.header })
    .setIssuer(c.issuer ?? t.sys.idp.issuer)
    .setAudience(c.audience ?? t.sys.idp.audience)
    .setSubject(String(c.claims?.huid ?? SPONSOR.huid))
    .setIssuedAt(c.iat ?? now)
    .setNotBefore(c.nbf ?? now)
    .setExpirationTime(c.exp ?? now + 3600)
    .sign(c.key ?? idpKey);
}

async function otherKey(alg: 'ES256' | 'RS256'): Promise<CryptoKey> {
  return (await generateKeyPair(alg, { extractable: true })).privateKey;
}

/** The parts of a compact JWS with one of them replaced. */
function withPart(token: string, index: 0 | 1 | 2, part: string): string {
  const parts = token.split('.');
  parts[index] = part;
  return parts.join('.');
}
const encodeJson = (value: unknown) => base64url.encode(JSON.stringify(value));
const decodeJson = (part: string) => JSON.parse(new TextDecoder().decode(base64url.decode(part))) as Record<string, unknown>;

const newGuest = { guestHuid: '20000002', population: 'agency-temp', endDate: '2027-06-30' };

/** The Authorization header value of each bad credential (undefined: no header at all). */
const BAD_CREDENTIALS: [string, () => Promise<string | undefined>][] = [
  ['no Authorization header', async () => undefined],
  ['a Basic credential', async () => 'Basic MTAwMDAwMDE6cGFzc3dvcmQ='],
  ['the Bearer scheme with no token', async () => 'Bearer '],
  ['a token with no scheme', async () => craft()],
  ['a Bearer value that is not a JWT', async () => 'Bearer not-a-jwt'],
  ['a token with two parts', async () => `Bearer ${(await craft()).split('.').slice(0, 2).join('.')}`],
  ['a token whose signature was garbled', async () => `Bearer ${withPart(await craft(), 2, base64url.encode(new Uint8Array(64).fill(7)))}`],
  ['a token whose payload was changed after signing (another HUID)', async () => {
    const token = await craft({ claims: { huid: OTHER_SPONSOR } });
    return `Bearer ${withPart(token, 1, encodeJson({ ...decodeJson(token.split('.')[1]!), huid: SPONSOR.huid, sub: SPONSOR.huid }))}`;
  }],
  ['a token whose payload was changed after signing (HMS IT role added)', async () => {
    const token = await craft();
    return `Bearer ${withPart(token, 1, encodeJson({ ...decodeJson(token.split('.')[1]!), hms_roles: ['hms-it'] }))}`;
  }],
  // Real time: a token that expired a second ago in real time, whatever the local clock (years ahead) says.
  ['an expired token (exp a second ago, real time)', async () => `Bearer ${await craft({ iat: realNow() - 7200, nbf: realNow() - 7200, exp: realNow() - 1 })}`],
  ['a token expiring this second (real time)', async () => `Bearer ${await craft({ iat: realNow() - 3600, nbf: realNow() - 3600, exp: realNow() })}`],
  ['a token not valid yet (nbf in a minute, real time)', async () => `Bearer ${await craft({ nbf: realNow() + 60 })}`],
  // Issued at the local clock's instant (business time, 2027-01-04): not valid in real time
  // (not yet before that day, expired after it), as API Gateway would see it.
  ['a token issued on the local clock\'s time instead of real time', async () => `Bearer ${await craft({ iat: localClockSeconds, nbf: localClockSeconds, exp: localClockSeconds + 3600 })}`],
  ['a token with no expiry', async () => {
    const token = await craft();
    const { exp: _exp, ...payload } = decodeJson(token.split('.')[1]!);
    return `Bearer ${await new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: idpJwk.kid!, typ: 'at+jwt' }).sign(idpKey)}`;
  }],
  ['a token signed by another key under the same kid', async () => `Bearer ${await craft({ key: await otherKey('RS256') })}`],
  ['a token signed by another key under its own kid', async () => `Bearer ${await craft({ key: await otherKey('RS256'), header: { kid: 'attacker-1' } })}`],
  ['an ES256 token signed by another key (an algorithm the authorizer does not take)', async () => `Bearer ${await craft({ alg: 'ES256', key: await otherKey('ES256') })}`],
  ['a token that carries its own public key (jwk header)', async () => {
    const key = await generateKeyPair('RS256', { extractable: true });
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...jwk } = await exportJWK(key.privateKey);
    return `Bearer ${await craft({ key: key.privateKey, header: { jwk } })}`;
  }],
  ['a token from another issuer', async () => `Bearer ${await craft({ issuer: 'https://login.example.org/' })}`],
  ['a token for another audience', async () => `Bearer ${await craft({ audience: 'some-other-api' })}`],
  ['an unsigned token (alg none)', async () => {
    const jwt = new UnsecuredJWT({ huid: SPONSOR.huid, hms_roles: ['hms-it'], scope: API_SCOPES }).setIssuer(t.sys.idp.issuer).setAudience(t.sys.idp.audience).setSubject(SPONSOR.huid).setIssuedAt(realNow()).setNotBefore(realNow()).setExpirationTime(realNow() + 3600);
    return `Bearer ${jwt.encode()}`;
  }],
  ['an RS256 token re-labelled alg none with its signature dropped', async () => {
    const token = await craft();
    return `Bearer ${withPart(withPart(token, 0, encodeJson({ alg: 'none', kid: idpJwk.kid, typ: 'JWT' })), 2, '')}`;
  }],
  ['an HS256 token keyed with the public key (algorithm confusion)', async () => {
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = idpJwk;
    return `Bearer ${await craft({ alg: 'HS256', key: new TextEncoder().encode(JSON.stringify(publicJwk)) })}`;
  }],
];

describe('the control: a token crafted the same way, with the right key, issuer and audience', () => {
  it('is accepted (so each refusal below is for its one defect)', async () => {
    // Prepare
    const authorization = `Bearer ${await craft({ claims: { huid: SPONSOR.huid } })}`;
    // Act
    const res = await t.raw('GET', `/v1/guests/${pendingGuestId}`, undefined, { authorization });
    // Assess
    expect(res.status).toBe(200);
    expect(res.body.guestId).toBe(pendingGuestId);
  });

  it('uses the key the identity provider publishes in its JWKS', async () => {
    const jwks = (await t.raw<{ keys: JWK[] }>('GET', '/_local/idp/.well-known/jwks.json')).body;
    expect(jwks.keys.map((k) => k.kid)).toEqual([idpJwk.kid]);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', n: idpJwk.n, e: idpJwk.e });
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwks.keys[0]).not.toHaveProperty(secret);
  });
});

describe.each([
  ['POST /v1/guests (would write a guest, start an execution and mail)', 'POST', (): string => '/v1/guests', newGuest],
  ['POST /v1/guests/{id}/decision (would approve, resume the execution and mail)', 'POST', (): string => `/v1/guests/${pendingGuestId}/decision`, { decision: 'approve' }],
  ['GET /v1/guests/{id}', 'GET', (): string => `/v1/guests/${pendingGuestId}`, undefined],
] as const)('%s', (_name, method, path, body) => {
  it.each(BAD_CREDENTIALS)('%s: 401 from the gateway, nothing runs', async (_case, credential) => {
    // Prepare
    const authorization = await credential();
    const before = await systemState(t);
    // Act
    const res = await t.raw(method, path(), body, authorization === undefined ? {} : { authorization });
    await t.advance('PT0S');
    // Assess: API Gateway's own answer (an HTTP API cannot change its authorizer's 401 body)
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    expect(res.body).toEqual({ message: 'Unauthorized' });
    expect(await systemState(t)).toEqual(before);
  });
});

describe('a signed token without a usable huid claim: 401 problem+json from the handler, nothing runs', () => {
  it.each([
    ['no huid claim', { huid: undefined }],
    ['a 7-digit huid', { huid: '1000000' }],
    ['a huid with a letter', { huid: '1000000x' }],
    ['a huid with a trailing newline', { huid: `${SPONSOR.huid}\n` }],
    ['a huid array', { huid: [SPONSOR.huid] }],
  ])('%s', async (_case, claims) => {
    // Prepare
    const authorization = `Bearer ${await craft({ claims })}`;
    const before = await systemState(t);
    // Act
    const res = await t.raw('POST', '/v1/guests', newGuest, { authorization });
    await t.advance('PT0S');
    // Assess
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body).toMatchObject({ status: 401, title: 'Authentication required', type: expect.stringMatching(/unauthenticated$/) });
    expect(await systemState(t)).toEqual(before);
  });
});

describe('the caller is the token holder, never the body', () => {
  it('a body naming another sponsor does not make the caller that sponsor: 403, nothing written', async () => {
    // Prepare
    const before = await systemState(t);
    // Act
    const res = await t.as(OTHER_SPONSOR, 'POST', '/v1/guests', { ...newGuest, sponsorHuid: SPONSOR.huid });
    await t.advance('PT0S');
    // Assess
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(String(res.body.detail)).toContain(`${OTHER_SPONSOR} is not a delegate named by sponsor ${SPONSOR.huid}`);
    expect(await systemState(t)).toEqual(before);
  });

  it('a delegate not named by the sponsor in the body is refused: 403, nothing written', async () => {
    // Prepare: DELEGATE is named by SPONSOR, not by OTHER_SPONSOR
    const before = await systemState(t);
    // Act
    const res = await t.as(DELEGATE.huid, 'POST', '/v1/guests', { ...newGuest, sponsorHuid: OTHER_SPONSOR });
    await t.advance('PT0S');
    // Assess
    expect(res.status).toBe(403);
    expect(await systemState(t)).toEqual(before);
  });

  it('a named delegate submits for the sponsor but stays the submitter: the request still needs the sponsor', async () => {
    // Act
    const res = await t.as(DELEGATE.huid, 'POST', '/v1/guests', { ...newGuest, sponsorHuid: SPONSOR.huid });
    await t.advance('PT0S');
    // Assess
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ sponsorHuid: SPONSOR.huid, submittedBy: DELEGATE.huid, approval: null });
    const history = (await t.as(SPONSOR.huid, 'GET', `/v1/guests/${String(res.body.guestId)}/history`)).body.items as { action: string; actor: string }[];
    expect(history[0]).toMatchObject({ action: 'requested', actor: DELEGATE.huid });
  });

  it('a sponsor submitting for themselves is the token holder, whatever the body says it is not', async () => {
    // Act
    const res = await t.as(SPONSOR.huid, 'POST', '/v1/guests', { ...newGuest, guestHuid: '20000006', sponsorHuid: SPONSOR.huid });
    await t.advance('PT0S');
    // Assess
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ sponsorHuid: SPONSOR.huid, submittedBy: SPONSOR.huid, approval: { decision: 'approve', by: SPONSOR.huid, bySubmission: true } });
  });

  it.each([
    ['submittedBy', { submittedBy: SPONSOR.huid }],
    ['huid', { huid: SPONSOR.huid }],
    ['caller', { caller: { huid: SPONSOR.huid, groups: ['hms-it'] } }],
    ['groups', { groups: ['hms-it'] }],
  ])('an identity field in the body (%s) is refused as unknown: 400 naming it, nothing written', async (field, extra) => {
    // Prepare
    const before = await systemState(t);
    // Act
    const res = await t.as(OTHER_SPONSOR, 'POST', '/v1/guests', { ...newGuest, ...extra });
    // Assess
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ pointer: `#/${field}`, detail: 'is not a known field' }]);
    expect(await systemState(t)).toEqual(before);
  });

  it('the HUID is the huid claim: a token whose sub is the sponsor but whose huid is not cannot see the sponsor\'s guest', async () => {
    // Prepare
    const token = await new SignJWT({ huid: OTHER_SPONSOR, hms_roles: [], scope: API_SCOPES })
      .setProtectedHeader({ alg: 'RS256', kid: idpJwk.kid!, typ: 'at+jwt' })
      .setIssuer(t.sys.idp.issuer)
      .setAudience(t.sys.idp.audience)
      .setSubject(SPONSOR.huid)
      .setIssuedAt(realNow())
      .setExpirationTime(realNow() + 3600)
      .sign(idpKey);
    // Act
    const res = await t.raw('GET', `/v1/guests/${pendingGuestId}`, undefined, { authorization: `Bearer ${token}` });
    // Assess
    expect(res.status).toBe(404);
  });

  it('identity headers and query parameters beside the token change nothing: still the token holder', async () => {
    // Prepare
    const spoofed = { 'x-huid': SPONSOR.huid, 'x-user': SPONSOR.huid, 'x-forwarded-user': SPONSOR.huid, 'x-amzn-oidc-identity': SPONSOR.huid, 'x-groups': 'hms-it' };
    const before = await systemState(t);
    // Act
    const read = await t.raw('GET', `/v1/guests/${pendingGuestId}?huid=${SPONSOR.huid}`, undefined, { authorization: `Bearer ${await t.token(OTHER_SPONSOR)}`, ...spoofed });
    const decide = await t.raw('POST', `/v1/guests/${pendingGuestId}/decision`, { decision: 'approve' }, { authorization: `Bearer ${await t.token(OTHER_SPONSOR)}`, ...spoofed });
    await t.advance('PT0S');
    // Assess
    expect(read.status).toBe(404);
    expect(decide.status).toBe(404);
    expect(await systemState(t)).toEqual(before);
  });
});

describe('scopes: a valid token without one of the route\'s scopes gets API Gateway\'s 403, nothing runs', () => {
  /** Tokens the authorizer accepts (signature, issuer, audience, time) but whose scopes open no route. */
  const UNSCOPED: [string, () => Promise<string>][] = [
    // An ID token names the pages' client in `aud` (an audience the authorizer may well accept)
    // and carries no scope; here one that even carries the HUID claim.
    ['an ID token (audience the pages\' client, no scope claim)', () => craft({ audience: WEB_CLIENT_ID, claims: { scope: undefined, client_id: undefined, name: 'Ada Faculty' }, header: { typ: 'JWT' } })],
    ['an access token with no scope claim', () => craft({ claims: { scope: undefined } })],
    ['an access token with OpenID scopes only', () => craft({ claims: { scope: 'openid profile email offline_access' } })],
    ['an access token with scopes that only look like the API\'s', () => craft({ claims: { scope: 'guests guests:readwrite GUESTS:READ api:read' } })],
  ];

  it.each(
    UNSCOPED.flatMap(([name, token]) => [
      [`${name}: GET /v1/guests/{id}`, token, 'GET', (): string => `/v1/guests/${pendingGuestId}`, undefined],
      [`${name}: POST /v1/guests/{id}/decision`, token, 'POST', (): string => `/v1/guests/${pendingGuestId}/decision`, { decision: 'approve' }],
      [`${name}: POST /v1/guests`, token, 'POST', (): string => '/v1/guests', newGuest],
    ] as const),
  )('%s', async (_case, token, method, path, body) => {
    // Prepare
    const authorization = `Bearer ${await token()}`;
    const before = await systemState(t);
    // Act
    const res = await t.raw(method, path(), body, { authorization });
    await t.advance('PT0S');
    // Assess: API Gateway's own answer to a token without the route's scopes
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ message: 'Forbidden' });
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope"/);
    expect(await systemState(t)).toEqual(before);
  });

  it('guests:read reads but does not write', async () => {
    // Prepare
    const authorization = `Bearer ${await craft({ claims: { scope: 'openid guests:read' } })}`;
    const before = await systemState(t);
    // Act
    const read = await t.raw('GET', `/v1/guests/${pendingGuestId}`, undefined, { authorization });
    const write = await t.raw('POST', `/v1/guests/${pendingGuestId}/decision`, { decision: 'approve' }, { authorization });
    await t.advance('PT0S');
    // Assess
    expect(read.status).toBe(200);
    expect(write.status).toBe(403);
    expect(write.body).toEqual({ message: 'Forbidden' });
    expect(await systemState(t)).toEqual(before);
  });

  it('guests:write reaches the write routes (the handler answers) but not the read routes', async () => {
    // Prepare
    const authorization = `Bearer ${await craft({ claims: { scope: 'guests:write' } })}`;
    // Act
    const read = await t.raw('GET', `/v1/guests/${pendingGuestId}`, undefined, { authorization });
    const write = await t.raw('POST', '/v1/guests', {}, { authorization });
    // Assess: past the gateway, the handler refuses the empty body itself
    expect(read.status).toBe(403);
    expect(write.status).toBe(400);
    expect(write.headers.get('content-type')).toBe('application/problem+json');
  });

  it('the scp claim counts as the scope claim does (API Gateway reads either)', async () => {
    // Prepare
    const authorization = `Bearer ${await craft({ claims: { scope: undefined, scp: ['guests:read'] } })}`;
    // Act
    const res = await t.raw('GET', `/v1/guests/${pendingGuestId}`, undefined, { authorization });
    // Assess
    expect(res.status).toBe(200);
  });

  it('a token for another audience is refused before its scopes are looked at: 401', async () => {
    // Act
    const res = await t.raw('GET', `/v1/guests/${pendingGuestId}`, undefined, { authorization: `Bearer ${await craft({ audience: 'some-other-api' })}` });
    // Assess
    expect(res.status).toBe(401);
  });

  it('POST /_local/token issues the scopes a script asks for, and the gateway holds the token to them', async () => {
    // Prepare
    const minted = await t.raw<{ token: string }>('POST', '/_local/token', { huid: SPONSOR.huid, scopes: ['guests:read'] });
    const authorization = `Bearer ${minted.body.token}`;
    // Act
    const read = await t.raw('GET', `/v1/guests/${pendingGuestId}`, undefined, { authorization });
    const write = await t.raw('POST', `/v1/guests/${pendingGuestId}/decision`, { decision: 'deny' }, { authorization });
    // Assess
    expect(decodeJwt(minted.body.token)).toMatchObject({ scope: 'guests:read', huid: SPONSOR.huid, aud: t.sys.idp.audience, iss: t.sys.idp.issuer, client_id: WEB_CLIENT_ID });
    expect(read.status).toBe(200);
    expect(write.status).toBe(403);
  });

  it('POST /_local/token refuses a scope the API does not have: 400', async () => {
    // Act
    const res = await t.raw('POST', '/_local/token', { huid: SPONSOR.huid, scopes: ['admin'] });
    // Assess
    expect(res.status).toBe(400);
  });
});

describe('token time is real time; the local clock is business time', () => {
  it('a token is issued in real time, and stays valid when the local clock moves 365 days ahead', async () => {
    // Prepare: the local clock is frozen at 2027-01-04
    const minted = await t.raw<{ token: string }>('POST', '/_local/token', { huid: SPONSOR.huid });
    const claims = decodeJwt(minted.body.token);
    // Act
    await t.advance('P365D');
    const res = await t.raw('GET', `/v1/guests/${pendingGuestId}`, undefined, { authorization: `Bearer ${minted.body.token}` });
    // Assess
    expect(Math.abs(claims.iat! - realNow())).toBeLessThan(60);
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(res.status).toBe(200);
  });
});

describe('the signing key is kept in the data directory', () => {
  const opts = { issuer: 'http://localhost:3000/_local/idp', resource: 'http://127.0.0.1:3000', redirectUris: ['http://localhost:3000/callback'] };

  it('a token taken before a restart is still accepted after it (same issuer and audience: same port)', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'hms-guests-idp-'));
    try {
      const token = await (await LocalIdentityProvider.create({ ...opts, dataDir })).token({ huid: SPONSOR.huid });
      // Act
      const restarted = await LocalIdentityProvider.create({ ...opts, dataDir });
      // Assess
      await expect(restarted.verify(token)).resolves.toMatchObject({ huid: SPONSOR.huid });
      await expect((await LocalIdentityProvider.create(opts)).verify(token)).rejects.toThrow();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the ES256 key of an earlier version is replaced by an RS256 key, with a warning', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'hms-guests-idp-'));
    try {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      writeFileSync(join(dataDir, 'idp-key.json'), JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'local-old', alg: 'ES256' }));
      const warnings: string[] = [];
      // Act
      const idp = await LocalIdentityProvider.create({ ...opts, dataDir, warn: (line) => warnings.push(line) });
      // Assess
      expect(warnings).toEqual([expect.stringContaining('ES256 key of an earlier local identity provider')]);
      expect(JSON.parse(readFileSync(join(dataDir, 'idp-key.json'), 'utf8'))).toMatchObject({ kty: 'RSA', alg: 'RS256' });
      await expect(idp.verify(await idp.token({ huid: SPONSOR.huid }))).resolves.toMatchObject({ huid: SPONSOR.huid });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
