import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, type Page, type Response } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { call, newAccount, PASSWORD } from './gateway-client.js';
import { mailedLink, SUBJECTS } from './mail-inbox.js';

/**
 * The pages emailed links open, in a real (headless) Chromium through the gateway: what a person sees and
 * types, under the gateway's page policy (no script; forms to this origin only).
 */
const NEW_PASSWORD = 'typed in a real browser';
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
});

/** The answer to the page's form post, once its document loaded. */
async function submitted(on: Page): Promise<Response> {
  const response = await on.waitForResponse((candidate) => candidate.request().method() === 'POST');
  await on.waitForLoadState('load');
  return response;
}

const loginStatus = async (email: string, password: string) =>
  (await call('POST', '/api/identity/v1/sessions', { body: { email, password } })).status;

describe('the password reset page', () => {
  it('sets the password typed twice in the browser; the old one stops working', async () => {
    const account = await newAccount('browser-reset');
    expect(
      (await call('POST', '/api/identity/v1/accounts/password-reset', { body: { email: account.email } }))
        .status,
    ).toBe(202);
    const link = await mailedLink(account.email, SUBJECTS.reset, 'reset-password');

    const opened = await page.goto(link);
    expect(opened?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Choose a new password');

    // Two different passwords: the page says so and keeps the link usable.
    await page.fill('#password', NEW_PASSWORD);
    await page.fill('#confirmation', `${NEW_PASSWORD} but not quite`);
    const [refused] = await Promise.all([submitted(page), page.click('button[type=submit]')]);
    expect(refused.status()).toBe(400);
    expect(await page.locator('[role=alert]').textContent()).toContain('The two passwords differ.');
    expect(await loginStatus(account.email, PASSWORD)).toBe(201);

    await page.fill('#password', NEW_PASSWORD);
    await page.fill('#confirmation', NEW_PASSWORD);
    const [done] = await Promise.all([submitted(page), page.click('button[type=submit]')]);
    expect(done.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Password changed');

    expect(await loginStatus(account.email, NEW_PASSWORD)).toBe(201);
    expect(await loginStatus(account.email, PASSWORD)).toBe(401);

    // The link is spent: opening it again shows why it no longer works.
    const again = await page.goto(link);
    expect(again?.status()).toBe(400);
    expect(await page.locator('h1').textContent()).toBe('This link does not work');
  });
});

describe('the email verification page', () => {
  it('confirms the address only when the button is pressed', async () => {
    const account = await newAccount('browser-verify');
    const link = await mailedLink(account.email, SUBJECTS.verification, 'verify-email');
    await page.goto(link);
    expect(await page.locator('h1').textContent()).toBe('Confirm your email address');
    const me = () =>
      call<{ emailVerified: boolean }>('GET', '/api/identity/v1/accounts/me', { credential: account.token });
    expect((await me()).body.emailVerified).toBe(false); // opening the link changed nothing

    const [done] = await Promise.all([submitted(page), page.click('button[type=submit]')]);
    expect(done.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Email address confirmed');
    expect((await me()).body.emailVerified).toBe(true);
  });
});
