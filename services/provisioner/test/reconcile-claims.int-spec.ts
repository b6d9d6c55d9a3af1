import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@onecommons/config';
import { serviceDataSourceOptions } from '@onecommons/persistence';
import { eventually, prepareService, schemaQuery, testStack } from '@onecommons/testing';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { RunMode, type ServiceConfig, type ServiceDefinition } from '@onecommons/service-kit';
import { type ProvisionerConfig, provisionerConfigSchema } from '../src/config.js';
import { DeploymentsRepository } from '../src/deployments/deployments.repository.js';
import { provisionerService } from '../src/provisioner.definition.js';
import { ReconcileLoop } from '../src/reconcile/reconcile-loop.js';
import { type ReconcileResult } from '../src/reconcile/reconcile-result.js';
import { type Reconciler } from '../src/reconcile/reconciler.js';

// Two replicas' reconcile loops over the same deployments, against the real Postgres: they share the due rows
// (a row one holds is skipped by the other, not waited on), never work one deployment at once, and reach all.

const DEPLOYMENTS = 30; // more than one tick's batch: rows past the first batch must not be starved
let admin: pg.Pool;
let query: ReturnType<typeof schemaQuery>;
let dataSource: DataSource;
let config: ProvisionerConfig;
let schema: string;
let accountId: string;

beforeAll(async () => {
  const prepared = await prepareService(provisionerService as unknown as ServiceDefinition<ServiceConfig>);
  schema = prepared.schema;
  config = loadConfig(provisionerConfigSchema, prepared.env);
  admin = new pg.Pool({ connectionString: testStack().postgresAdminUrl, max: 2 });
  query = schemaQuery(admin, schema);
  dataSource = new DataSource(
    serviceDataSourceOptions({ url: config.DATABASE_URL, schema, poolSize: 6, applicationName: schema }),
  );
  await dataSource.initialize();
  accountId = randomUUID();
  await query(
    `INSERT INTO provider_accounts (id, organization_id, name, api, base_url, credentials_sealed, image, regions,
                                    sizes, currency, max_servers, created_by)
     VALUES ($1, $2, 'replicas', 'hetzner', 'http://127.0.0.1:9', 'sealed', 'debian', '{fsn1}', '[]', 'EUR', 100, $2)`,
    [accountId, randomUUID()],
  );
});

afterAll(async () => {
  await dataSource.destroy();
  await admin.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  await admin.end();
});

/** Due deployments, the oldest first; returns their ids. */
async function dueDeployments(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const id = randomUUID();
    const serviceId = randomUUID();
    await query(
      `INSERT INTO known_services (service_id, operator_id, domain, status) VALUES ($1, $2, 'example.org', 'active')`,
      [serviceId, randomUUID()],
    );
    await query(
      `INSERT INTO deployments (id, service_id, operator_id, provider_account_id, provider_id, region, size,
                                points_per_second, desired, phase, server_name, next_reconcile_at, created_by)
       VALUES ($1, $2, $3, $4, $3, 'fsn1', 'cx22', 1, 'present', 'Pending', $5, now() - $6 * interval '1 second', $3)`,
      [id, serviceId, randomUUID(), accountId, `t-${id}`, count - index],
    );
    ids.push(id);
  }
  return ids;
}

/** A reconciler that records who works what and when; a pass converges its deployment (nothing due after). */
class RecordingReconciler {
  readonly worked: string[] = [];
  private readonly active: Set<string>;

  constructor(
    active: Set<string>,
    readonly overlaps: string[],
    private readonly before: (deploymentId: string) => Promise<void> = () => Promise.resolve(),
  ) {
    this.active = active;
  }

  async reconcile(deploymentId: string): Promise<ReconcileResult> {
    if (this.active.has(deploymentId)) this.overlaps.push(deploymentId);
    this.active.add(deploymentId);
    try {
      await this.before(deploymentId);
      await query(`UPDATE deployments SET next_reconcile_at = NULL WHERE id = $1`, [deploymentId]);
      this.worked.push(deploymentId);
      return 'converged';
    } finally {
      this.active.delete(deploymentId);
    }
  }
}

const loopOf = (reconciler: RecordingReconciler, claimMs = config.PROVISIONER_RECONCILE_CLAIM_MS) =>
  new ReconcileLoop(
    dataSource,
    new DeploymentsRepository(),
    reconciler as unknown as Reconciler,
    { ...config, PROVISIONER_RECONCILE_CLAIM_MS: claimMs },
    new RunMode('command'), // ticks only when the test says
  );

async function unreconciled(ids: readonly string[]): Promise<number> {
  const [row] = await query<{ n: number }>(
    `SELECT count(*)::int AS n FROM deployments WHERE id = ANY($1::uuid[]) AND next_reconcile_at IS NOT NULL`,
    [ids],
  );
  return row?.n ?? -1;
}

describe('reconcile loops of two replicas', () => {
  it('share the due deployments, never work one twice at once, and reach every one', async () => {
    const ids = await dueDeployments(DEPLOYMENTS);
    const active = new Set<string>();
    const overlaps: string[] = [];
    const second = new RecordingReconciler(active, overlaps);
    // The first replica holds its first deployment until the second has worked others: the held row must be
    // skipped by the second (not waited on, not worked twice), and the rest shared.
    let held: string | undefined;
    const first = new RecordingReconciler(active, overlaps, async (deploymentId) => {
      held ??= deploymentId;
      if (deploymentId === held)
        await eventually('the other replica worked deployments meanwhile', () =>
          Promise.resolve(second.worked.length >= 3 ? true : undefined),
        );
    });
    const loops = [loopOf(first), loopOf(second)];
    const firstTick = loops[0]!.tick();
    await eventually('the first replica holds a deployment', () => Promise.resolve(held));
    await Promise.all([firstTick, loops[1]!.tick()]);
    await eventually('every deployment reconciled', async () => {
      await Promise.all(loops.map((loop) => loop.tick()));
      return (await unreconciled(ids)) === 0 ? true : undefined;
    });

    expect(overlaps).toEqual([]);
    const worked = [...first.worked, ...second.worked].filter((id) => ids.includes(id));
    expect(worked.sort()).toEqual([...ids].sort()); // each exactly once
    expect(held).toBe(ids[0]); // the oldest due first
    expect(second.worked).not.toContain(held);
    expect(first.worked.length).toBeGreaterThan(0);
    expect(second.worked.length).toBeGreaterThanOrEqual(3);
    const [claims] = await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM deployments WHERE reconcile_claim IS NOT NULL`,
    );
    expect(claims?.n).toBe(0); // every claim given back
  });

  it('leaves a deployment another replica holds, and takes it once that claim lapsed (the holder crashed)', async () => {
    const [live, lapsed] = await dueDeployments(2);
    await query(
      `UPDATE deployments SET reconcile_claim = $2, reconcile_claimed_until = now() + interval '1 hour' WHERE id = $1`,
      [live, randomUUID()],
    );
    await query(
      `UPDATE deployments SET reconcile_claim = $2, reconcile_claimed_until = now() - interval '1 second' WHERE id = $1`,
      [lapsed, randomUUID()],
    );
    const reconciler = new RecordingReconciler(new Set(), []);
    await loopOf(reconciler).tick();
    expect(reconciler.worked).toContain(lapsed);
    expect(reconciler.worked).not.toContain(live);
  });

  it('keeps a claim its holder renews, however long the pass (longer than the claim itself)', async () => {
    const claimMs = 3_000;
    const [slow] = await dueDeployments(1);
    const other = new RecordingReconciler(new Set(), []);
    const otherLoop = loopOf(other, claimMs);
    let otherTicks = 0;
    const holder = new RecordingReconciler(new Set(), [], async () => {
      const since = Date.now();
      // The other replica keeps looking for work for more than twice the claim's length meanwhile.
      await eventually(
        'two claim lengths passed under the other replica’s ticks',
        async () => {
          await otherLoop.tick();
          otherTicks++;
          return Date.now() - since > 2 * claimMs ? true : undefined;
        },
        { timeoutMs: 6 * claimMs },
      );
    });
    await loopOf(holder, claimMs).tick();
    expect(holder.worked).toEqual([slow]);
    expect(other.worked).not.toContain(slow);
    expect(otherTicks).toBeGreaterThan(1);
  });
});
