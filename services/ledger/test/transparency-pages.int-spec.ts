import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { verifyPastedProof } from '@onecommons/allocation';
import {
  ClosedPeriodUsageCorrectedV1,
  ContractVersionPublishedV1,
  createEvent,
  MeterDefinedV1,
  ProjectCreatedV1,
  ProjectDependenciesSetV1,
  ResourceUsageReportedV1,
  ServiceCreatedV1,
  ServiceTypeDefinedV1,
  uuidV7,
} from '@onecommons/contracts';
import { eventually, jsonRequest, RawProducer, type RunningService, startService } from '@onecommons/testing';
import { type LedgerConfig } from '../src/config.js';
import { ledgerService } from '../src/ledger.definition.js';
import { roleTotals } from '../src/periods/earnings-visibility.js';
import {
  caughtUp,
  NO_SCHEDULED_CLOSES,
  paymentCaptured,
  publish,
  testCurrency,
  usageRecorded,
} from './ledger-events.js';
import { LedgerIdentity } from './ledger-identity.js';
import { MeteringStandIn, sealAndClose } from './metering-stand-in.js';

// The public transparency pages (docs/transparency.md): a closed period's public result for anyone, without
// signing in, as HTML; never one party's amount (docs/privacy.md); a project's name is text, never markup; an
// adjustment's root appears as soon as it is made; a real holder's proof verifies against the published roots.

const PERIOD = '2023-09';
const CUR = testCurrency();
const catalog = { source: '/onecommons/catalog' };
const HOSTILE_NAME = `<script>alert("pwned ${uuidV7().slice(-6)}")</script>`;
const LIBRARY_NAME = `Left-pad & co ${uuidV7().slice(-6)}`;
const UNFUNDED_NAME = `Unfunded ${uuidV7().slice(-6)}`;
/** Requests a minute the test's ledger allows one address on the pages: the last test spends them. */
const PAGE_LIMIT = 40;

let accounts: LedgerIdentity;
let ledger: RunningService<LedgerConfig>;
let producer: RawProducer;
let adminToken: string;
let memberToken: string;

const ids = {
  type: `web-${uuidV7().slice(-8)}`,
  meter: `seconds_${uuidV7().slice(-8)}`,
  app: uuidV7(),
  library: uuidV7(),
  unfunded: uuidV7(),
  developerOrg: uuidV7(),
  member: '',
  contributor: uuidV7(),
  provider: uuidV7(),
  appService: { service: uuidV7(), operator: uuidV7() },
  plainService: { service: uuidV7(), operator: uuidV7() },
  heavy: uuidV7(),
  light: uuidV7(),
};

const ledgerApi = (pathname: string) => `${ledger.url}/api/ledger/v1${pathname}`;

async function getPage(pathname: string) {
  const response = await fetch(`${ledger.url}/api/ledger/transparency${pathname}`);
  return { response, text: await response.text() };
}

function service(entry: { service: string; operator: string }, projectId: string | null) {
  return createEvent(
    ServiceCreatedV1,
    {
      serviceId: entry.service,
      operatorId: entry.operator,
      appId: uuidV7(),
      projectId,
      type: ids.type,
      domain: `${entry.service}.example.org`,
      providerBps: null,
      developerBps: null,
      status: 'active',
    },
    catalog,
  );
}

const project = (projectId: string, name: string) =>
  createEvent(
    ProjectCreatedV1,
    { projectId, organizationId: ids.developerOrg, name, packageNames: [] },
    catalog,
  );

const usage = (subscriberId: string, serviceId: string, quantity: string) =>
  usageRecorded({ subscriberId, period: PERIOD, serviceId, meter: ids.meter }, quantity);

type Allocation = { total: string; merkleRoot: string; allocations: { account: string; amount: string }[] };
let allocation: Allocation;

beforeAll(async () => {
  accounts = await LedgerIdentity.start();
  ledger = await startService(ledgerService, {
    env: {
      LEDGER_CURRENCY: CUR,
      LEDGER_TRANSPARENCY_RATE_LIMIT_PER_MINUTE: String(PAGE_LIMIT),
      ...accounts.ledgerEnv,
      ...NO_SCHEDULED_CLOSES,
    },
  });
  producer = await RawProducer.connect();
  adminToken = accounts.adminToken;
  memberToken = await accounts.login('member');
  ids.member = await accounts.accountId(memberToken);

  await publish(producer, [
    createEvent(ServiceTypeDefinedV1, { name: ids.type, providerBps: 3000, developerBps: 2000 }, catalog),
    createEvent(MeterDefinedV1, { name: ids.meter, weight: '1' }, catalog),
    project(ids.app, HOSTILE_NAME),
    project(ids.library, LIBRARY_NAME),
    project(ids.unfunded, UNFUNDED_NAME),
    // The app's project passes a quarter of its developer share to the library, which has no members (an escrow).
    createEvent(
      ContractVersionPublishedV1,
      {
        projectId: ids.app,
        version: 1,
        effectiveFrom: PERIOD,
        dependenciesBps: 2500,
        members: [
          { account: ids.member, weight: '3' },
          { account: ids.contributor, weight: '2' },
        ],
      },
      catalog,
    ),
    createEvent(
      ProjectDependenciesSetV1,
      { projectId: ids.app, dependencies: [{ project: ids.library, weight: '1' }] },
      catalog,
    ),
    service(ids.appService, ids.app),
    service(ids.plainService, null),
    createEvent(
      ResourceUsageReportedV1,
      {
        serviceId: ids.appService.service,
        providerId: ids.provider,
        period: PERIOD,
        points: '5000',
        uptimeSeconds: '100',
        reportedAt: new Date().toISOString(),
      },
      { source: '/onecommons/provisioner' },
    ),
    usage(ids.heavy, ids.appService.service, '600'),
    usage(ids.heavy, ids.plainService.service, '300'),
    usage(ids.light, ids.appService.service, '60'),
    usage(ids.light, ids.plainService.service, '100'),
    paymentCaptured({ subscriber: ids.heavy, period: PERIOD, amountMinor: '1000', currency: CUR }),
    paymentCaptured({ subscriber: ids.light, period: PERIOD, amountMinor: '700', currency: CUR }),
  ]);
  await caughtUp(ledger);
});

afterAll(async () => {
  await producer.stop();
  await ledger.stop();
  await accounts.stop();
});

describe('before the close', () => {
  it('answers a period that is not closed with a 404 page, and a malformed one with a 400 page', async () => {
    const open = await getPage(`/${PERIOD}`);
    expect(open.response.status).toBe(404);
    expect(open.response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(open.text).toContain('data-code="period_not_closed"');
    for (const malformed of ['2023-13', 'latest', '2023-9', '%3Cscript%3E']) {
      const page = await getPage(`/${malformed}`);
      expect({ malformed, status: page.response.status }).toEqual({ malformed, status: 400 });
      expect(page.response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.text).toContain('data-field="period"');
      expect(page.text).not.toContain('<script>');
    }
    expect((await getPage('')).text).toContain('No period is closed yet.');
  });
});

describe('a closed period', () => {
  beforeAll(async () => {
    await sealAndClose(ledger, new MeteringStandIn(producer), PERIOD);
    allocation = (
      await jsonRequest<Allocation>(ledgerApi(`/periods/${PERIOD}/allocations`), 'GET', {
        credential: adminToken,
      })
    ).body;
  });

  it('is listed, and its page shows the total, root, role totals and the flow through dependencies to anyone', async () => {
    const index = await getPage('');
    expect(index.response.status).toBe(200);
    expect(index.text).toContain(`href="/transparency/${PERIOD}"`);
    expect(index.text).toContain(allocation.merkleRoot);

    const page = await getPage(`/${PERIOD}`);
    expect(page.response.status).toBe(200);
    expect(page.response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.response.headers.get('cache-control')).toBe('public, max-age=60');
    expect(page.text).toContain(
      `data-merkle-root="${allocation.merkleRoot}" data-root-label="the close of ${PERIOD}"`,
    );
    expect(page.text).toContain(`<data value="${allocation.total}">`);
    const roles = roleTotals(allocation.allocations);
    for (const [role, amount] of Object.entries(roles))
      expect(page.text).toMatch(new RegExp(`data-role="${role}">[\\s\\S]*?<data value="${amount}">`));
    // The app's project received the developer share (level 0) and passed a quarter of it on (level 1).
    expect(page.text).toContain('data-level="0"');
    expect(page.text).toContain('data-level="1"');
    expect(page.text).toContain('&lt;script&gt;alert(&quot;pwned');
    expect(page.text).not.toContain(HOSTILE_NAME);
    expect(page.text).toContain(LIBRARY_NAME.replace('&', '&amp;'));
    expect(page.text).not.toContain(UNFUNDED_NAME);
  });

  it('shows no one’s own amount: no member, operator or provider row, nor any other amount not public', async () => {
    const page = await getPage(`/${PERIOD}`);
    const shown = new Set([...page.text.matchAll(/<data value="(-?\d+)">/g)].map(([, amount]) => amount));
    const rows = allocation.allocations.filter((row) => row.account !== 'fund:general');
    expect(rows.map((row) => row.account.split(':')[0])).toEqual(
      expect.arrayContaining(['member', 'operator', 'provider', 'escrow']),
    );
    // Every amount on the page is a sum the page names; an aggregate of one party equals its row (two members, two
    // operators here: their rows are not aggregates).
    const personal = rows.filter((row) => /^(member|operator):/.test(row.account));
    expect(personal.length).toBeGreaterThanOrEqual(4);
    for (const row of personal) {
      expect({ account: row.account, shown: shown.has(row.amount) }).toEqual({
        account: row.account,
        shown: false,
      });
      expect({ account: row.account, inText: new RegExp(`\\b${row.amount}\\b`).test(page.text) }).toEqual({
        account: row.account,
        inText: false,
      });
      expect(page.text).not.toContain(row.account.split(':')[1]);
    }
  });

  it('lets a holder’s real proof verify against the roots the page publishes', async () => {
    const statement = await jsonRequest<Record<string, unknown>>(
      ledgerApi(`/statements/accounts/member:${ids.member}?period=${PERIOD}`),
      'GET',
      { credential: memberToken },
    );
    expect(statement.status).toBe(200);
    const page = await getPage(`/${PERIOD}`);
    const roots = [...page.text.matchAll(/data-merkle-root="([0-9a-f]{64})" data-root-label="([^"]+)"/g)].map(
      ([, root, label]) => ({ root: root as string, label: label as string }),
    );
    expect(await verifyPastedProof(JSON.stringify(statement.body), roots)).toMatchObject({
      ok: true,
      rows: [{ matched: { label: `the close of ${PERIOD}` } }],
    });
    const forged = { ...statement.body, amount: String(BigInt(statement.body['amount'] as string) + 1n) };
    expect(await verifyPastedProof(JSON.stringify(forged), roots)).toMatchObject({
      ok: true,
      rows: [{ matched: null }],
    });
  });

  it('shows an adjustment’s root once it is made', async () => {
    await publish(producer, [
      createEvent(
        ClosedPeriodUsageCorrectedV1,
        {
          subscriberId: ids.heavy,
          period: PERIOD,
          serviceId: ids.plainService.service,
          meter: ids.meter,
          delta: '-200',
          correction: { source: `/services/${ids.plainService.service}`, id: `c-${uuidV7()}` },
          original: { source: `/services/${ids.plainService.service}`, id: `o-${uuidV7()}`, quantity: '300' },
          correctedAt: new Date().toISOString(),
        },
        { source: '/onecommons/metering' },
      ),
    ]);
    await eventually('the ledger to hold the correction', async () => {
      const view = await jsonRequest<{ pendingCorrections: number }>(ledgerApi(`/periods/${PERIOD}`), 'GET', {
        credential: adminToken,
      });
      return view.body.pendingCorrections === 1 ? true : undefined;
    });
    const before = await getPage(`/${PERIOD}`); // cached without the adjustment
    expect(before.text).toContain('No adjustment');
    const adjusted = await jsonRequest<{ adjustment: { sequence: number; merkleRoot: string } }>(
      ledgerApi(`/periods/${PERIOD}/adjustments`),
      'POST',
      { credential: adminToken, body: { reason: 'a corrected meter reading' } },
    );
    expect(adjusted.status).toBe(200);
    const after = await getPage(`/${PERIOD}`);
    expect(after.text).toContain(
      `data-merkle-root="${adjusted.body.adjustment.merkleRoot}" data-root-label="adjustment 1 of ${PERIOD}"`,
    );
    expect(after.text).toContain(`data-merkle-root="${allocation.merkleRoot}"`);
    expect(after.text).not.toContain('a corrected meter reading'); // the reason is for the holders' statements
  });
});

describe('the page’s scripts', () => {
  it('are served as JavaScript: the page script and the verifier it imports', async () => {
    const script = await fetch(`${ledger.url}/api/ledger/transparency/assets/verify.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain("new URL('merkle-webcrypto.js', import.meta.url)");
    const verifier = await fetch(`${ledger.url}/api/ledger/transparency/assets/merkle-webcrypto.js`);
    expect(verifier.status).toBe(200);
    const body = await verifier.text();
    expect(body).toContain('crypto.subtle');
    expect(body).not.toContain('sourceMappingURL');
    expect((await fetch(`${ledger.url}/api/ledger/transparency/assets/period-closer.js`)).status).toBe(404);
  });
});

describe('abuse', () => {
  it('limits one address’s page requests, answering 429 with Retry-After', async () => {
    // Whatever the tests before spent of this minute's budget, one more than the budget is refused.
    let last: Response | undefined;
    for (let request = 0; request <= PAGE_LIMIT && last?.status !== 429; request++) {
      last = await fetch(`${ledger.url}/api/ledger/transparency/${PERIOD}`);
      await last.arrayBuffer();
    }
    expect(last?.status).toBe(429);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
