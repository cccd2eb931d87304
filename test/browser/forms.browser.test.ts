/**
 * Every date and number field of every form, typed into as a person might (issue 20): five-digit
 * years, 31 February, letters, a whole sentence pasted, full-width digits. No page goes blank (the
 * page keeps its title, no script error), and nothing typed is lost (the field keeps what was typed,
 * the form's other fields keep theirs). Then the form still sends, and the API's words are a
 * person's.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserJourney } from '../support/journey.ts';
import { checkPage, clearScreenshots } from '../support/pages.ts';

const journey = new BrowserJourney();
const ADA = { huid: '10000001', name: 'Ada Faculty' };
const USER = { huid: '10000021', name: 'Rafa Research' };

/** Keys into a date field as a person types them (month, day, year: the picker's segments). */
const DATE_TYPINGS = ['12072027', '1207' + '20271', '02312027', 'abcdef', '99999999999'];
/** What a person puts into a text or number field, pasting included. */
const TEXTS = ['abc', '１２３４５６７８', '2027-02-31', ' 10000001 ', 'I think it is the one on the email my colleague sent last week, 8 digits or so?', '1e9', '-1'];

const h1 = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();

/** Types into a date field segment by segment, as the keyboard does. */
async function typeDate(field: Locator, keys: string): Promise<void> {
  // Into the first segment (the month), at the field's left edge, as a click there or a Tab does.
  await field.click({ position: { x: 12, y: 12 } });
  await field.page().keyboard.type(keys);
}

/** The page is still there (its title), its other fields keep what was typed, and no script failed. */
async function stillThere(page: Page, title: string, kept: [Locator, string][], errors: string[]): Promise<void> {
  expect(await h1(page)).toBe(title);
  for (const [field, value] of kept) expect(await field.inputValue()).toBe(value);
  expect(errors).toEqual([]);
}

beforeAll(async () => {
  clearScreenshots('forms');
  await journey.start({ clock: '2027-01-04T14:00:00.000Z', timeoutMs: 90_000 });
}, 120_000);

afterAll(() => journey.stop());

describe('date and number fields take whatever is typed, and lose nothing', () => {
  it('the request form: start and end dates, the guest’s HUID, the contractor ID, the justification', async () => {
    const ada = await journey.open('forms-ada');
    const page = ada.page;
    await page.goto(`${journey.pages}request`);
    await ada.signInAs(`Sign in as ${ADA.name}`);
    await expect.poll(() => h1(page)).toBe('Request a guest account');
    await page.getByLabel('Harvard contractor or consultant').check();
    const huid = page.getByLabel("Guest's HUID");
    const contractor = page.getByLabel('HU contractor ID');
    const justification = page.getByLabel('Justification (optional)');
    await huid.fill('20000002');
    await contractor.fill('C-1234');
    await justification.fill('Covers the spring term.');
    const kept: [Locator, string][] = [
      [huid, '20000002'],
      [contractor, 'C-1234'],
      [justification, 'Covers the spring term.'],
    ];
    for (const label of ['Start date', 'End date']) {
      for (const keys of DATE_TYPINGS) {
        await typeDate(page.getByLabel(label), keys);
        await stillThere(page, 'Request a guest account', kept, ada.errors);
      }
    }
    for (const text of TEXTS) {
      await huid.fill(text);
      expect(await huid.inputValue()).toBe(text);
      await stillThere(page, 'Request a guest account', kept.slice(1), ada.errors);
    }
    // Sent as it stands (a start date in the year 275760, as the picker takes it): the API refuses it, in words about the field, and the form keeps everything.
    await huid.fill('20000002');
    await page.getByRole('button', { name: /Submit the request/ }).click();
    await expect.poll(() => page.locator('.field-error').count()).toBeGreaterThan(0);
    for (const error of await page.locator('.field-error').allTextContents()) expect(error).toMatch(/^Error: [A-Z][^\n]*\.$/);
    expect(await page.locator('.field-error').allTextContents()).not.toContainEqual(expect.stringMatching(/YYYY|expected|Invalid|;/));
    await stillThere(page, 'Request a guest account', kept, ada.errors);
    await checkPage(page, 'forms-request-typed');
    // A reload keeps what was typed (for the tab's session), until it is sent.
    await page.reload();
    await expect.poll(() => h1(page)).toBe('Request a guest account');
    expect(await page.getByLabel('HU contractor ID').inputValue()).toBe('C-1234');
    expect(await page.getByLabel('Justification (optional)').inputValue()).toBe('Covers the spring term.');
  });

  it('a guest’s extension date, and the HMS IT console’s filters', async () => {
    const created = await journey.sys.as<{ guestId: string }>(ADA.huid, 'POST', '/v1/guests', { guestHuid: '20000006', population: 'agency-temp', endDate: '2027-03-31' });
    expect(created.status).toBe(202);
    await journey.sys.settle();
    const ada = await journey.open('forms-ada-it');
    const page = ada.page;
    await page.goto(`${journey.pages}guests/${created.body.guestId}`);
    await ada.signInAs(`Sign in as ${ADA.name}, HMS IT`);
    await expect.poll(() => page.getByLabel('New end date').count(), { timeout: 20_000 }).toBe(1);
    const title = (await h1(page))!;
    for (const keys of DATE_TYPINGS) {
      await typeDate(page.getByLabel('New end date'), keys);
      await stillThere(page, title, [], ada.errors);
    }
    const sponsor = page.getByLabel("New sponsor's HUID");
    for (const text of TEXTS) {
      await sponsor.fill(text);
      await stillThere(page, title, [[sponsor, text]], ada.errors);
    }

    await page.goto(`${journey.pages}console`);
    await expect.poll(() => h1(page)).toBe('HMS IT console');
    const filterSponsor = page.getByLabel('Sponsor HUID');
    for (const text of TEXTS) {
      await filterSponsor.fill(text);
      await stillThere(page, 'HMS IT console', [[filterSponsor, text]], ada.errors);
    }
    await filterSponsor.fill('');
    for (const keys of DATE_TYPINGS) {
      await typeDate(page.getByLabel('Expiring before'), keys);
      await stillThere(page, 'HMS IT console', [], ada.errors);
    }
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await stillThere(page, 'HMS IT console', [], ada.errors);
  });

  it('the O2 request’s HUIDs and the activation page', async () => {
    const rafa = await journey.open('forms-rafa');
    const page = rafa.page;
    await page.goto(`${journey.pages}o2`);
    await rafa.signInAs(`Sign in as ${USER.name}`);
    await expect.poll(() => h1(page)).toBe('My O2');
    const fields = [page.getByLabel("User's HUID"), page.getByRole('searchbox', { name: 'Lab' }), page.getByLabel("HMS sponsor's HUID (optional)")];
    for (const field of fields) {
      for (const text of TEXTS) {
        await field.fill(text);
        await stillThere(page, 'My O2', [[field, text]], rafa.errors);
      }
    }
    await page.getByRole('button', { name: 'Request the O2 account' }).click();
    await expect.poll(() => page.locator('.field-error').count()).toBeGreaterThan(0);
    expect(await page.locator('.field-error').allTextContents()).not.toContainEqual(expect.stringMatching(/YYYY|expected|Invalid|UUID/));
    await stillThere(page, 'My O2', [[fields[2]!, TEXTS.at(-1)!]], rafa.errors);

    const guest = await journey.open('forms-guest');
    await guest.page.goto(`${journey.pages}activate`);
    await expect.poll(() => h1(guest.page)).toBe('Activate your HMS account');
    for (const label of ['HMS account ID', 'Activation code']) {
      for (const text of TEXTS) {
        const field = guest.page.getByLabel(label);
        await field.fill(text);
        await stillThere(guest.page, 'Activate your HMS account', [[field, text]], guest.errors);
      }
    }
  });
});
