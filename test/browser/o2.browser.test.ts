/**
 * The O2 pages in a real browser (headless Chromium), against the local system started as a person
 * starts it, through the UI and the emails' links only (issue 14): an off-Quad PI records the lab;
 * the user requests an O2 account naming the PI and the lab; the PI signs in from the approval
 * email's link and approves; the RC Core opens its queue from its email, registers the lab and
 * completes the account; the user opens "Your O2 account" from the "active" email and reads how to
 * log in. A bad field is shown next to it, a refused completion next to its form; an action the
 * person may not take is not offered. axe on every page, a screenshot of every page
 * (test-results/screenshots/NN-o2-*.png).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_DIRECTORY } from '../../local/sample-data.ts';
import { BrowserJourney, linkIn } from '../support/journey.ts';
import { checkPage as check, clearScreenshots } from '../support/pages.ts';

const person = (huid: string) => {
  const p = SAMPLE_DIRECTORY.people.find((x) => x.huid === huid);
  if (!p) throw new Error(`no sample person ${huid}`);
  return p as typeof p & { hmsAccountId?: string };
};
/** An off-Quad PI: faculty at MGH, an HMS affiliated hospital. */
const PI = person('10000013');
/** The user: HMS staff at MGH with an HMS account of their own. */
const USER = person('10000021');
/** HMS Research Computing Core staff. */
const RC = person('10000017');
/** An on-Quad PI (a primary appointment in Genetics) and a staff member whose HMS appointment ends on 2027-01-29. */
const QUAD_PI = person('10000010');
const LEAVING = person('10000020');
/** Staff at MGH whose HMS account ends on 2027-02-26. */
const TERM = person('10000022');
/** A manager of Quinn Quad's lab (lab-manager:10000010), and a student with an HMS account. */
const MANAGER = person('10000015');
const STUDENT = person('10000019');
const RC_CORE_EMAIL = 'rccore@hms.harvard.edu';
const LAB = 'Mgh Imaging Lab';

const journey = new BrowserJourney();
const open = (name: string) => journey.open(name);
const mailTo = (address: string, subject: RegExp) => journey.mailTo(address, subject);
/** The O2 account of the first journey (Rafa Research's, in Mia Mgh's lab). */
let journeyO2 = '';

const checkPage = (page: Page, name: string) => check(page, `o2-${name}`);

const h1 = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
const badge = (page: Page) => page.locator('.status-line .badge').textContent();

beforeAll(async () => {
  clearScreenshots('o2');
  await journey.start({ clock: '2027-01-04T14:00:00.000Z', timeoutMs: 90_000 });
}, 120_000);

afterAll(() => journey.stop());

describe('an off-Quad O2 account, from the request to the login, through the pages only', () => {
  let labId = '';
  let o2AccountId = '';

  it('the PI records the lab on My O2: a missing field is named next to it; the lab shows as off-Quad, not registered', async () => {
    const mia = await open('pi-lab');
    const page = mia.page;
    await page.goto(`${journey.pages}o2`);
    await mia.signInAs(`Sign in as ${PI.name}`);
    await expect.poll(() => h1(page)).toBe('My O2');
    // The navigation has My O2 (current) and, for a PI who is not RC Core staff, no RC Core queue.
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My O2' }).getAttribute('aria-current')).toBe('page');
    expect(await page.getByRole('link', { name: 'RC Core queue' }).count()).toBe(0);

    // No lab yet: the form is behind "Record your lab (PIs)", out of the way of users who are not PIs.
    await page.getByText('Record your lab (PIs)').click();
    await page.getByLabel('Institution').selectOption('MGH');
    await page.getByRole('button', { name: 'Record the lab' }).click();
    const name = page.getByLabel('Lab name');
    await expect.poll(() => name.getAttribute('aria-invalid')).toBe('true');
    const field = page.locator('.field', { has: name });
    expect(await name.getAttribute('aria-describedby')).toContain(await field.locator('.field-error').getAttribute('id'));
    expect(await field.locator('.field-error').textContent()).toContain("Enter the lab's name.");
    await checkPage(page, 'lab-field-error');

    await name.fill(LAB);
    await page.getByRole('button', { name: 'Record the lab' }).click();
    const row = page.locator('table.labs tbody tr', { hasText: LAB });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('Off-Quad');
    expect(await row.textContent()).toContain('Not registered yet');
    expect(await row.textContent()).toContain('Massachusetts General Hospital (MGH)an HMS affiliated institution');
    labId = (await row.locator('code').textContent())!;
    expect(labId).toMatch(/^[0-9a-f-]{36}$/);
    await checkPage(page, 'my-o2-pi');
  });

  it('the user requests an O2 account naming the PI and the lab: a bad HUID is named next to its field; then the request waits for the PI', async () => {
    const rafa = await open('user');
    const page = rafa.page;
    await page.goto(`${journey.pages}o2`);
    await rafa.signInAs(`Sign in as ${USER.name}`);
    await expect.poll(() => h1(page)).toBe('My O2');
    expect(await page.getByText('You have no O2 account.').count()).toBe(1);
    expect(await page.getByLabel("User's HUID").inputValue()).toBe(USER.huid);
    // No lab ID and no HUID to type: the lab found by its name or its PI's name, then picked from a list that names each lab's PI.
    expect(await page.getByLabel('Lab ID').count()).toBe(0);
    expect(await page.getByLabel("Sponsoring PI's HUID").count()).toBe(0);
    const search = page.getByRole('searchbox', { name: 'Lab' });
    await page.getByLabel('Justification (optional)').fill('Image analysis on the cluster.');
    await page.getByRole('button', { name: 'Request the O2 account' }).click();
    await expect.poll(() => search.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.field', { has: search }).locator('.field-error').textContent()).toContain('Choose the lab.');
    await checkPage(page, 'request-field-error');

    await search.fill('zzqq');
    await expect.poll(() => page.locator('.lookup').textContent()).toContain('No lab has a name, or a PI, beginning so.');
    await search.fill('10000006');
    await expect.poll(() => page.locator('.lookup').textContent()).toContain('No PI has this HUID.');
    // By the PI's name: their labs, each with the PI's name
    await search.fill(PI.name.split(' ')[0]!.toLowerCase());
    const radio = page.getByRole('radio', { name: LAB });
    await expect.poll(() => radio.count()).toBe(1);
    expect(await page.locator('.choice', { has: radio }).textContent()).toContain(`PI: ${PI.name}`);
    await radio.check();
    // By the lab's name, two words' beginnings: the one lab, taken
    await search.fill('imag mgh');
    await expect.poll(() => page.getByRole('radio').count()).toBe(1);
    await expect.poll(() => radio.isChecked()).toBe(true);
    expect(await page.getByRole('group', { name: 'The lab found' }).count()).toBe(1);
    expect(await radio.inputValue()).toBe(labId);
    await checkPage(page, 'request-lab-found');
    await page.getByRole('button', { name: 'Request the O2 account' }).click();
    await page.waitForURL(/\/o2-accounts\/[0-9a-f-]{36}$/);
    o2AccountId = new URL(page.url()).pathname.split('/').pop()!;
    journeyO2 = o2AccountId;
    await expect.poll(() => h1(page)).toBe('Your O2 account');
    await expect.poll(() => page.getByRole('status').allTextContents()).toContain('Requested. The sponsoring PI has been asked to approve it.');
    await expect.poll(() => badge(page)).toBe("Waiting for the PI's approval");
    // The user may cancel the request, not decide it, complete it or renew it.
    for (const name of ['Approve', 'Deny', 'Mark as completed', 'Ask the RC Core to renew']) expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    expect(await page.getByRole('button', { name: 'Cancel the request' }).count()).toBe(1);
    // The user may not read the lab's record, but sees the lab by its name and why it is off-Quad.
    const lab = page.getByRole('region', { name: 'Lab' });
    expect(await lab.locator('dd').allTextContents()).toEqual([LAB, 'Off-QuadThe lab is at MGH, an HMS affiliated institution; it registers with the HMS Research Computing Core (rccore@hms.harvard.edu) first.']);
    // The PI by name, not by HUID.
    expect(await page.locator('.step').textContent()).toContain(`${PI.name} (your sponsoring PI) approves or denies the request`);
    await checkPage(page, 'requested-as-user');
  });

  it('the PI signs in from the approval email\'s link and approves: the page says the lab must register with the RC Core', async () => {
    // The lifecycle is quiet again (as it is by the time a person reads the email): the page's version is the one written on.
    await journey.sys.settle();
    const review = linkIn(await mailTo(PI.email, new RegExp(`^Approve the O2 account of ${USER.name}$`)), 'Review the O2 request');
    expect(review).toBe(`${journey.pages}o2-accounts/${o2AccountId}`);
    const mia = await open('pi');
    const page = mia.page;
    await page.goto(review);
    await mia.signInAs(`Sign in as ${PI.name}`);
    await expect.poll(() => h1(page)).toBe(`O2 account for ${USER.name}`);
    expect(new URL(page.url()).pathname).toBe(`/o2-accounts/${o2AccountId}`);
    expect(await badge(page)).toBe("Waiting for the PI's approval");
    // The lab, readable by its PI: its name and registration, and why it is off-Quad.
    const lab = page.getByRole('region', { name: 'Lab' });
    expect(await lab.textContent()).toContain(LAB);
    expect(await lab.textContent()).toContain('Not registered yet');
    expect(await page.getByRole('button', { name: 'Mark as completed' }).count()).toBe(0);
    await checkPage(page, 'approval');

    await page.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => page.locator('.actions > .outcome').textContent(), { timeout: 20_000 }).toBe("Approved. Waiting for the lab's registration with the RC Core.");
    expect(await badge(page)).toBe("Waiting for the lab's registration");
    expect(await page.locator('.step').textContent()).toContain(`rccore@hms.harvard.edu) has been emailed`);
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await expect.poll(() => page.locator('.timeline').textContent()).toContain('Approved');
    await checkPage(page, 'approved');
  });

  it('RC Core staff open the queue from their email, register the lab (a missing choice named next to it) and complete the account', async () => {
    const queue = linkIn(await mailTo(RC_CORE_EMAIL, new RegExp(`^Register the lab "${LAB}" for O2$`)), 'Open the RC Core queue');
    expect(queue).toBe(`${journey.pages}rc-core`);
    const rita = await open('rc-core');
    const page = rita.page;
    await page.goto(queue);
    await rita.signInAs(`Sign in as ${RC.name}`);
    await expect.poll(() => h1(page)).toBe('RC Core queue');
    expect(await page.getByRole('link', { name: 'RC Core queue' }).getAttribute('aria-current')).toBe('page');
    const card = page.locator('form.lab-card', { hasText: LAB });
    await expect.poll(() => card.count()).toBe(1);

    // Registered with neither "charged" nor "not charged" chosen, and no billing contact: the API names the fields.
    await card.getByRole('button', { name: `Register ${LAB}` }).click();
    await expect.poll(() => card.getByRole('alert').count()).toBe(1);
    await expect.poll(() => card.locator('.field-invalid').count()).toBeGreaterThan(0);
    await checkPage(page, 'register-field-errors');

    await card.getByLabel('Not charged').check();
    await card.getByLabel('Billing contact name').fill('Bea Billing');
    await card.getByLabel('Billing contact email').fill('bea.billing@mgh.harvard.edu');
    await card.getByRole('button', { name: `Register ${LAB}` }).click();
    await expect.poll(() => page.locator('main > .outcome').textContent()).toContain(`Registered: ${LAB}.`);
    await expect.poll(() => page.locator('form.lab-card', { hasText: LAB }).count()).toBe(0);
    // The account moved on to the RC Core once the lab was registered: it is in the queue.
    const link = page.locator('table.o2-accounts').getByRole('link', { name: USER.name });
    await expect.poll(async () => {
      if ((await link.count()) === 0) await page.reload();
      return link.count();
    }, { timeout: 20_000 }).toBe(1);
    await checkPage(page, 'rc-core-queue');

    await journey.sys.settle();
    await link.click();
    await expect.poll(() => h1(page)).toBe(`O2 account for ${USER.name}`);
    expect(await badge(page)).toBe("Waiting for the RC Core's setup");
    const username = page.getByLabel('Unix username');
    expect(await username.inputValue()).toBe(USER.hmsAccountId);
    // The RC Core does not decide, renew or keep: only complete (and cancel).
    for (const name of ['Approve', 'Ask the RC Core to renew', 'Keep O2 after leaving HMS']) expect(await page.getByRole('button', { name }).count(), name).toBe(0);

    // Not an account ID at all: the field says so (400, errors[].pointer #/unixUsername).
    const complete = page.getByRole('group', { name: 'Complete the setup (RC Core)' });
    await username.fill('rre 100');
    await page.getByRole('button', { name: 'Mark as completed' }).click();
    await expect.poll(() => username.getAttribute('aria-invalid')).toBe('true');
    expect(await complete.locator('.field-error').textContent()).toContain('The Unix username must be an HMS account ID');
    expect(await complete.getByRole('alert').textContent()).toContain('Some fields need your attention');
    await checkPage(page, 'complete-field-error');
    // An account ID, but not this user's: refused by the rules (422), next to the form.
    await username.fill('rrc101');
    await page.getByRole('button', { name: 'Mark as completed' }).click();
    await expect.poll(() => complete.getByRole('alert').textContent()).toContain('Refused by the rules');
    // The rule names the field too: its message stands next to it.
    await expect.poll(() => complete.locator('.field-error').textContent()).toContain(USER.hmsAccountId);
    expect(await username.getAttribute('aria-invalid')).toBe('true');
    await checkPage(page, 'complete-refused');

    await username.fill(USER.hmsAccountId!);
    await page.getByRole('button', { name: 'Mark as completed' }).click();
    await expect.poll(() => page.locator('.actions > .outcome').textContent(), { timeout: 20_000 }).toBe(
      `Completed: the O2 account is active; ${USER.name} logs in as ${USER.hmsAccountId}.`,
    );
    expect(await badge(page)).toBe('Active');
    await checkPage(page, 'completed');
  });

  it('the user opens "Your O2 account" from the "active" email and reads how to log in', async () => {
    const mail = await mailTo(USER.email, /^Your O2 account is active$/);
    const link = linkIn(mail, 'Your O2 account');
    expect(link).toBe(`${journey.pages}o2-accounts/${o2AccountId}`);
    const page = journey.person('user').page;
    await page.goto(link);
    await expect.poll(() => badge(page)).toBe('Active');
    const login = page.locator('.login-box');
    expect((await login.textContent())?.replace(/\s+/g, ' ')).toContain(`Log in to o2.hms.harvard.edu as ${USER.hmsAccountId}`);
    expect(await login.locator('code').textContent()).toBe(`ssh ${USER.hmsAccountId}@o2.hms.harvard.edu`);
    // People by name (with their HUID), and the lab's registration told as the RC Core's act, not the system's.
    await expect.poll(() => page.locator('.timeline').textContent()).toContain('Setup completed by the RC Core, Rita RcCore (HUID 10000017)');
    expect(await page.locator('.timeline').textContent()).toMatch(/Lab registered with the RC Core by the RC Core, Rita RcCore \(HUID 10000017\)/);
    expect(await page.locator('.timeline').textContent()).not.toMatch(/Lab registered with the RC Core by the system/);
    await checkPage(page, 'active');

    await page.getByRole('link', { name: 'My O2' }).click();
    const row = page.locator('table.o2-accounts tbody tr').first();
    await expect.poll(() => row.locator('.badge').textContent()).toBe('Active');
    expect(await row.locator('code').textContent()).toBe(`${USER.hmsAccountId}@o2.hms.harvard.edu`);
    await checkPage(page, 'my-o2-user');
  });

});

/** An O2 account made ACTIVE through the API (these tests are about the pages of what comes after). */
async function activeO2(pi: string, user: string, labId: string, rcCore: boolean): Promise<string> {
  const asked = await journey.sys.as<{ o2AccountId: string }>(pi, 'POST', '/v1/o2-accounts', { userHuid: user, piHuid: pi, labId });
  expect(asked.status, JSON.stringify(asked.body)).toBe(202);
  const id = asked.body.o2AccountId;
  if (rcCore) {
    await expect.poll(async () => (await journey.sys.as<{ status: string }>(RC.huid, 'GET', `/v1/o2-accounts/${id}`)).body.status, { timeout: 15_000 }).toBe('PENDING_RC_CORE');
    // The lifecycle may still be writing its "asked the RC Core" steps: let it settle first (a write racing it is refused with 409).
    await journey.sys.settle();
    const done = await journey.sys.as(RC.huid, 'POST', `/v1/o2-accounts/${id}/completion`, { unixUsername: person(user).hmsAccountId });
    expect(done.status, JSON.stringify(done.body)).toBeLessThan(300);
  }
  await expect.poll(async () => (await journey.sys.as<{ status: string }>(pi, 'GET', `/v1/o2-accounts/${id}`)).body.status, { timeout: 15_000 }).toBe('ACTIVE');
  await journey.sys.settle();
  return id;
}

describe('after setup: keeping O2 when leaving HMS, expiring, expired and renewed', () => {
  let quadLab = '';

  it('leaving HMS: the user sees when the appointment ends and keeps O2 on a guest account from the next day', async () => {
    const lab = await journey.sys.as<{ labId: string; quad: { onQuad: boolean } }>(QUAD_PI.huid, 'POST', '/v1/labs', { name: 'Quad Genetics Lab', institution: 'HMS' });
    expect(lab.body.quad.onQuad).toBe(true);
    quadLab = lab.body.labId;
    const id = await activeO2(QUAD_PI.huid, LEAVING.huid, quadLab, false);
    const leo = await open('leaving');
    const page = leo.page;
    await page.goto(`${journey.pages}o2-accounts/${id}`);
    await leo.signInAs(`Sign in as ${LEAVING.name}`);
    await expect.poll(() => badge(page)).toBe('Active');
    const keep = page.getByRole('group', { name: 'Keep O2 when leaving HMS' });
    expect(await keep.textContent()).toContain(`When your HMS appointment ends on Fri, Jan 29, 2027, the HMS account continues as a sponsored guest account from the next day, with the same HMS account ID (${LEAVING.hmsAccountId})`);
    await checkPage(page, 'leaving');
    await keep.getByRole('button', { name: 'Keep O2 after leaving HMS' }).click();
    await expect.poll(() => page.locator('.actions > .outcome').textContent(), { timeout: 20_000 }).toBe('Kept: the guest account starts on Sat, Jan 30, 2027 with the same HMS account ID.');
    expect(await page.getByRole('group', { name: 'Keep O2 when leaving HMS' }).count()).toBe(0);
    expect(await page.locator('dt:text-is("Kept when leaving HMS") + dd').textContent()).toContain('Guest account from Sat, Jan 30, 2027');
    expect(await badge(page)).toBe('Active');
    await checkPage(page, 'kept');
  });

  it('who may not see an O2 account is told it is not there (as a missing one); the RC Core queue says whom it is for', async () => {
    const page = journey.person('leaving').page;
    await page.goto(`${journey.pages}o2-accounts/${journeyO2}`);
    await expect.poll(() => h1(page)).toBe('O2 account not found');
    expect(await page.getByRole('button').filter({ hasText: /Approve|Cancel/ }).count()).toBe(0);
    await checkPage(page, 'not-found');
    await page.goto(`${journey.pages}rc-core`);
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('This page is for the HMS Research Computing Core');
    expect(await page.locator('form').count()).toBe(0);
    await checkPage(page, 'rc-core-refused');
  });

  it('on-Quad: a manager of the lab approves a student\'s request and the account is active at once, without the RC Core', async () => {
    const asked = await journey.sys.as<{ o2AccountId: string; status: string }>(STUDENT.huid, 'POST', '/v1/o2-accounts', { userHuid: STUDENT.huid, piHuid: QUAD_PI.huid, labId: quadLab });
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    await journey.sys.settle();
    const review = linkIn(await mailTo(QUAD_PI.email, new RegExp(`^Approve the O2 account of ${STUDENT.name}$`)), 'Review the O2 request');
    const lena = await open('manager');
    const page = lena.page;
    await page.goto(review);
    await lena.signInAs(`Sign in as ${MANAGER.name}`);
    await expect.poll(() => badge(page)).toBe("Waiting for the PI's approval");
    // Not the sponsor, not the lab's PI: a manager of the lab (the lab's record is readable to her), who may approve.
    expect(await page.getByRole('region', { name: 'Lab' }).textContent()).toContain('Quad Genetics Lab');
    expect(await page.locator('dt:text-is("On-Quad or off-Quad") + dd strong').textContent()).toBe('On-Quad');
    await page.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => page.locator('.actions > .outcome').textContent(), { timeout: 20_000 }).toBe('Approved: the O2 account is active.');
    expect(await badge(page)).toBe('Active');
    // The manager is told how the student logs in, not addressed as if she were the one logging in.
    expect(await page.locator('.login-box').count()).toBe(0);
    expect((await page.locator('.step').textContent())?.replace(/\s+/g, ' ')).toContain(`${STUDENT.name} logs in to o2.hms.harvard.edu as ${STUDENT.hmsAccountId}, the HMS account ID.`);
    expect(await page.locator('.timeline').textContent()).not.toContain('RC Core');
    await checkPage(page, 'on-quad-approved-by-manager');
  });

  it('an off-Quad account expiring shows it; once expired, the user asks the RC Core to renew it (the PI in cc) and the RC Core sees it in its queue', async () => {
    const labs = await journey.sys.as<{ items: { labId: string; name: string }[] }>(PI.huid, 'GET', '/v1/labs');
    const labId = labs.body.items.find((l) => l.name === LAB)!.labId;
    const id = await activeO2(PI.huid, TERM.huid, labId, true);

    await journey.sys.advanceTo('2027-02-22T15:00:00.000Z');
    const tess = await open('term');
    const page = tess.page;
    await page.goto(`${journey.pages}o2-accounts/${id}`);
    await tess.signInAs(`Sign in as ${TERM.name}`);
    await expect.poll(() => page.locator('.status-line').textContent()).toBe('ActiveActive, expiring soon');
    expect(await page.locator('.step').textContent()).toContain('The O2 account expires with the HMS account on Fri, Feb 26, 2027');
    await checkPage(page, 'expiring');

    await journey.sys.advanceTo('2027-02-28T15:00:00.000Z');
    await page.goto(`${journey.pages}o2-accounts/${id}`);
    await expect.poll(() => badge(page)).toBe('Expired');
    const renew = page.getByRole('group', { name: 'Renew the O2 account' });
    expect(await renew.textContent()).toContain('This emails the RC Core (rccore@hms.harvard.edu) with the lab\'s PI in cc');
    await checkPage(page, 'expired');
    await renew.getByLabel('Note to the RC Core (optional)').fill('Still imaging through June.');
    await renew.getByRole('button', { name: 'Ask the RC Core to renew' }).click();
    await expect.poll(() => page.locator('.actions > .outcome').textContent(), { timeout: 20_000 }).toBe('Renewal requested: rccore@hms.harvard.edu was emailed with the PI in cc.');
    await expect.poll(() => badge(page)).toBe('Renewal requested');
    await checkPage(page, 'renewal-requested');

    const mail = await mailTo(RC_CORE_EMAIL, new RegExp(`^Renew the HMS ID and O2 account of ${TERM.name}$`));
    expect(mail.destination.cc).toContain(PI.email);
    const rc = journey.person('rc-core').page;
    await rc.goto(linkIn(mail, 'Complete the renewal'));
    await expect.poll(() => badge(rc)).toBe('Renewal requested');
    expect(await rc.getByRole('group', { name: 'Complete the renewal (RC Core)' }).count()).toBe(1);
    await checkPage(rc, 'renewal-as-rc-core');
  });

  it('no page raised an error', () => {
    expect(journey.people.flatMap((p) => p.errors)).toEqual([]);
  });
});
