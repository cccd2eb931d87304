/**
 * AWS Secrets Manager, as much as the handlers use of it: GetSecretValue (the awsJson1.1 protocol
 * `@aws-sdk/client-secrets-manager` speaks), for the secrets of the template this system holds the
 * value of — the account directory's bearer token. The SDK reaches it through
 * AWS_ENDPOINT_URL_SECRETS_MANAGER, as it reaches dynalite and the SES emulator.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { StartupError } from './startup-error.ts';
import { RESET_FIX } from './data-dir.ts';
import { LOCAL_ACCOUNT, LOCAL_PARTITION, LOCAL_REGION } from './template.ts';

/** The bearer token of the local account directory, kept in the data directory (mode 0600). */
export const SCIM_TOKEN_FILE = 'scim-token';

/** The data directory's token, or a new one (32 random bytes, base64url) written there. */
export function localScimToken(dataDir: string): string {
  const file = join(dataDir, SCIM_TOKEN_FILE);
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (!/^[A-Za-z0-9_-]{20,}$/.test(token)) throw new StartupError(`${file} is damaged (not a token the local system wrote): delete it (a new token is made), or ${RESET_FIX}`);
    return token;
  }
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

/** A local Secrets Manager serving `secrets` (secret ID, as the functions name it → its string). */
export function createSecretsServer(secrets: ReadonlyMap<string, string>): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (status: number, body: Record<string, unknown>) => {
        const payload = JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': String(Buffer.byteLength(payload)) });
        res.end(payload);
      };
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target !== 'secretsmanager.GetSecretValue') return answer(400, { __type: 'InvalidRequestException', message: `The local Secrets Manager answers GetSecretValue only, not ${target || 'this'}` });
      let secretId = '';
      try {
        secretId = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId?: unknown }).SecretId ?? '');
      } catch {
        return answer(400, { __type: 'InvalidRequestException', message: 'The body is not JSON' });
      }
      const value = secrets.get(secretId);
      if (value === undefined) return answer(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
      const arn = `arn:${LOCAL_PARTITION}:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:${secretId}`;
      answer(200, { ARN: arn, Name: secretId, SecretString: value, VersionId: 'local', VersionStages: ['AWSCURRENT'], CreatedDate: 0 });
    });
  });
}
