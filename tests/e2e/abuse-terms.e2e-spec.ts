import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { nextPeriod, periodOf } from '@onecommons/contracts';
import { eventually, testStack } from '@onecommons/testing';
import pg from 'pg';
import {
  call,
  closePeriod,
  newAccount,
  newOrganization,
  platformAdmin,
  type TestAccount,
} from './gateway-client.js';
import { PAST_PERIODS, publishPastPeriod } from './past-periods.js';

// Issue #18, as an outsider who signed up would try it through the gateway: nobody steers another party's money.
// A sock-puppet operator binding every operator of its project to 100%, an operator cutting out the providers of
// a running service, and reading other payees' earnings: each refused with a code, or deferred to the next period
// with a notice, and nothing changed for the running period.

const CATALOG = '/api/catalog/v1';
const LEDGER = '/api/ledger/v1';
const database = new pg.Pool({ connectionString: testStack().postgresAdminUrl, max: 2 });
const thisPeriod = periodOf(new Date());
const next = nextPeriod(thisPeriod);
/** A past period of this suite alone (e2e topics are fresh each run), closed by force with synthetic payments. */
const PAST = PAST_PERIODS.abuseTerms;
const serviceType = `web-${randomUUID().slice(0, 8)}`;
const meter = `active_seconds_${randomUUID().slice(0, 8)}`;

let admin: TestAccount;
let attacker: TestAccount;
let attackerProjectOrg: string;
let puppetOperator: string;
let attackerProject: string;
let honestOperator: TestAccount;
let honestOperatorOrg: string;
let honestDeveloper: TestAccount;
let honestDeveloperOrg: string;
let honestProject: string;
let honestService: string;

async function newApp(owner: TestAccount, organizationId: string): Promise<string> {
  const app = await call<{ id: string }>('POST', `${CATALOG}/organizations/${organizationId}/apps`, {
    credential: owner.token,
    body: { name: `App ${randomUUID()}`, repositoryUrl: 'https://codeberg.org/app/app', license: 'MIT' },
  });
  expect(app.status).toBe(201);
  return app.body.id;
}

async function newProject(owner: TestAccount, organizationId: string): Promise<string> {
  const project = await call<{ id: string }>('POST', `${CATALOG}/organizations/${organizationId}/projects`, {
    credential: owner.token,
    body: { name: `Project ${randomUUID()}` },
  });
  expect(project.status).toBe(201);
  return project.body.id;
}

async function newService(owner: TestAccount, operatorId: string, appId: string, projectId: string) {
  const service = await call<{ id: string }>('POST', `${CATALOG}/organizations/${operatorId}/services`, {
    credential: owner.token,
    body: { appId, projectId, type: serviceType, domain: `s-${randomUUID().slice(0, 12)}.example.org` },
  });
  expect(service.status).toBe(201);
  return service.body.id;
}

/** The ledger's terms for a service or agreement, by the period they apply from (its projection). */
async function ledgerTerms(table: 'service_terms' | 'agreement_terms', id: string) {
  const key = table === 'service_terms' ? 'service_id' : 'agreement_id';
  return (
    await database.query<Record<string, unknown>>(
      `SELECT * FROM ledger.${table} WHERE ${key} = $1 ORDER BY effective_from`,
      [id],
    )
  ).rows;
}

async function noticesOf(type: string, key: string) {
  return (
    await database.query<{ payload: string }>(
      'SELECT payload FROM catalog.outbox WHERE event_type = $1 AND message_key = $2 ORDER BY id',
      [type, key],
    )
  ).rows.map((row) => JSON.parse(row.payload).data as Record<string, unknown>);
}

beforeAll(async () => {
  admin = await platformAdmin();
  for (const [path, body] of [
    [`${CATALOG}/service-types/${serviceType}`, { providerBps: 3000, developerBps: 2000 }],
    [`${CATALOG}/meters/${meter}`, { weight: '1' }],
  ] as const)
    expect((await call('PUT', path, { credential: admin.token, body })).status).toBe(200);

  attacker = await newAccount('attacker');
  attackerProjectOrg = await newOrganization(attacker, 'developer');
  puppetOperator = await newOrganization(attacker, 'operator');
  attackerProject = await newProject(attacker, attackerProjectOrg);

  honestDeveloper = await newAccount('honest-developer');
  honestDeveloperOrg = await newOrganization(honestDeveloper, 'developer');
  honestProject = await newProject(honestDeveloper, honestDeveloperOrg);
  honestOperator = await newAccount('honest-operator');
  honestOperatorOrg = await newOrganization(honestOperator, 'operator');
  const app = await newApp(honestDeveloper, honestDeveloperOrg);
  honestService = await newService(honestOperator, honestOperatorOrg, app, honestProject);
  // An honest operator also runs the attacker's project's app: the money a binding 100% share would take.
  await newService(honestOperator, honestOperatorOrg, app, attackerProject);
});

afterAll(async () => {
  await database.end();
});

describe('a sock-puppet operator', () => {
  it('cannot bind every operator of its project to a 100% share, and a genuine binding waits for the next period', async () => {
    const offered = await call<{ id: string }>(
      'POST',
      `${CATALOG}/organizations/${puppetOperator}/agreements`,
      {
        credential: attacker.token,
        body: { projectId: attackerProject, developerBps: 10_000 },
      },
    );
    expect(offered).toMatchObject({ status: 200, body: { developerBps: 10_000, binding: false } });
    const bind = `${CATALOG}/organizations/${attackerProjectOrg}/projects/${attackerProject}/agreements/${offered.body.id}`;
    expect(await call('PATCH', bind, { credential: attacker.token, body: { binding: true } })).toMatchObject({
      status: 409,
      body: { error: { code: 'operator_runs_no_service_of_project', field: 'binding' } },
    });
    // Only an admin may approve it instead.
    expect(
      (
        await call('POST', `${CATALOG}/agreements/${offered.body.id}/binding-approval`, {
          credential: attacker.token,
        })
      ).status,
    ).toBe(403);
    const listed = await call<{ items: { id: string; binding: boolean; scheduledTerms: unknown }[] }>(
      'GET',
      `${CATALOG}/projects/${attackerProject}/agreements`,
      { credential: honestOperator.token },
    );
    expect(listed.body.items).toEqual([
      expect.objectContaining({ id: offered.body.id, binding: false, scheduledTerms: null }),
    ]);

    // Even once the puppet runs a service of the project, binding the others applies only from the next period,
    // with a notice (a webhook every operator may subscribe to).
    await newService(attacker, puppetOperator, await newApp(attacker, attackerProjectOrg), attackerProject);
    expect(await call('PATCH', bind, { credential: attacker.token, body: { binding: true } })).toMatchObject({
      status: 200,
      body: { binding: false, scheduledTerms: { binding: true, developerBps: 10_000, effectiveFrom: next } },
    });
    expect(await noticesOf('onecommons.catalog.agreement.terms-scheduled.v1', attackerProject)).toEqual([
      expect.objectContaining({
        agreementId: offered.body.id,
        effectiveFrom: next,
        binding: true,
        previousBinding: false,
        cuts: ['operators'],
      }),
    ]);
    // The ledger keeps the running period's terms (not binding) and the binding from the next period.
    const terms = await eventually('the ledger to record the scheduled binding', async () => {
      const rows = await ledgerTerms('agreement_terms', offered.body.id);
      return rows.some((row) => row['effective_from'] === next) ? rows : undefined;
    });
    expect(terms).toEqual([
      expect.objectContaining({ effective_from: thisPeriod, binding: false }),
      expect.objectContaining({ effective_from: next, binding: true, developer_bps: 10_000 }),
    ]);
  });
});

describe('an operator', () => {
  it('cannot cut the providers of a running service out of the running period: the cut waits, with notice', async () => {
    const service = await newService(
      attacker,
      puppetOperator,
      await newApp(attacker, attackerProjectOrg),
      attackerProject,
    );
    // Nobody else may touch it at all.
    expect(
      await call('PATCH', `${CATALOG}/organizations/${honestOperatorOrg}/services/${service}`, {
        credential: honestOperator.token,
        body: { providerBps: 0 },
      }),
    ).toMatchObject({ status: 404, body: { error: { code: 'service_not_found' } } });
    expect(
      await call('PATCH', `${CATALOG}/organizations/${puppetOperator}/services/${service}`, {
        credential: attacker.token,
        body: { providerBps: 0 },
      }),
    ).toMatchObject({
      status: 200,
      body: { providerBps: null, scheduledTerms: { providerBps: 0, effectiveFrom: next } },
    });
    expect(await noticesOf('onecommons.catalog.service.terms-scheduled.v1', service)).toEqual([
      expect.objectContaining({
        serviceId: service,
        effectiveFrom: next,
        providerBps: 0,
        previousProviderBps: null,
        cuts: ['providers'],
      }),
    ]);
    const types = await call<{ items: { type: string; audience: string }[] }>(
      'GET',
      '/api/webhooks/v1/event-types',
    );
    expect(types.body.items).toContainEqual(
      expect.objectContaining({
        type: 'onecommons.catalog.service.terms-scheduled.v1',
        audience: 'everyone',
      }),
    );
    const terms = await eventually('the ledger to record the scheduled cut', async () => {
      const rows = await ledgerTerms('service_terms', service);
      return rows.some((row) => row['effective_from'] === next) ? rows : undefined;
    });
    expect(terms).toEqual([
      expect.objectContaining({ effective_from: thisPeriod, provider_bps: null }),
      expect.objectContaining({ effective_from: next, provider_bps: 0 }),
    ]);
  });
});

describe('earnings', () => {
  it('are private to their holders: an outsider reads only the public part of a closed period', async () => {
    // Two paying subscribers used the honest operator's service in a past period (synthetic facts on the topics,
    // as identity and metering would publish them); the admin closes it.
    const subscriber = { amountMinor: '1000', usage: [{ serviceId: honestService, meter, quantity: '600' }] };
    await publishPastPeriod(PAST, [subscriber, subscriber]);
    await eventually('the ledger to apply the period’s payments and usage', async () => {
      const view = await call<{ subscribers: number; usage: { rows: number } }>(
        'GET',
        `${LEDGER}/periods/${PAST}`,
        {
          credential: admin.token,
        },
      );
      return view.body.subscribers >= 2 && view.body.usage.rows >= 2 ? true : undefined;
    });
    expect((await closePeriod(admin.token, PAST)).status).toBe(200);

    type Allocation = {
      total: string;
      merkleRoot: string;
      allocations: { account: string; amount: string }[];
    };
    const read = async (account: TestAccount) =>
      (await call<Allocation>('GET', `${LEDGER}/periods/${PAST}/allocations`, { credential: account.token }))
        .body;
    const all = await read(admin);
    const operatorRow = `operator:${honestOperatorOrg}`;
    const escrowRow = `escrow:${honestProject}`;
    expect(all.allocations.map((row) => row.account)).toEqual(
      expect.arrayContaining(['fund:general', operatorRow, escrowRow]),
    );
    const outsider = await read(attacker);
    expect(outsider).toMatchObject({ total: all.total, merkleRoot: all.merkleRoot });
    expect(outsider.allocations.map((row) => row.account)).toEqual(['fund:general']);
    expect((await read(honestOperator)).allocations.map((row) => row.account)).toEqual([
      'fund:general',
      operatorRow,
    ]);
    expect((await read(honestDeveloper)).allocations.map((row) => row.account)).toEqual([
      escrowRow,
      'fund:general',
    ]);

    for (const path of [
      `${LEDGER}/periods/${PAST}/proofs/${operatorRow}`,
      `${LEDGER}/statements/accounts/${operatorRow}?period=${PAST}`,
      `${LEDGER}/periods/${PAST}/proofs/${escrowRow}`,
    ])
      expect(await call('GET', path, { credential: attacker.token })).toMatchObject({
        status: 403,
        body: { error: { code: 'earnings_private', field: 'account' } },
      });
    expect(
      (await call('GET', `${LEDGER}/periods/${PAST}/input`, { credential: attacker.token })).status,
    ).toBe(403);
    expect(
      (
        await call('GET', `${LEDGER}/periods/${PAST}/proofs/${operatorRow}`, {
          credential: honestOperator.token,
        })
      ).status,
    ).toBe(200);
    // Public: the total, the Merkle root and what each role received in total.
    expect(await call('GET', `${LEDGER}/periods/${PAST}`, { credential: attacker.token })).toMatchObject({
      status: 200,
      body: { status: 'closed', merkleRoot: all.merkleRoot, roles: { fund: expect.any(String) } },
    });
  });
});
