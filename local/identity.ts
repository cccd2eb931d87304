/**
 * The local identity provider: signs tokens the way HarvardKey would, and verifies them by the
 * same rules as the deployed HTTP API JWT authorizer (issuer, audience, expiry, not-before,
 * signature by a key in the JWKS). Its key is kept in the data directory so tokens survive a restart.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { Clock } from '../shared/ports.ts';

export const LOCAL_AUDIENCE = 'hms-guest-accounts';
const ALG = 'ES256';

export class LocalIdentityProvider {
  private constructor(
    readonly issuer: string,
    readonly audience: string,
    private readonly privateKey: CryptoKey,
    private readonly publicJwk: JWK,
    private readonly clock: Clock,
    /** The names of the claims that carry the HUID and the roles, as the deployed functions read them. */
    readonly claimNames: { huidClaim: string; rolesClaim: string },
  ) {}

  static async create(opts: {
    issuer: string;
    audience?: string;
    dataDir?: string | undefined;
    clock: Clock;
    claimNames?: { huidClaim: string; rolesClaim: string } | undefined;
  }): Promise<LocalIdentityProvider> {
    const file = opts.dataDir ? join(opts.dataDir, 'idp-key.json') : undefined;
    let priv: JWK;
    if (file && existsSync(file)) {
      priv = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    } else {
      const { privateKey } = await generateKeyPair(ALG, { extractable: true });
      priv = { ...(await exportJWK(privateKey)), kid: `local-${Date.now().toString(36)}`, alg: ALG };
      if (file) writeFileSync(file, JSON.stringify(priv), { mode: 0o600 });
    }
    const { d: _d, ...pub } = priv;
    const key = (await importJWK(priv, ALG)) as CryptoKey;
    return new LocalIdentityProvider(opts.issuer, opts.audience ?? LOCAL_AUDIENCE, key, pub, opts.clock, opts.claimNames ?? { huidClaim: 'huid', rolesClaim: 'hms_roles' });
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  /** A token for `huid` (and roles), under the configured claim names, valid for an hour of the local clock. */
  async token(claims: { huid: string; roles?: string[] | undefined }, overrides: Partial<JWTPayload> = {}): Promise<string> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    return new SignJWT({ [this.claimNames.huidClaim]: claims.huid, [this.claimNames.rolesClaim]: claims.roles ?? [], ...overrides })
      .setProtectedHeader({ alg: ALG, kid: this.publicJwk.kid!, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setSubject(claims.huid)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + 3600)
      .sign(this.privateKey);
  }

  /** The JWT authorizer's checks; returns the claims or throws. */
  async verify(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, createLocalJWKSet(this.jwks()), {
      issuer: this.issuer,
      audience: this.audience,
      algorithms: ['RS256', 'ES256'],
      currentDate: this.clock.now(),
      requiredClaims: ['exp', 'iat'],
    });
    return payload;
  }
}
