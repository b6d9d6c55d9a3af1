import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as client from 'openid-client';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { mailedLink, SUBJECTS } from './mail-inbox.js';
import { newAccount, PASSWORD, type TestAccount } from './gateway-client.js';
import {
  authorizationRequest,
  discover,
  newRegisteredApp,
  type RegisteredApp,
  redeem,
} from './oidc-fixtures.js';

// The sign-in and consent pages in a real browser (headless Chromium): the forms submit under the gateway's
// content security policy, and the browser ends at the app's redirect URI with a code the app can redeem.

const NEW_PASSWORD = 'chosen after forgetting';
let app: RegisteredApp;
let subscriber: TestAccount;
let config: client.Configuration;
let browser: Browser;

beforeAll(async () => {
  [app, subscriber, browser] = await Promise.all([
    newRegisteredApp('pages'),
    newAccount('pages-subscriber'),
    launchBrowser(),
  ]);
  config = await discover(app);
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

/** A fresh browser profile whose requests to the app's origin are answered here (the app is not running). */
async function appBrowser(): Promise<{ context: BrowserContext; page: Page; policyViolations: string[] }> {
  const context = await browser.newContext();
  await context.route(`${new URL(app.redirectUri).origin}/**`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<p>the app got the code</p>' }),
  );
  const page = await context.newPage();
  const policyViolations: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) policyViolations.push(message.text());
  });
  return { context, page, policyViolations };
}

describe('the sign-in pages in Chromium', () => {
  it('signs in, asks consent, and returns to the app with a code it redeems', async () => {
    const { context, page, policyViolations } = await appBrowser();
    const request = await authorizationRequest(config, app.redirectUri);

    await page.goto(request.url.href);
    expect(await page.title()).toBe('Sign in with OneCommons · OneCommons');
    await expect(page.getByText('pages app').textContent()).resolves.toBe('pages app');
    await page.getByLabel('Email').fill(subscriber.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    const asked = await page.locator('ul.scopes li').allTextContents();
    expect(asked).toEqual(
      expect.arrayContaining([
        'Know who you are on OneCommons (your subscriber id)',
        'Your email address, and whether it is verified',
        'Your plan (free or premium) and its status',
      ]),
    );
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.href.startsWith(app.redirectUri));

    const callback = new URL(page.url());
    const tokens = await redeem(config, callback, request);
    expect(tokens.claims()?.sub).toBe(subscriber.id);
    expect(policyViolations).toEqual([]);
    await context.close();
  });

  it('shows a wrong password on the page, keeps the email, and stays on the sign-in step', async () => {
    const { context, page, policyViolations } = await appBrowser();
    const request = await authorizationRequest(config, app.redirectUri);

    await page.goto(request.url.href);
    await page.getByLabel('Email').fill(subscriber.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();

    await expect(page.getByRole('alert').textContent()).resolves.toBe('The email or password is incorrect.');
    expect(await page.getByLabel('Email').inputValue()).toBe(subscriber.email);
    expect(policyViolations).toEqual([]);
    await context.close();
  });

  it('takes a subscriber who forgot their password from the sign-in page, through the mailed link, back into the app', async () => {
    const forgetful = await newAccount('pages-forgetful');
    const { context, page, policyViolations } = await appBrowser();
    const request = await authorizationRequest(config, app.redirectUri);
    await page.goto(request.url.href);

    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill(forgetful.email);
    await page.getByRole('button', { name: 'Mail me a link' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();

    await page.goto(await mailedLink(forgetful.email, SUBJECTS.reset, 'reset-password'));
    await page.locator('#password').fill(NEW_PASSWORD);
    await page.locator('#confirmation').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set my new password' }).click();
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();

    await page.goto(request.url.href);
    await page.getByLabel('Email').fill(forgetful.email);
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.href.startsWith(app.redirectUri));
    const tokens = await redeem(config, new URL(page.url()), request);
    expect(tokens.claims()).toMatchObject({ sub: forgetful.id, email_verified: true });
    expect(policyViolations).toEqual([]);
    await context.close();
  });

  it('returns access_denied to the app when the subscriber denies', async () => {
    const { context, page } = await appBrowser();
    const request = await authorizationRequest(config, app.redirectUri);

    await page.goto(request.url.href);
    await page.getByLabel('Email').fill(subscriber.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.waitForURL((url) => url.href.startsWith(app.redirectUri));

    expect(new URL(page.url()).searchParams.get('error')).toBe('access_denied');
    await context.close();
  });
});
