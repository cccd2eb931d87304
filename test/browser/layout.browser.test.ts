/**
 * Every page on a phone (390 px) and a laptop (1280 px), in headless Chromium against the local
 * system (issue 20, "Phones"): no sideways scrolling (the page is no wider than the window), no
 * layout shift over 0.1 (CLS, as Chrome computes it) while the page loads under the network and CPU
 * of Lighthouse's mobile profile, axe, and a screenshot of each page at each width
 * (test-results/screenshots/NN-layout-<page>-<width>.png).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_DIRECTORY } from '../../local/sample-data.ts';
import { BrowserJourney } from '../support/journey.ts';
import { explain, layoutFacts, loadSlowly, VIEWPORTS, watchLayoutShifts, widths, WIDTHS } from '../support/layout.ts';
import { checkPage, clearScreenshots, type Person } from '../support/pages.ts';

const person = (huid: string) => {
  const p = SAMPLE_DIRECTORY.people.find((x) => x.huid === huid);
  if (!p) throw new Error(`no sample person ${huid}`);
  return p as typeof p & { hmsAccountId?: string };
};
const SPONSOR = person('10000001');
const DELEGATE = person('10000004');
const HMS_IT = person('10000002');
/** An off-Quad PI (MGH), the users of her lab, and RC Core staff. */
const PI = person('10000013');
const USER = person('10000021');
const OTHER_USER = person('10000022');
const RC = person('10000017');

const CLS_LIMIT = 0.1;

const journey = new BrowserJourney();
/** The figures of every load, printed at the end: page, width, CLS, page width, time. */
const figures: { page: string; width: number; cls: number; scrollWidth: number; ms: number }[] = [];
let graceId = '';
let o2AccountId = '';


async function ok<T>(answer: Promise<{ status: number; body: T }>): Promise<T> {
  const res = await answer;
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  return res.body;
}

/** Waits for `read` to answer `value` (expect.poll is for tests, not hooks). */
async function until<T>(read: () => Promise<T>, value: T, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while ((last = await read()) !== value) {
    if (Date.now() > end) throw new Error(`still ${String(last)}, not ${String(value)}, after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Ada Faculty's guests: ending this week, four on one day (the calendar's "and 1 more"), later, past the 90 days; one waiting for its HSR, one a delegate asked for. */
async function seedGuests(): Promise<void> {
  const request = (guestHuid: string, endDate: string, population = 'visiting-faculty', by = SPONSOR.huid) =>
    ok(journey.sys.as<{ guestId: string }>(by, 'POST', '/v1/guests', { guestHuid, population, endDate, ...(by === SPONSOR.huid ? {} : { sponsorHuid: SPONSOR.huid }) }));
  graceId = (await request('20000001', '2027-02-15')).guestId;
  await request('20000002', '2027-01-08', 'agency-temp');
  for (const huid of ['20000010', '20000011', '20000012', '20000013']) await request(huid, '2027-01-20', 'agency-temp');
  await request('20000014', '2027-03-31', 'harvard-employee');
  await request('20000015', '2027-12-31');
  await request('20000003', '2027-03-01');
  await request('20000016', '2027-02-26', 'agency-temp', DELEGATE.huid);
}

/** Mia Mgh's two off-Quad labs: one registered (Rafa Research's O2 account active, Tess Term's waiting for the RC Core), one waiting for its registration. */
async function seedO2(): Promise<void> {
  const lab = (name: string) => ok(journey.sys.as<{ labId: string; version: number }>(PI.huid, 'POST', '/v1/labs', { name, institution: 'MGH' }));
  const imaging = await lab('Mgh Imaging Lab');
  await lab('Mgh Cardiology Lab');
  const ask = async (user: string) => (await ok(journey.sys.as<{ o2AccountId: string }>(PI.huid, 'POST', '/v1/o2-accounts', { userHuid: user, piHuid: PI.huid, labId: imaging.labId }))).o2AccountId;
  o2AccountId = await ask(USER.huid);
  const other = await ask(OTHER_USER.huid);
  await journey.sys.settle();
  const token = await journey.sys.token(RC.huid);
  const registered = await journey.sys.raw(
    'POST',
    `/v1/labs/${imaging.labId}/registration`,
    { chargeback: { charged: false }, billingContact: { name: 'Bea Billing', email: 'bea.billing@mgh.harvard.edu' } },
    { authorization: `Bearer ${token}`, 'if-match': `"${imaging.version}"`, 'idempotency-key': crypto.randomUUID() },
  );
  expect(registered.status, JSON.stringify(registered.body)).toBe(200);
  const status = async (id: string) => (await journey.sys.as<{ status: string }>(RC.huid, 'GET', `/v1/o2-accounts/${id}`)).body.status;
  await until(() => status(o2AccountId), 'PENDING_RC_CORE');
  await until(() => status(other), 'PENDING_RC_CORE');
  await journey.sys.settle();
  await ok(journey.sys.as(RC.huid, 'POST', `/v1/o2-accounts/${o2AccountId}/completion`, { unixUsername: USER.hmsAccountId }));
  await until(() => status(o2AccountId), 'ACTIVE');
}

beforeAll(async () => {
  clearScreenshots('layout');
  await journey.start({ clock: '2027-01-04T14:00:00.000Z', timeoutMs: 90_000 });
  await seedGuests();
  await seedO2();
  await journey.sys.settle();
}, 150_000);

afterAll(async () => {
  if (figures.length) {
    console.log(
      ['page                     width   CLS     scrollWidth  load ms', ...figures.map((f) => `${f.page.padEnd(24)} ${String(f.width).padStart(5)}  ${f.cls.toFixed(3)}  ${String(f.scrollWidth).padStart(11)}  ${String(f.ms).padStart(7)}`)].join('\n'),
    );
  }
  await journey.stop();
});

/** Someone at a browser whose page records its layout shifts, signed in (through the local identity provider's page) unless `button` is empty. */
async function open(name: string, button: string, path = ''): Promise<Person> {
  const p = await journey.open(name);
  await watchLayoutShifts(p.page);
  if (button) {
    await p.page.goto(`${journey.pages}${path}`);
    await p.signInAs(button);
  }
  return p;
}

/** The page's h1 is there, nothing says "Loading…" any more, and `also` is shown. */
const loaded = (also?: string) => async (page: Page) => {
  await page.locator('main h1').first().waitFor({ timeout: 30_000 });
  await expect.poll(() => page.locator('.loading').count(), { timeout: 30_000 }).toBe(0);
  if (also) await page.locator(also).first().waitFor({ timeout: 30_000 });
};

/** The page at each width: loaded slowly, no wider than the window, CLS ≤ 0.1, axe and a screenshot. */
async function checkLayout(who: Person, name: string, path: string, ready: (page: Page) => Promise<unknown>, then?: (page: Page) => Promise<unknown>): Promise<void> {
  const page = who.page;
  for (const width of WIDTHS) {
    await page.setViewportSize(VIEWPORTS[width]);
    const load = await loadSlowly(page, `${journey.pages}${path}`, ready);
    const w = await widths(page);
    figures.push({ page: name, width, cls: load.cls, scrollWidth: w.scrollWidth, ms: load.ms });
    expect.soft(w.scrollWidth, `${name} at ${width} px is ${w.scrollWidth} px wide: ${w.widest.join(', ')}`).toBeLessThanOrEqual(w.innerWidth);
    expect.soft(load.cls, `${name} at ${width} px: layout shifts\n${explain(load.shifts)}`).toBeLessThanOrEqual(CLS_LIMIT);
    const facts = await layoutFacts(page);
    // Tables become cards on a phone and fit a laptop's window: none scrolls sideways in its own box.
    expect.soft(facts.scrolledBoxes, `${name} at ${width} px`).toEqual([]);
    if (facts.header) {
      // The header: the brand on one line with who is signed in beside it; on a laptop, every link on one row.
      expect.soft(facts.header.whoOnBrandRow && facts.header.brandOneLine, `${name} at ${width} px: header ${JSON.stringify(facts.header)}`).toBe(true);
      if (width === 1280) expect.soft(facts.header.navRows, `${name} at ${width} px: rows of links`).toBe(1);
    }
    // The calendar of end dates shows its seven weekdays, none cut off.
    if (facts.calendarDays !== null) expect.soft(facts.calendarDays, `${name} at ${width} px: weekdays shown`).toBe(7);
    if (then) {
      // What the page opens on request (an execution's event history) fits the window too.
      await then(page);
      const opened = await widths(page);
      expect.soft(opened.scrollWidth, `${name} at ${width} px, opened, is ${opened.scrollWidth} px wide: ${opened.widest.join(', ')}`).toBeLessThanOrEqual(opened.innerWidth);
    }
    await checkPage(page, `layout-${name}-${width}`);
  }
  expect(who.errors).toEqual([]);
}

describe('every page on a phone and a laptop: no sideways scrolling, no layout shift while it loads', () => {
  it('the start page and the activation page (signed out)', async () => {
    const anyone = await open('layout-anyone', '');
    await checkLayout(anyone, 'start', '', loaded('button:text-is("Sign in with HarvardKey")'));
    await checkLayout(anyone, 'activate', 'activate', loaded('input[type="password"]'));
  });

  it("a sponsor's My guests (table and calendar), a guest's page and the request form", async () => {
    const ada = await open('layout-sponsor', `Sign in as ${SPONSOR.name}`, 'request');
    await checkLayout(ada, 'my-guests', '', loaded('table.guests tbody tr'));
    await checkLayout(ada, 'guest', `guests/${graceId}`, loaded('.timeline'));
    await checkLayout(ada, 'request', 'request', loaded('form'));
  });

  it("a delegate's My guests (with the sponsor column)", async () => {
    const lee = await open('layout-delegate', `Sign in as ${DELEGATE.name}`, 'request');
    await checkLayout(lee, 'my-guests-delegate', '', loaded('table.guests tbody tr'));
  });

  it("the HMS IT console (and its header, with every link) and a guest's page with its executions", async () => {
    const sam = await open('layout-hms-it', `Sign in as ${HMS_IT.name}, HMS IT`, 'console');
    await checkLayout(sam, 'console', 'console', loaded('table.guests tbody tr'));
    // A guest's page for HMS IT: its lifecycle's executions, and one's event history opened.
    await checkLayout(sam, 'guest-hms-it', `guests/${graceId}`, loaded('table.executions tbody tr'), (page) => page.locator('details.history summary').first().click());
  });

  it("a PI's My O2 (accounts and labs) and an O2 account's page", async () => {
    const mia = await open('layout-pi', `Sign in as ${PI.name}`, 'o2');
    await checkLayout(mia, 'my-o2', 'o2', loaded('table.labs tbody tr'));
    await checkLayout(mia, 'o2-account', `o2-accounts/${o2AccountId}`, loaded('.timeline'));
  });

  it('the RC Core queue (a lab to register, an account to complete)', async () => {
    const rita = await open('layout-rc-core', `Sign in as ${RC.name}`, 'rc-core');
    await checkLayout(rita, 'rc-core', 'rc-core', loaded('table.o2-accounts tbody tr'));
  });
});
