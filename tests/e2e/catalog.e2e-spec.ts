import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { nextPeriod, periodOf } from '@onecommons/contracts';
import { eventually, testStack } from '@onecommons/testing';
import pg from 'pg';
import { call, newAccount, newOrganization, platformAdmin, type TestAccount } from './gateway-client.js';

// Catalog as participants use it through the gateway, with identity's real tokens and events.

const CATALOG = '/api/catalog/v1';
const database = new pg.Pool({ connectionString: testStack().postgresAdminUrl, max: 2 });
const thisPeriod = periodOf(new Date());
const serviceType = `web-${randomUUID().slice(0, 8)}`;
const meter = `active_seconds_${randomUUID().slice(0, 8)}`;

let admin: TestAccount;
let developer: TestAccount;
let developerOrg: string;
let operator: TestAccount;
let operatorOrg: string;
let member: TestAccount;

beforeAll(async () => {
  admin = await platformAdmin();
  developer = await newAccount('developer');
  developerOrg = await newOrganization(developer, 'developer');
  operator = await newAccount('operator');
  operatorOrg = await newOrganization(operator, 'operator');
  member = await newAccount('member');
  expect(
    (
      await call('PUT', `${CATALOG}/service-types/${serviceType}`, {
        credential: admin.token,
        body: { providerBps: 3000, developerBps: 2000 },
      })
    ).status,
  ).toBe(200);
});

afterAll(async () => {
  await database.end();
});

async function newApp(): Promise<string> {
  const app = await call<{ id: string }>('POST', `${CATALOG}/organizations/${developerOrg}/apps`, {
    credential: developer.token,
    body: {
      name: `Wiki ${randomUUID()}`,
      repositoryUrl: 'https://codeberg.org/wiki/wiki',
      license: 'AGPL-3.0-only',
    },
  });
  expect(app.status).toBe(201);
  return app.body.id;
}

async function newProject(packageNames: string[] = []): Promise<string> {
  const project = await call<{ id: string }>('POST', `${CATALOG}/organizations/${developerOrg}/projects`, {
    credential: developer.token,
    body: { name: `Project ${randomUUID()}`, packageNames },
  });
  expect(project.status).toBe(201);
  return project.body.id;
}

describe('service types and meters', () => {
  it('are managed by admins only and read by every participant', async () => {
    expect(
      await call('PUT', `${CATALOG}/meters/${meter}`, { credential: developer.token, body: { weight: 1 } }),
    ).toMatchObject({ status: 403 });
    expect(
      await call('PUT', `${CATALOG}/meters/${meter}`, { credential: admin.token, body: { weight: '2' } }),
    ).toMatchObject({ status: 200, body: { name: meter, weight: '2' } });
    expect(
      await call('PUT', `${CATALOG}/meters/Bad-Name`, { credential: admin.token, body: { weight: 1 } }),
    ).toMatchObject({ status: 400, body: { error: { field: 'name' } } });
    expect(
      await call('PUT', `${CATALOG}/service-types/${serviceType}`, {
        credential: admin.token,
        body: { providerBps: 10_001, developerBps: 0 },
      }),
    ).toMatchObject({ status: 400, body: { error: { field: 'providerBps' } } });
    const types = await call<{ items: { name: string }[] }>('GET', `${CATALOG}/service-types`, {
      credential: operator.token,
    });
    expect(types.body.items).toContainEqual(
      expect.objectContaining({ name: serviceType, providerBps: 3000 }),
    );
    expect((await call('GET', `${CATALOG}/meters`)).status).toBe(401);
  });
});

describe('apps', () => {
  it('need a valid SPDX license and an https repository, and are registered by developer organizations', async () => {
    const post = (organizationId: string, credential: string, body: unknown) =>
      call('POST', `${CATALOG}/organizations/${organizationId}/apps`, { credential, body });
    const good = {
      name: `App ${randomUUID()}`,
      repositoryUrl: 'https://github.com/x/y',
      license: 'MIT OR Apache-2.0',
    };
    expect(await post(developerOrg, developer.token, { ...good, license: 'Proprietary' })).toMatchObject({
      status: 400,
      body: { error: { field: 'license' } },
    });
    expect(await post(developerOrg, developer.token, { ...good, repositoryUrl: 'ftp://x/y' })).toMatchObject({
      status: 400,
      body: { error: { field: 'repositoryUrl' } },
    });
    expect(await post(operatorOrg, operator.token, good)).toMatchObject({
      status: 403,
      body: { error: { code: 'wrong_organization_kind' } },
    });
    expect(await post(developerOrg, operator.token, good)).toMatchObject({ status: 403 });
    expect((await post(developerOrg, developer.token, good)).status).toBe(201);
  });
});

describe('allocation contracts', () => {
  it('take effect only from their period, keep their history, and name only known accounts', async () => {
    const projectId = await newProject();
    const versions = `${CATALOG}/organizations/${developerOrg}/projects/${projectId}/contract-versions`;
    // Catalog learns accounts from identity's events.
    const unknown = await call('POST', versions, {
      credential: developer.token,
      body: { dependenciesBps: 1000, members: [{ account: randomUUID(), weight: 1 }] },
    });
    expect(unknown).toMatchObject({
      status: 400,
      body: { error: { code: 'unknown_account', field: 'members.0.account' } },
    });
    expect(
      await call('POST', versions, {
        credential: developer.token,
        body: { effectiveFrom: '2020-01', dependenciesBps: 0, members: [] },
      }),
    ).toMatchObject({ status: 400, body: { error: { code: 'period_in_past', field: 'effectiveFrom' } } });

    const first = await eventually('the developer account is known to catalog', async () => {
      const answer = await call('POST', versions, {
        credential: developer.token,
        body: { dependenciesBps: 1000, members: [{ account: developer.id, weight: 3 }] },
      });
      return answer.status === 201 ? answer : undefined;
    });
    expect(first.body).toMatchObject({ version: 1, effectiveFrom: thisPeriod });
    const later = nextPeriod(thisPeriod);
    await eventually('the member account is known to catalog', async () => {
      const answer = await call('POST', versions, {
        credential: developer.token,
        body: {
          effectiveFrom: later,
          dependenciesBps: 2500,
          members: [
            { account: developer.id, weight: '1' },
            { account: member.id, weight: '1' },
          ],
        },
      });
      return answer.status === 201 ? answer : undefined;
    });
    expect(
      await call('POST', versions, {
        credential: developer.token,
        body: { effectiveFrom: thisPeriod, dependenciesBps: 0, members: [] },
      }),
    ).toMatchObject({ status: 400, body: { error: { code: 'period_before_latest_version' } } });

    const inForce = (period: string) =>
      call<{ version: number; dependenciesBps: number }>(
        'GET',
        `${CATALOG}/projects/${projectId}/contract?period=${period}`,
        {
          credential: operator.token,
        },
      );
    expect((await inForce(thisPeriod)).body).toMatchObject({ version: 1, dependenciesBps: 1000 });
    expect((await inForce(later)).body).toMatchObject({ version: 2, dependenciesBps: 2500 });
    expect(await inForce('2020-01')).toMatchObject({ status: 404, body: { error: { code: 'no_contract' } } });
    const history = await call<{ items: { version: number }[] }>(
      'GET',
      `${CATALOG}/projects/${projectId}/contract-versions`,
      { credential: operator.token },
    );
    expect(history.body.items.map((version) => version.version)).toEqual([1, 2]);

    const published = await database.query<{ payload: string }>(
      `SELECT payload FROM catalog.outbox WHERE event_type = 'onecommons.catalog.contract-version.published.v1'
        AND message_key = $1 ORDER BY id`,
      [projectId],
    );
    expect(published.rows.map((row) => JSON.parse(row.payload).data.version)).toEqual([1, 2]);
  });

  it('can be changed only by the owners of the project’s organization', async () => {
    const projectId = await newProject();
    const otherDeveloper = await newAccount('other-developer');
    const otherOrg = await newOrganization(otherDeveloper, 'developer');
    const body = { dependenciesBps: 0, members: [] };
    expect(
      await call('POST', `${CATALOG}/organizations/${otherOrg}/projects/${projectId}/contract-versions`, {
        credential: otherDeveloper.token,
        body,
      }),
    ).toMatchObject({ status: 404, body: { error: { code: 'project_not_found' } } });
    expect(
      (
        await call(
          'POST',
          `${CATALOG}/organizations/${developerOrg}/projects/${projectId}/contract-versions`,
          {
            credential: otherDeveloper.token,
            body,
          },
        )
      ).status,
    ).toBe(403);
  });
});

describe('dependencies', () => {
  it('import from a package.json with default weights and report what matched no project', async () => {
    const library = `lib-${randomUUID().slice(0, 8)}`;
    const tool = `tool-${randomUUID().slice(0, 8)}`;
    const libraryProject = await newProject([library]);
    const toolProject = await newProject([tool]);
    const app = await newProject();
    const imported = await call<{ dependencies: unknown[]; unmatched: string[] }>(
      'POST',
      `${CATALOG}/organizations/${developerOrg}/projects/${app}/dependencies/import`,
      {
        credential: developer.token,
        body: {
          manifest: {
            name: 'app',
            dependencies: { [library]: '^1.0.0', 'left-pad-unregistered': '1.0.0' },
            devDependencies: { [tool]: '^2' },
          },
        },
      },
    );
    expect(imported.status).toBe(200);
    expect(imported.body.unmatched).toEqual(['left-pad-unregistered']);
    const listed = await call<{ items: { project: string; weight: string }[] }>(
      'GET',
      `${CATALOG}/projects/${app}/dependencies`,
      { credential: operator.token },
    );
    expect(listed.body.items).toEqual(
      [
        { project: libraryProject, weight: '3' },
        { project: toolProject, weight: '1' },
      ].sort((a, b) => a.project.localeCompare(b.project)),
    );
    expect(
      await call('PUT', `${CATALOG}/organizations/${developerOrg}/projects/${app}/dependencies`, {
        credential: developer.token,
        body: { dependencies: [{ project: app, weight: 1 }] },
      }),
    ).toMatchObject({
      status: 400,
      body: { error: { code: 'self_dependency', field: 'dependencies.0.project' } },
    });
  });
});

describe('services and agreements', () => {
  it('are created by operators, with checked references, unique domains and share overrides', async () => {
    const appId = await newApp();
    const projectId = await newProject();
    const domain = `wiki-${randomUUID().slice(0, 8)}.example.org`;
    const create = (
      body: Record<string, unknown>,
      credential = operator.token,
      organizationId = operatorOrg,
    ) =>
      call<{ id: string }>('POST', `${CATALOG}/organizations/${organizationId}/services`, {
        credential,
        body,
      });
    const good = { appId, projectId, type: serviceType, domain, developerBps: 2500 };
    expect(await create({ ...good, type: 'no-such-type' })).toMatchObject({
      status: 400,
      body: { error: { code: 'unknown_service_type', field: 'type' } },
    });
    expect(await create({ ...good, domain: 'not a domain' })).toMatchObject({
      status: 400,
      body: { error: { field: 'domain' } },
    });
    expect((await create(good, developer.token, developerOrg)).status).toBe(403);
    const created = await create(good);
    expect(created).toMatchObject({
      status: 201,
      body: { operatorId: operatorOrg, status: 'active', developerBps: 2500 },
    });
    expect(await create({ ...good, domain: domain.toUpperCase() })).toMatchObject({
      status: 409,
      body: { error: { code: 'domain_taken' } },
    });

    const otherOperator = await newAccount('other-operator');
    const otherOrg = await newOrganization(otherOperator, 'operator');
    expect(
      await call('PATCH', `${CATALOG}/organizations/${otherOrg}/services/${created.body.id}`, {
        credential: otherOperator.token,
        body: { status: 'suspended' },
      }),
    ).toMatchObject({ status: 404 });
    expect(
      await call('PATCH', `${CATALOG}/organizations/${operatorOrg}/services/${created.body.id}`, {
        credential: operator.token,
        body: { status: 'suspended', providerBps: null },
      }),
    ).toMatchObject({ status: 200, body: { status: 'suspended' } });

    const found = await call<{ items: { id: string }[] }>(
      'GET',
      `${CATALOG}/services?q=${domain.slice(0, 13)}&operatorId=${operatorOrg}`,
      { credential: developer.token },
    );
    expect(found.body.items.map((service) => service.id)).toEqual([created.body.id]);
  });

  it('let an operator offer a developer share that the project may make binding, from the next period', async () => {
    const projectId = await newProject();
    const offered = await call<{ id: string; binding: boolean }>(
      'POST',
      `${CATALOG}/organizations/${operatorOrg}/agreements`,
      { credential: operator.token, body: { projectId, developerBps: 3000 } },
    );
    expect(offered).toMatchObject({ status: 200, body: { developerBps: 3000, binding: false } });
    const binding = `${CATALOG}/organizations/${developerOrg}/projects/${projectId}/agreements/${offered.body.id}`;
    expect(
      (await call('PATCH', binding, { credential: operator.token, body: { binding: true } })).status,
    ).toBe(403);
    // The operator runs no service of the project: binding needs an admin's approval first.
    expect(
      await call('PATCH', binding, { credential: developer.token, body: { binding: true } }),
    ).toMatchObject({
      status: 409,
      body: { error: { code: 'operator_runs_no_service_of_project', field: 'binding' } },
    });
    expect(
      (
        await call('POST', `${CATALOG}/agreements/${offered.body.id}/binding-approval`, {
          credential: operator.token,
        })
      ).status,
    ).toBe(403);
    expect(
      await call('POST', `${CATALOG}/agreements/${offered.body.id}/binding-approval`, {
        credential: admin.token,
      }),
    ).toMatchObject({ status: 200, body: { bindingApproved: true, binding: false } });
    // Binding other operators to the share cuts theirs: it applies from the next period.
    expect(
      await call('PATCH', binding, { credential: developer.token, body: { binding: true } }),
    ).toMatchObject({
      status: 200,
      body: {
        binding: false,
        scheduledTerms: { binding: true, developerBps: 3000, effectiveFrom: nextPeriod(thisPeriod) },
      },
    });
    // New terms from the operator need the project's acceptance again; lowering the project's share waits too.
    expect(
      await call('POST', `${CATALOG}/organizations/${operatorOrg}/agreements`, {
        credential: operator.token,
        body: { projectId, developerBps: 2000 },
      }),
    ).toMatchObject({
      status: 200,
      body: {
        id: offered.body.id,
        developerBps: 3000,
        binding: false,
        scheduledTerms: { binding: false, developerBps: 2000, effectiveFrom: nextPeriod(thisPeriod) },
      },
    });
    // Raising it again withdraws the scheduled cut and applies at once.
    expect(
      await call('POST', `${CATALOG}/organizations/${operatorOrg}/agreements`, {
        credential: operator.token,
        body: { projectId, developerBps: 3500 },
      }),
    ).toMatchObject({
      status: 200,
      body: { developerBps: 3500, binding: false, scheduledTerms: null },
    });
  });
});

describe('lists', () => {
  it('page with a cursor and search by name', async () => {
    const marker = randomUUID().slice(0, 8);
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const project = await call<{ id: string }>(
        'POST',
        `${CATALOG}/organizations/${developerOrg}/projects`,
        {
          credential: developer.token,
          body: { name: `Search ${marker} ${index}` },
        },
      );
      ids.push(project.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await call(
        'GET',
        `${CATALOG}/projects?q=${marker}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { credential: operator.token },
      );
      seen.push(...page.body.items.map((item) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });
});
