/**
 * The SCIM bearer token from AWS Secrets Manager: read once (at the first call of a cold start) and
 * kept for the container's life; read again when the directory refuses it (a rotated secret), at
 * most once a minute. The secret is the token itself, or JSON `{"token": "..."}`. Never logged.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { BearerToken } from './scim-directory.ts';

const REFRESH_AT_MOST_EVERY_MS = 60_000;

export class SecretToken implements BearerToken {
  private value: string | undefined;
  private reading: Promise<string> | undefined;
  private readAt = -Infinity;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
  ) {}

  token(): Promise<string> {
    return this.value !== undefined ? Promise.resolve(this.value) : this.read();
  }

  refresh(): Promise<string> {
    if (performance.now() - this.readAt < REFRESH_AT_MOST_EVERY_MS && this.value !== undefined) return Promise.resolve(this.value);
    return this.read();
  }

  private read(): Promise<string> {
    this.reading ??= (async () => {
      try {
        const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
        const token = tokenOf(out.SecretString);
        if (!token) throw new Error(`The secret ${this.secretId} holds no bearer token`);
        this.value = token;
        this.readAt = performance.now();
        return token;
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }
}

/** The token in a secret's string: the string itself, or its JSON `token` field. */
export function tokenOf(secret: string | undefined): string | undefined {
  const text = secret?.trim();
  if (!text) return undefined;
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { token?: unknown };
      return typeof parsed.token === 'string' && parsed.token ? parsed.token : undefined;
    } catch {
      return undefined;
    }
  }
  return text;
}
