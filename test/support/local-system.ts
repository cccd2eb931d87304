/** Starts the local system for a test file on free ports with a temporary data directory, and talks to it over HTTP only. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DirectorySeed } from '../../shared/adapters/directories.ts';
import { startLocalSystem, type LocalSystem } from '../../local/system.ts';
import { DELEGATE, GUEST, SPONSOR, directoryOf, requestJson, scimCall, type Answer, type DirectoryView, type Mail } from './sample.ts';

export { DELEGATE, GUEST, SPONSOR, type Answer, type DirectoryView, type Mail };

export class TestSystem {
  private readonly tokens = new Map<string, string>();
  constructor(
    readonly sys: LocalSystem,
    readonly dataDir: string,
  ) {}

  static async start(opts: { clock?: string; seed?: DirectorySeed; dataDir?: string } = {}): Promise<TestSystem> {
    const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'hms-guests-'));
    const sys = await startLocalSystem({ apiPort: 0, mailPort: 0, scimPort: 0, dataDir, clock: opts.clock, seed: opts.seed, pages: false });
    return new TestSystem(sys, dataDir);
  }

  async stop(removeData = true): Promise<void> {
    await this.sys.stop();
    if (removeData) rmSync(this.dataDir, { recursive: true, force: true });
  }

  async token(huid: string, roles: string[] = []): Promise<string> {
    const key = `${huid}|${roles.join(',')}`;
    const cached = this.tokens.get(key);
    if (cached) return cached;
    const res = await this.raw('POST', '/_local/token', { huid, roles });
    const token = (res.body as { token: string }).token;
    this.tokens.set(key, token);
    return token;
  }

  async raw<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, source?: string): Promise<Answer<T>> {
    return requestJson<T>(this.sys.apiUrl, method, path, body, headers, source);
  }

  /**
   * A call as the person with this HUID, with a token from the local identity provider. Tokens
   * live an hour of real time, whatever the local clock does: one per caller, kept for the file.
   */
  async as<T = Record<string, unknown>>(huid: string, method: string, path: string, body?: unknown, roles: string[] = []): Promise<Answer<T>> {
    return this.raw<T>(method, path, body, { authorization: `Bearer ${await this.token(huid, roles)}` });
  }

  async advance(duration: string): Promise<void> {
    const res = await this.raw('POST', '/_local/clock', { advance: duration });
    if (res.status !== 200) throw new Error(`clock: ${JSON.stringify(res.body)}`);
  }

  async advanceTo(instant: string): Promise<void> {
    const res = await this.raw('POST', '/_local/clock', { to: instant });
    if (res.status !== 200) throw new Error(`clock: ${JSON.stringify(res.body)}`);
  }

  async now(): Promise<string> {
    return ((await this.raw('GET', '/_local/clock')).body as { now: string }).now;
  }

  async mail(): Promise<Mail[]> {
    const res = await fetch(`${this.sys.mailUrl}/store`);
    return ((await res.json()) as { emails: Mail[] }).emails;
  }

  async mailTo(address: string): Promise<Mail[]> {
    return (await this.mail()).filter((m) => m.destination.to.includes(address) || m.destination.cc.includes(address));
  }

  async executions(): Promise<{ name: string; status: string; currentState: string | null; transitions: number; error: string | null }[]> {
    return ((await this.raw('GET', '/_local/executions')).body as { executions: never[] }).executions;
  }

  /** The account directory as its page lists it (users with their groups, groups, the changes it made). */
  async directory(): Promise<DirectoryView> {
    return directoryOf(this.sys.scimUrl);
  }

  /** A call to the account directory's SCIM API with its bearer token (a change "by hand", as HMS IT's console would make it). */
  async scim(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    return scimCall(this.sys.scimApiUrl, this.dataDir, method, path, body);
  }

  async guest(huid: string, guestId: string): Promise<Record<string, unknown>> {
    const res = await this.as(huid, 'GET', `/v1/guests/${guestId}`);
    if (res.status !== 200) throw new Error(`GET guest: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
}
