/**
 * The local identity provider, in HarvardKey's place: a real OpenID Connect provider (panva's
 * oidc-provider) mounted on the API port under /_local/idp, and the deployed JWT authorizer's
 * checks for the local gateway.
 *
 * - Authorization code with PKCE (S256) for the pages, a public client (`hms-guest-accounts-web`),
 *   with refresh tokens (rotated at every use); sign-in on a development page listing the people of
 *   the directory, one click, no password (local/sign-in-page.ts).
 * - Access tokens are JWTs signed RS256, through resource indicators: audience the API's URL,
 *   `scope` the API scopes granted (shared/http/routes.ts `SCOPES`), and the caller's HUID and
 *   roles under the claim names the deployed functions read (HUID_CLAIM, ROLES_CLAIM).
 * - `token()` (POST /_local/token, `npm run token`) issues the same access tokens for scripts,
 *   through the provider's own AccessToken model, keys and claims.
 * - Token time is real time: oidc-provider reads the system clock, the gateway checks
 *   exp/nbf/iat against it (as API Gateway does); the movable local clock is business time only,
 *   so a token stays valid across clock moves.
 *
 * The signing key is kept in the data directory (idp-key.json) so tokens survive a restart.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { createLocalJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import Provider, { errors, type AccessToken, type ClientCredentials, type Configuration, type ResourceServer } from 'oidc-provider';
import { SCOPES, type Scope } from '../shared/http/routes.ts';
import type { Person } from '../shared/core/domain/people.ts';
import { memoryAdapter } from './idp-store.ts';
import { SignInPage } from './sign-in-page.ts';

/** The path the provider is mounted under, on the API's port: the issuer is `<API origin>/_local/idp`. */
export const IDP_PATH = '/_local/idp';
/** The file of the data directory that holds the signing key (a private JWK). */
export const IDP_KEY_FILE = 'idp-key.json';
/** The pages: a public client (no secret), authorization code with PKCE, refresh tokens. */
export const WEB_CLIENT_ID = 'hms-guest-accounts-web';
/** Lifetime of an access token (real time). */
export const ACCESS_TOKEN_TTL = 3600;
/** The signing algorithm: API Gateway's JWT authorizer documents RSA-based algorithms. */
const ALG = 'RS256';
export const API_SCOPES: readonly Scope[] = [SCOPES.read, SCOPES.write];
/** The OpenID scopes the provider knows (besides the API's). */
const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

export interface ClaimNames {
  huidClaim: string;
  rolesClaim: string;
}

export interface LocalIdentityOptions {
  /** `<API origin>/_local/idp`. */
  issuer: string;
  /** The API's URL: the resource indicator, and the access tokens' audience. */
  resource: string;
  /** Where the pages may be sent back to with a code. */
  redirectUris: readonly string[];
  /** Where the pages may be sent back to after signing out (RP-initiated logout). */
  postLogoutRedirectUris?: readonly string[] | undefined;
  /** Keeps the signing key there (idp-key.json); a new key each start without one. */
  dataDir?: string | undefined;
  /** The names of the claims that carry the HUID and the roles, as the deployed functions read them. */
  claimNames?: ClaimNames | undefined;
  /** The role that makes a caller HMS IT (HMS_IT_ROLE): the sign-in page offers it. */
  hmsItRole?: string | undefined;
  /** The people of the directory, for the sign-in page and the ID token's profile claims. */
  people?: (() => Promise<Person[]>) | undefined;
  warn?: ((line: string) => void) | undefined;
}

/** A private RSA key as kept in idp-key.json. */
async function signingKey(file: string | undefined, warn: (line: string) => void): Promise<JWK> {
  if (file && existsSync(file)) {
    const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    if (jwk.kty === 'RSA') {
      if (!jwk.d || !jwk.kid) throw new Error('not a private RSA key with a kid');
      await importJWK(jwk, ALG);
      return jwk;
    }
    if (jwk.kty !== 'EC') throw new Error(`a key of type ${String(jwk.kty)}, not RSA`);
    // The ES256 key of an earlier version of the local provider: replaced.
    warn(`${file} held the ES256 key of an earlier local identity provider: replaced by a new RS256 key (tokens taken before no longer work)`);
  }
  const { privateKey } = await generateKeyPair(ALG, { extractable: true, modulusLength: 2048 });
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: `local-${randomBytes(6).toString('base64url')}`, alg: ALG, use: 'sig' };
  if (file) writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
  return jwk;
}

/** The public half of a private JWK. */
function publicJwk(jwk: JWK): JWK {
  const { kty, n, e, kid, alg, use } = jwk;
  return { kty, n, e, kid, alg, use } as JWK;
}

/** The scopes of a verified token: its `scope` claim (space-separated) or `scp` (a list or a string), as API Gateway reads them. */
export function tokenScopes(payload: JWTPayload): string[] {
  for (const claim of ['scope', 'scp']) {
    const v = payload[claim];
    if (typeof v === 'string' && v.trim()) return v.trim().split(/\s+/);
    if (Array.isArray(v) && v.length) return v.map(String);
  }
  return [];
}

export class LocalIdentityProvider {
  readonly issuer: string;
  /** The API's URL: what access tokens carry in `aud`. */
  readonly audience: string;
  /**
   * The audiences the local gateway accepts, like the authorizer's `audience` context: the API's
   * URL, and the pages' client ID (what an ID token carries in `aud`), so that what refuses an ID
   * token is the routes' scopes, as it must be in AWS whatever HarvardKey writes in `aud`.
   */
  readonly audiences: readonly string[];
  /** The pages' client ID. */
  readonly clientId = WEB_CLIENT_ID;
  /** The API scopes an access token may carry. */
  readonly scopes = API_SCOPES;
  readonly claimNames: ClaimNames;
  readonly hmsItRole: string;
  readonly provider: Provider;
  private readonly verifyKeys: ReturnType<typeof createLocalJWKSet>;
  private readonly callback: (req: IncomingMessage, res: ServerResponse) => void;
  private readonly signIn: SignInPage;
  /** Roles chosen at sign-in, by grant (a refreshed token keeps them). */
  private readonly rolesByGrant = new Map<string, string[]>();
  /** Roles of the tokens `token()` issues, by token. */
  private readonly mintedRoles = new WeakMap<object, string[]>();
  private readonly resourceServer: ResourceServer;

  private constructor(opts: LocalIdentityOptions, private readonly key: JWK) {
    this.issuer = opts.issuer;
    this.audience = opts.resource;
    this.audiences = [opts.resource, WEB_CLIENT_ID];
    this.claimNames = opts.claimNames ?? { huidClaim: 'huid', rolesClaim: 'hms_roles' };
    this.hmsItRole = opts.hmsItRole ?? 'hms-it';
    this.verifyKeys = createLocalJWKSet({ keys: [publicJwk(key)] });
    this.resourceServer = {
      scope: API_SCOPES.join(' '),
      audience: opts.resource,
      accessTokenFormat: 'jwt',
      accessTokenTTL: ACCESS_TOKEN_TTL,
      jwt: { sign: { alg: ALG } },
    };
    const people = opts.people ?? (async () => []);
    const configuration: Configuration = {
      clients: [
        {
          client_id: WEB_CLIENT_ID,
          client_name: 'HMS guest accounts (pages)',
          token_endpoint_auth_method: 'none',
          application_type: 'web',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: [...opts.redirectUris],
          post_logout_redirect_uris: [...(opts.postLogoutRedirectUris ?? [])],
        },
      ],
      jwks: { keys: [key as never] },
      cookies: { keys: [randomBytes(32).toString('base64url')] },
      adapter: memoryAdapter(),
      scopes: OIDC_SCOPES,
      claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
      findAccount: async (_ctx, sub) => ({
        accountId: sub,
        claims: async () => {
          const person = (await people()).find((p) => p.huid === sub);
          return { sub, ...(person ? { name: person.name, email: person.email } : {}) };
        },
      }),
      extraTokenClaims: async (_ctx, token) => this.tokenClaims(token),
      responseTypes: ['code'],
      pkce: { required: () => true },
      features: {
        devInteractions: { enabled: false },
        rpInitiatedLogout: {
          enabled: true,
          logoutSource: (ctx, form) => {
            ctx.type = 'html';
            ctx.body = SignInPage.logoutPage(form);
          },
          postLogoutSuccessSource: (ctx) => {
            ctx.type = 'html';
            ctx.body = SignInPage.signedOutPage();
          },
        },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => opts.resource,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx, resourceIndicator) => {
            if (resourceIndicator !== opts.resource) throw new errors.InvalidTarget(`the only resource here is ${opts.resource}`);
            return this.resourceServer;
          },
        },
      },
      // Refresh tokens for the pages without offline_access (which needs prompt=consent): the
      // public client's are rotated at every use (oidc-provider's default for public clients).
      issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
      interactions: { url: (_ctx, interaction) => `${IDP_PATH}/interaction/${interaction.uid}` },
      // The JWKS where the local gateway has always published it.
      routes: { jwks: '/.well-known/jwks.json' },
      ttl: {
        AccessToken: ACCESS_TOKEN_TTL,
        AuthorizationCode: 60,
        IdToken: ACCESS_TOKEN_TTL,
        RefreshToken: 24 * 3600,
        Interaction: 3600,
        Session: 24 * 3600,
        Grant: 24 * 3600,
      },
      // A browser page on a redirect URI's origin may call the token endpoint.
      clientBasedCORS: (_ctx, origin, client) => client.redirectUris?.some((uri) => new URL(uri).origin === origin) ?? false,
      renderError: (ctx, out) => {
        ctx.type = 'html';
        ctx.body = SignInPage.errorPage(out);
      },
    };
    this.provider = new Provider(opts.issuer, configuration);
    const warn = opts.warn ?? (() => undefined);
    this.provider.on('server_error', (_ctx, err) => warn(`local identity provider: ${err.stack ?? err.message}`));
    this.callback = this.provider.callback();
    this.signIn = new SignInPage({
      provider: this.provider,
      people,
      resource: opts.resource,
      hmsItRole: this.hmsItRole,
      apiScopes: API_SCOPES,
      oidcScopes: OIDC_SCOPES,
      onGrant: (grantId, roles) => {
        this.rolesByGrant.set(grantId, roles);
        // Kept for a long-running process: the oldest sign-ins go first.
        if (this.rolesByGrant.size > 10_000) this.rolesByGrant.delete(this.rolesByGrant.keys().next().value!);
      },
    });
  }

  static async create(opts: LocalIdentityOptions): Promise<LocalIdentityProvider> {
    const file = opts.dataDir ? join(opts.dataDir, IDP_KEY_FILE) : undefined;
    const key = await signingKey(file, opts.warn ?? (() => undefined));
    return new LocalIdentityProvider(opts, key);
  }

  /** The claims every access token carries besides the standard ones: the HUID and the roles. */
  private tokenClaims(token: AccessToken | ClientCredentials): Record<string, unknown> | undefined {
    if (token.kind !== 'AccessToken') return undefined;
    const roles = this.mintedRoles.get(token) ?? this.rolesByGrant.get(token.grantId) ?? [];
    return { [this.claimNames.huidClaim]: token.accountId, [this.claimNames.rolesClaim]: roles };
  }

  /** Whether a request path is the provider's. */
  handles(pathname: string): boolean {
    return pathname === IDP_PATH || pathname.startsWith(`${IDP_PATH}/`);
  }

  /** Serves a request under /_local/idp: the sign-in page, or the provider (mounted at that path). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (await this.signIn.handle(req, res, pathname)) return;
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
    req.url = req.url!.slice(IDP_PATH.length) || '/';
    this.callback(req, res);
  }

  jwks(): { keys: JWK[] } {
    return { keys: [publicJwk(this.key)] };
  }

  /**
   * An access token for `huid` (and roles, and scopes: both API scopes by default), issued by the
   * provider's AccessToken model as its token endpoint issues them — same key, issuer, audience,
   * client, claims and lifetime, in real time — for scripts and tests.
   */
  async token(claims: { huid: string; roles?: readonly string[] | undefined; scopes?: readonly Scope[] | undefined }): Promise<string> {
    const client = await this.provider.Client.find(WEB_CLIENT_ID);
    if (!client) throw new Error(`the client ${WEB_CLIENT_ID} is not registered`);
    const token = new this.provider.AccessToken({
      accountId: claims.huid,
      client,
      gty: 'local_token',
      // Issued outside any grant: no grant to revoke it with; it lives its hour.
      grantId: undefined as unknown as string,
      scope: (claims.scopes ?? API_SCOPES).join(' ') || undefined,
      resourceServer: new this.provider.ResourceServer(this.audience, this.resourceServer),
    });
    token.setAudience(this.audience);
    this.mintedRoles.set(token, [...(claims.roles ?? [])]);
    return token.save();
  }

  /**
   * The JWT authorizer's checks: signed by the provider's key (RS256), its issuer, one of the
   * audiences, exp and nbf against real time (API Gateway's clock). Returns the claims or throws.
   */
  async verify(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, this.verifyKeys, {
      issuer: this.issuer,
      audience: [...this.audiences],
      algorithms: [ALG],
      requiredClaims: ['exp', 'iat'],
    });
    return payload;
  }
}
