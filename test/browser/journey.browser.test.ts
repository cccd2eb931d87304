/**
 * The pages in a real browser (headless Chromium, playwright-core), against the local system
 * started as a person starts it (`npm start`), through the UI only: a delegate requests, the
 * sponsor opens "Review the request" from the mailbox and approves, the guest opens the activation
 * link from their email and activates, the clock moves, the sponsor opens "Extend the account" from
 * a notice and extends (first past the guest's HSR: the page says so and links the HSR Portal), and
 * HMS IT finds the guest and its executions. A bad field shows its message next to the field; an
 * action the person may not take is not offered. axe on every page, a screenshot of every page.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_DIRECTORY } from '../../local/sample-data.ts';
import { GUEST, SPONSOR } from '../support/cli.ts';
import { BrowserJourney, linkIn } from '../support/journey.ts';
import { checkPage, clearScreenshots } from '../support/pages.ts';

const journey = new BrowserJourney(15_000);
const open = (name: string) => journey.open(name);
const mailTo = (address: string, subject: RegExp) => journey.mailTo(address, subject);

/** Grace Guest's HSR ends on 2027-06-30 here: an extension past it is refused until the HSR is extended. */
const HSR_END = '2027-06-30';

beforeAll(async () => {
  clearScreenshots();
  const seed = join(journey.dir(), 'seed.json');
  writeFileSync(seed, JSON.stringify({ ...SAMPLE_DIRECTORY, hsr: SAMPLE_DIRECTORY.hsr.map((h) => (h.huid === GUEST.huid ? { ...h, endDate: HSR_END } : h)) }));
  await journey.start({ clock: '2027-01-04T14:00:00.000Z', seed, timeoutMs: 90_000 });
}, 120_000);

afterAll(() => journey.stop());

describe('the journey, through the pages only', () => {
  let guestId = '';
  let accountId = '';

  it('a delegate requests an account for the sponsor: a bad field is shown next to it, then the request goes in', async () => {
    const lee = await open('lee');
    const page = lee.page;
    await page.goto(`${journey.pages}request`);
    // The local identity provider's sign-in page, in HarvardKey's place: held to the same rules.
    await expect.poll(() => page.url(), { timeout: 15_000 }).toContain('/_local/idp/interaction/');
    await checkPage(page, 'sign-in');
    await lee.signInAs('Sign in as Lee LabAdmin');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Request a guest account');
    await page.getByLabel('Sponsor').selectOption(SPONSOR.huid);
    await page.getByLabel('Temporary employee paid via an outside agency').check();
    const huid = page.getByLabel("Guest's HUID");
    await huid.fill('2000001');
    await page.getByLabel('End date').fill('2027-02-15');
    await page.getByRole('button', { name: 'Submit the request' }).click();

    // The API's field error (problem+json errors[].pointer #/guestHuid), next to its field, in words saying what to do.
    await expect.poll(() => huid.getAttribute('aria-invalid')).toBe('true');
    const field = page.locator('.field', { has: huid });
    expect(await field.locator('.field-error').textContent()).toContain("Enter the guest's HUID as a Harvard ID: 8 digits, nothing else.");
    expect(await huid.getAttribute('aria-describedby')).toContain(await field.locator('.field-error').getAttribute('id'));
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain("Guest's HUID: Enter the guest's HUID as a Harvard ID");
    await checkPage(page, 'request-field-error', { docs: true });

    // The HUID is confirmed by the name on the guest's HSR before anything is sent (and the HSR's end bounds the end date).
    await huid.fill(GUEST.huid);
    await expect.poll(() => page.locator('.lookup').textContent()).toContain('Grace Guest: Harvard Sponsored Role active through Wed, Jun 30, 2027.');
    expect(await page.locator('.field', { has: page.getByLabel('End date') }).locator('.hint').textContent()).toContain("not after the guest's HSR ends (Wed, Jun 30, 2027)");
    await checkPage(page, 'request-hsr-confirmed');
    await page.getByRole('button', { name: 'Submit the request for Grace Guest' }).click();
    await page.waitForURL(/\/guests\/[0-9a-f-]{36}$/);
    guestId = new URL(page.url()).pathname.split('/').pop()!;
    await expect.poll(() => page.getByRole('status').allTextContents()).toContain('Request submitted. The sponsor has been asked to approve it.');
    expect(await page.locator('.status-line .badge').textContent()).toBe('Waiting for approval');
    // Only the sponsor decides: the delegate is offered no decision, extension or cancellation.
    for (const name of ['Approve', 'Deny', 'Extend the account', 'Cancel the request']) expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    expect(await page.getByText('only the sponsor approves, extends or cancels').count()).toBe(1);
    await checkPage(page, 'guest-as-delegate');

    await page.getByRole('link', { name: 'My guests' }).click();
    // In the list, and on the calendar of end dates.
    await expect.poll(() => page.locator('table.guests').getByRole('link', { name: 'Grace Guest' }).count()).toBe(1);
    expect(await page.locator('.calendar').getByRole('link', { name: 'Grace Guest' }).count()).toBe(1);
    await checkPage(page, 'my-guests-delegate', { docs: true });
  });

  it('the sponsor opens "Review the request" from the mailbox and approves; the new state shows without a reload', async () => {
    await journey.sys.settle();
    const review = linkIn(await mailTo(SPONSOR.email, /^Approve HMS guest account for Grace Guest$/), 'Review the request');
    expect(review).toBe(`${journey.pages}guests/${guestId}`);
    const ada = await open('ada');
    const page = ada.page;
    await page.goto(review);
    await ada.signInAs('Sign in as Ada Faculty');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Grace Guest');
    await checkPage(page, 'guest-review');
    const loads = page.url();
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => page.locator('.outcome').textContent(), { timeout: 20_000 }).toMatch(/^Approved\. Account \w+ is set up/);
    expect(page.url()).toBe(loads);
    expect(await page.locator('.status-line .badge').textContent()).toBe('Waiting for activation');
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    accountId = (await page.locator('dt:text-is("HMS account ID") + dd').textContent())!;
    expect(accountId).toMatch(/^[a-z]+\d+$/);
    await checkPage(page, 'guest-approved', { docs: true });
  });

  it('the guest opens the link of "Activate your HMS account" and activates; a wrong code gets the one neutral message', async () => {
    const mail = await mailTo(GUEST.email, /^Activate your HMS account$/);
    const link = linkIn(mail, 'Activate your HMS account');
    const code = /Activation code: (\S+)/.exec(mail.body.text ?? '')![1]!;
    expect(link).toBe(`${journey.pages}activate?accountId=${accountId}`);
    const grace = await open('guest');
    const page = grace.page;

    // Not this account's pair of (account, address): the account's own attempts stay untouched.
    await page.goto(`${journey.pages}activate?accountId=zz999`);
    await page.getByLabel('Activation code').fill('ABCD-EFGH-IJKL-MNOP-QRST-UVWX');
    await page.getByLabel('Choose a password').fill('violet-harbor-lantern-42');
    await page.getByRole('button', { name: 'Activate' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe(
      'We could not activate an account with this account ID and activation code. Check both against the email "Activate your HMS account" and try again in a few minutes. If it still does not work, ask your sponsor to send a new activation code.',
    );
    await checkPage(page, 'activate-failed');

    await page.goto(link);
    expect(await page.getByLabel('HMS account ID').inputValue()).toBe(accountId);
    await checkPage(page, 'activate');
    await page.getByLabel('Activation code').fill(code);
    // With the right code, a password the policy refuses is named next to its field; the code still works.
    const password = page.getByLabel('Choose a password');
    await password.fill('Grace2027-guest');
    await page.getByRole('button', { name: 'Activate' }).click();
    await expect.poll(() => password.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.field', { has: password }).locator('.field-error').textContent()).toContain('must not contain your first or last name');
    await checkPage(page, 'activate-password-refused', { docs: true });
    await password.fill('violet-harbor-lantern-42');
    await page.getByRole('button', { name: 'Activate' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Your HMS account is active');
    expect(await page.getByRole('link', { name: 'https://messageme.harvard.edu/' }).count()).toBe(1);
    expect(await page.getByText('Safecode security').count()).toBe(1);
    await checkPage(page, 'activated', { docs: true });
  });

  it('the clock moves; the sponsor opens "Extend the account" from a notice, is told to extend the HSR first, then extends', async () => {
    await journey.sys.advanceTo('2027-02-08T15:00:00.000Z');
    const notice = linkIn(await mailTo(SPONSOR.email, /expires on 2027-02-15$/), 'Extend the account');
    expect(notice).toBe(`${journey.pages}guests/${guestId}`);
    const page = journey.person('ada').page;
    await page.goto(notice);
    await expect.poll(() => page.getByRole('heading', { name: 'Extend the account' }).count()).toBe(1);
    expect(await page.locator('.status-line .badge').textContent()).toBe('Active');
    const date = page.getByLabel('New end date');
    // Bounded by the rules: after the end date, at most a year from today (the local clock's).
    expect([await date.getAttribute('min'), await date.getAttribute('max')]).toEqual(['2027-02-16', '2028-02-08']);

    await date.fill('2027-08-31');
    await page.getByRole('button', { name: 'Extend the account' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('extend the HSR in the HSR Portal first');
    // Dates as people write them, not as the API does.
    expect(await page.getByRole('alert').textContent()).toContain('does not cover Tue, Aug 31, 2027 (it ends Wed, Jun 30, 2027)');
    expect(await page.getByRole('alert').getByRole('link', { name: 'Open the HSR Portal' }).count()).toBe(1);
    await checkPage(page, 'extend-hsr-blocked', { docs: true });

    await date.fill(HSR_END);
    await page.getByRole('button', { name: 'Extend the account' }).click();
    await expect.poll(() => page.locator('.outcome').textContent()).toBe('Extended: the account now ends on Wed, Jun 30, 2027.');
    await expect.poll(() => page.locator('.timeline').textContent()).toContain('End date Mon, Feb 15, 2027 → Wed, Jun 30, 2027');
    await checkPage(page, 'extended');
  });

  it('HMS IT finds the guest in the console and sees its executions; the sponsor-only actions are not offered', async () => {
    const it = await open('hms-it');
    const page = it.page;
    await page.goto(`${journey.pages}console`);
    await it.signInAs('Sign in as Sam Staff, HMS IT');
    await expect.poll(() => page.locator('table.guests').getByRole('link', { name: 'Grace Guest' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: /^Download CSV/ }).count()).toBe(1);
    await checkPage(page, 'console', { docs: true });

    await page.getByLabel('Status').selectOption('ACTIVE');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.url()).toContain('/console?status=ACTIVE');
    await expect.poll(() => page.locator('table.guests tbody tr').count()).toBe(1);

    // Found by what HMS IT is told on the phone: a name, a HUID or an HMS account ID; the account ID is a column.
    const find = page.getByLabel('Find a guest');
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => page.locator('table.guests tbody tr').count()).toBeGreaterThan(0);
    for (const query of [accountId, GUEST.huid, 'grace gu']) {
      await find.fill(query);
      await expect.poll(() => page.locator('table.guests tbody tr').count(), { message: query }).toBe(1);
      expect(await page.locator('table.guests tbody tr td[data-label="HMS account ID"]').textContent()).toBe(accountId);
    }
    await find.fill('zz-nobody');
    await expect.poll(() => page.getByText('No guest matches this search').count()).toBe(1);
    await find.fill(accountId);
    expect(page.url()).toContain(`q=${accountId}`);
    await checkPage(page, 'console-search');

    await page.getByRole('link', { name: 'Grace Guest' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Lifecycle executions' }).count()).toBe(1);
    const row = page.locator('table.executions tbody tr').first();
    expect(await row.locator('th code').textContent()).toBe(`${guestId}-1`);
    expect(await row.locator('td').first().textContent()).toBe('RUNNING');
    expect(await row.locator('td').nth(1).textContent()).not.toBe('—');
    await page.getByText(`Event history of ${guestId}-1`).click();
    expect(await page.locator('details.history table tbody tr').count()).toBeGreaterThan(10);
    expect(await page.getByRole('button', { name: 'Expire the account now' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Move to this sponsor' }).count()).toBe(1);
    for (const name of ['Approve', 'Extend the account', 'Send a new activation code']) expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    await checkPage(page, 'guest-as-hms-it', { docs: true });
  });

  it('no page raised an error', () => {
    expect(journey.people.flatMap((p) => p.errors)).toEqual([]);
  });
});

describe('who may not request sees why before filling anything in; signing out; the start page', () => {
  it.each([
    ['Wren Wyss', 'request-wyss', 'Wyss Institute requests go through Wyss HR and Academic Affairs', 'AcademicAffairs@wyss.harvard.edu'],
    ['Stu Student', 'request-ineligible', 'You may not request guest accounts', 'Sponsors are HMS or HSDM faculty or staff; the people directory lists you as a student.'],
  ])('%s', async (who, shot, title, text) => {
    const person = await open(shot);
    const page = person.page;
    await page.goto(`${journey.pages}request`);
    await person.signInAs(`Sign in as ${who}`);
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain(title);
    expect(await page.locator('main').textContent()).toContain(text);
    expect(await page.locator('form').count()).toBe(0);
    // The navigation offers the request form only to whom it can serve: Wyss staff (it sends them to Wyss HR), not a student.
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Request a guest account' }).count()).toBe(who === 'Wren Wyss' ? 1 : 0);
    await checkPage(page, shot);
    expect(person.errors).toEqual([]);
  });

  it('signing out ends the session at the identity provider and comes back to the start page', async () => {
    const page = journey.person('request-wyss').page;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign out of HMS guest accounts');
    await checkPage(page, 'sign-out');
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Sign in with HarvardKey' }).count()).toBe(1);
    expect(new URL(page.url()).pathname).toBe('/');
    // Signed out at the provider too: the next sign-in asks who again.
    await page.getByRole('button', { name: 'Sign in with HarvardKey' }).click();
    await expect.poll(() => page.url()).toContain('/_local/idp/interaction/');
  });

  it('signed out, the start page offers sign-in and the activation page', async () => {
    const person = await open('welcome');
    await person.page.goto(journey.pages);
    // The page renders after its script runs (under load, after the load event): wait for it, then count.
    await person.page.getByRole('button', { name: 'Sign in with HarvardKey' }).first().waitFor();
    expect(await person.page.getByRole('button', { name: 'Sign in with HarvardKey' }).count()).toBe(1);
    expect(await person.page.getByRole('link', { name: 'activation page' }).getAttribute('href')).toBe('/activate');
    await checkPage(person.page, 'welcome');
  });
});
