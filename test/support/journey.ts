/**
 * What a browser journey needs: the local system started as a person starts it (`npm start`, its
 * "Pages:" address checked), headless Chromium, one Person per name, and the mail the system sent
 * with the links in it, as a person clicks them.
 */
import type { Browser } from 'playwright-core';
import { expect } from 'vitest';
import { launchChromium } from './chromium.ts';
import { Systems, type LocalCli, type Mail, type StartOptions } from './cli.ts';
import { Person } from './pages.ts';

export class BrowserJourney {
  private readonly systems = new Systems();
  private browser: Browser | undefined;
  private system: LocalCli | undefined;
  /** The pages' address, as `npm start` printed it. */
  pages = '';
  readonly people: Person[] = [];

  constructor(private readonly mailTimeoutMs = 20_000) {}

  get sys(): LocalCli {
    if (!this.system) throw new Error('the journey has not started');
    return this.system;
  }

  async start(opts: StartOptions): Promise<void> {
    [this.system, this.browser] = await Promise.all([this.systems.start(opts), launchChromium()]);
    const printed = /^\s*Pages:\s+(\S+)/m.exec(this.system.stdout)?.[1];
    expect(printed, this.system.stdout).toBe(`${this.system.apiUrl}/`);
    this.pages = printed!;
  }

  /** A temporary directory removed when the journey stops (a seed file, say). */
  dir(): string {
    return this.systems.dir();
  }

  /** Closing the browser closes every person's context. */
  async stop(): Promise<void> {
    await this.browser?.close();
    await this.systems.killAll();
  }

  async open(name: string): Promise<Person> {
    if (!this.browser) throw new Error('the journey has not started');
    const person = await Person.open(this.browser, name);
    this.people.push(person);
    return person;
  }

  person(name: string): Person {
    const found = this.people.find((p) => p.name === name);
    if (!found) throw new Error(`nobody named ${name} opened a browser`);
    return found;
  }

  /** The latest mail to this address with a subject like this one, once it has been sent. */
  async mailTo(address: string, subject: RegExp): Promise<Mail> {
    let found: Mail | undefined;
    await expect.poll(async () => (found = (await this.sys.mailTo(address)).filter((m) => subject.test(m.subject)).at(-1)), { timeout: this.mailTimeoutMs }).toBeDefined();
    return found!;
  }
}

/** The address of the link with this text in an email (its HTML part), as a person would click it. */
export function linkIn(mail: Mail, text: string): string {
  const m = new RegExp(`<a href="([^"]+)">${text}</a>`).exec(mail.body.html ?? '');
  if (!m) throw new Error(`no link "${text}" in "${mail.subject}"`);
  return m[1]!.replace(/&amp;/g, '&');
}
