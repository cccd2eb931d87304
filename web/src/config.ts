/**
 * Where the pages sign in and which API they call: one document, `/config.json`, served beside the
 * pages (written at deployment; served by the local system with its own issuer, API and clock).
 */
import { setBusinessNow } from './clock.ts';

export interface AppConfig {
  /** The OpenID provider (HarvardKey; locally `http://localhost:<port>/_local/idp`). */
  issuer: string;
  /** The pages' public client ID (code + PKCE, no secret). */
  clientId: string;
  /** What to ask for: the OpenID scopes and the API's (`guests:read guests:write`). */
  scopes: string;
  /** The API's origin; empty: the pages' own origin (CloudFront sends /v1/* to the API). */
  apiUrl: string;
  /** An RFC 8707 resource indicator for the access token, when the provider needs one. */
  resource?: string;
  /** Where sponsors extend a Harvard Sponsored Role. */
  hsrPortalUrl: string;
  /** The local system's clock (business time), absent in AWS: see clock.ts. */
  now?: string;
}

const DEFAULTS = {
  scopes: 'openid profile email guests:read guests:write',
  apiUrl: '',
  hsrPortalUrl: 'https://it.hms.harvard.edu/our-services/accounts-and-user-access/person-interest-poi',
};

let loaded: AppConfig | undefined;

/** Reads /config.json once; a document without an issuer or client ID is refused. */
export async function loadConfig(): Promise<AppConfig> {
  if (loaded) return loaded;
  const res = await fetch('/config.json', { cache: 'no-store', headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`The pages' configuration (/config.json) could not be read: HTTP ${res.status}.`);
  const raw = (await res.json()) as Partial<AppConfig>;
  if (typeof raw.issuer !== 'string' || typeof raw.clientId !== 'string') throw new Error("The pages' configuration (/config.json) names no issuer or client ID.");
  loaded = { ...DEFAULTS, ...raw } as AppConfig;
  setBusinessNow(loaded.now);
  return loaded;
}

export function config(): AppConfig {
  if (!loaded) throw new Error('loadConfig() first');
  return loaded;
}
