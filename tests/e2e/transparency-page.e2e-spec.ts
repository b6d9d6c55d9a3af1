import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, testStack } from '@onecommons/testing';
import pg from 'pg';
import { type Browser } from 'playwright-core';
import { launchBrowser } from './browser.js';
import {
  call,
  closePeriod,
  newAccount,
  newOperatedService,
  newOrganization,
  platformAdmin,
  type TestAccount,
} from './gateway-client.js';
import { suiteFetch } from './suite-address.js';
import { PAST_PERIODS, publishPastPeriod } from './past-periods.js';

// Issue #23: anyone can check a closed period without an API client. A past period of this suite alone is
// closed (two operators' services, two paying subscribers); its public page, through the gateway, shows the
// root; an operator pastes its own statement into the page in headless Chromium and sees it verified against
// the published root, then the same with its amount raised by one and sees it refused.
// TRANSPARENCY_SCREENSHOT=<file> also saves the verified page there (docs/images/transparency-page.png).

const gateway = testStack().gatewayUrl;
const database = new pg.Pool({ connectionString: testStack().postgresAdminUrl, max: 2 });
/** A past period of this suite alone (the e2e topics and databases are fresh each run). */
const PAST = PAST_PERIODS.transparency;
const METER = `transparency_seconds_${randomUUID().slice(0, 8)}`;
const PAGE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

let browser: Browser;
let operator: TestAccount;
let operatorOrg: string;
let statement: Record<string, unknown>;

/** Two paying subscribers used both services in the period (as identity and metering would publish it). */
async function publishPeriod(services: readonly string[]): Promise<void> {
  await publishPastPeriod(
    PAST,
    ['1000', '700'].map((amountMinor, index) => ({
      amountMinor,
      usage: services.map((serviceId, line) => ({
        serviceId,
        meter: METER,
        quantity: String(600 - 250 * line + 40 * index),
      })),
    })),
  );
}

beforeAll(async () => {
  browser = await launchBrowser();
  const admin = await platformAdmin();
  const meter = await call('PUT', `/api/catalog/v1/meters/${METER}`, {
    credential: admin.token,
    body: { weight: '1' },
  });
  expect(meter.status).toBe(200);
  operator = await newAccount('transparency-operator');
  operatorOrg = await newOrganization(operator, 'operator');
  const otherOperator = await newAccount('transparency-other-operator');
  const otherOrg = await newOrganization(otherOperator, 'operator');
  const services = [
    await newOperatedService(operator, operatorOrg),
    await newOperatedService(otherOperator, otherOrg),
  ];
  // The close weighs usage only of meters and services the ledger knows (catalog's events reach it a moment later).
  await eventually('the ledger to know the meter and both services', async () => {
    const known = await database.query<{ services: number; meters: number }>(
      `SELECT (SELECT count(*)::int FROM ledger.services WHERE service_id = ANY($1::uuid[])) AS services,
              (SELECT count(*)::int FROM ledger.meters WHERE name = $2) AS meters`,
      [services, METER],
    );
    const [row] = known.rows;
    return row?.services === services.length && row.meters === 1 ? true : undefined;
  });
  await publishPeriod(services);
  await eventually('the ledger to apply the period’s payments and usage', async () => {
    const view = await call<{ subscribers: number; usage: { rows: number } }>(
      'GET',
      `/api/ledger/v1/periods/${PAST}`,
      { credential: admin.token },
    );
    return view.body.subscribers >= 2 && view.body.usage.rows >= 4 ? true : undefined;
  });
  expect((await closePeriod(admin.token, PAST)).status).toBe(200);
  const own = await call<Record<string, unknown>>(
    'GET',
    `/api/ledger/v1/statements/accounts/operator:${operatorOrg}?period=${PAST}`,
    { credential: operator.token },
  );
  expect(own.status).toBe(200);
  statement = own.body;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await database.end();
});

describe('the transparency pages through the gateway', () => {
  it('are public at /transparency/, with a policy of their own', async () => {
    const bare = await suiteFetch(`${gateway}/transparency`);
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/transparency/');
    const index = await suiteFetch(`${gateway}/transparency/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain(`href="/transparency/${PAST}"`);
    const period = await suiteFetch(`${gateway}/transparency/${PAST}`);
    // The page runs no script but its own file.
    expect([...(await period.text()).matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag)).toEqual([
      '<script type="module" src="/transparency/assets/verify.js">',
    ]);
    for (const response of [index, period]) {
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toBe(PAGE_POLICY);
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
    const script = await suiteFetch(`${gateway}/transparency/assets/verify.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const malformed = await suiteFetch(`${gateway}/transparency/2024-13`);
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain('data-field="period"');
    expect((await suiteFetch(`${gateway}/transparency/2999-01`)).status).toBe(404);
  });

  it('verify a holder’s pasted statement in Chromium against the published root, and refuse it changed by one', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));

    const answer = await page.goto(`${gateway}/transparency/${PAST}`);
    expect(answer?.status()).toBe(200);
    const root = statement['merkleRoot'] as string;
    await expect(page.locator(`[data-merkle-root="${root}"]`).count()).resolves.toBe(1);

    const paste = async (value: unknown, verdict: string) => {
      await page.getByLabel('Your statement or proof (JSON)').fill(JSON.stringify(value, null, 2));
      await page.getByRole('button', { name: 'Verify in this browser' }).click();
      await page.locator(`#proof-verdict[data-verdict="${verdict}"]`).waitFor();
      return page.locator('#proof-verdict').textContent();
    };

    const verified = await paste(statement, 'verified');
    expect(verified).toContain(`Verified: the proof leads to the root of the close of ${PAST}.`);
    expect(verified).toContain(`operator:${operatorOrg} received ${String(statement['amount'])} uCC`);
    const screenshot = process.env['TRANSPARENCY_SCREENSHOT'];
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });

    const raised = { ...statement, amount: (BigInt(statement['amount'] as string) + 1n).toString() };
    await expect(paste(raised, 'not-verified')).resolves.toContain('Does not verify');
    await expect(paste({ ...statement, proof: { steps: 'none' } }, 'invalid')).resolves.toContain(
      '`proof.steps` must be a list',
    );
    // Everything loaded and ran under the page's policy: no violation, no error.
    expect(problems).toEqual([]);
    await context.close();
  });
});
