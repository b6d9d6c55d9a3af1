import { Injectable } from '@nestjs/common';
import { DEPLOYMENT_PHASES, type DeploymentPhase } from '@onecommons/contracts';
import { queryOne, queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { appSpecSchema, type AppSpec, volumeSpecSchema, type VolumeSpec } from '../apps/app-spec.js';
import { type Condition } from '../reconcile/conditions.js';
import { type DeploymentRecord } from './deployment-record.js';

export interface NewDeployment {
  readonly id: string;
  readonly serviceId: string;
  readonly operatorId: string;
  readonly providerAccountId: string;
  readonly providerId: string;
  readonly region: string;
  readonly size: string;
  readonly app: AppSpec;
  readonly volumes: readonly VolumeSpec[];
  readonly pointsPerSecond: bigint;
  readonly conditions: readonly Condition[];
  readonly serverName: string;
  readonly createdBy: string;
}

/** Who may see deployments: everyone's (admins), or those whose operator or provider is one of `organizations`. */
export interface DeploymentViewer {
  readonly all: boolean;
  readonly organizations: readonly string[];
}

export interface DeploymentListQuery {
  /** The id the previous page ended with. */
  readonly afterId: string | null;
  readonly operatorId: string | null;
}

/** What the reconcile loop writes of a deployment's status. */
export interface DeploymentStatus {
  readonly phase: DeploymentPhase;
  readonly conditions: readonly Condition[];
  readonly resourceId: string | null;
  readonly attempt: number;
  readonly nextReconcileAt: Date | null;
}

export interface PhaseCount {
  readonly phase: string;
  readonly deployments: number;
}

const DEPLOYMENT_COLUMNS = `d.id, d.service_id, d.operator_id, d.provider_account_id, d.provider_id, a.api, d.region,
  d.size, d.app, d.volumes, d.generation, k.domain, d.desired, d.phase, d.conditions, d.server_name, d.resource_id, d.attempt, d.next_reconcile_at, d.created_at,
  d.updated_at`;
const DEPLOYMENT_FROM = `deployments d JOIN provider_accounts a ON a.id = d.provider_account_id
  JOIN known_services k ON k.service_id = d.service_id`;

const conditionColumn = z.object({
  type: z.enum(['Ready', 'Synced']),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: z.string(),
});

/** A deployment as `DEPLOYMENT_COLUMNS` selects it. */
const deploymentRow = z
  .object({
    id: z.string(),
    service_id: z.string(),
    operator_id: z.string(),
    provider_account_id: z.string(),
    provider_id: z.string(),
    api: z.string(),
    region: z.string(),
    size: z.string(),
    app: appSpecSchema.nullable(),
    volumes: z.array(volumeSpecSchema),
    generation: z.number().int(),
    domain: z.string(),
    desired: z.enum(['present', 'absent']),
    phase: z.enum(DEPLOYMENT_PHASES),
    conditions: z.array(conditionColumn),
    server_name: z.string(),
    resource_id: z.string().nullable(),
    attempt: z.number().int(),
    next_reconcile_at: z.date().nullable(),
    created_at: z.date(),
    updated_at: z.date(),
  })
  .transform((row): DeploymentRecord => ({
    id: row.id,
    serviceId: row.service_id,
    operatorId: row.operator_id,
    providerAccountId: row.provider_account_id,
    providerId: row.provider_id,
    api: row.api,
    region: row.region,
    size: row.size,
    app: row.app,
    volumes: row.volumes,
    generation: row.generation,
    domain: row.domain,
    desired: row.desired,
    phase: row.phase,
    conditions: row.conditions,
    serverName: row.server_name,
    resourceId: row.resource_id,
    attempt: row.attempt,
    nextReconcileAt: row.next_reconcile_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));

const usedRow = z.object({ used: z.number().int() });

const phaseCountRow = z
  .object({ phase: z.string(), n: z.number().int() })
  .transform((row): PhaseCount => ({ phase: row.phase, deployments: row.n }));

const idRow = z.object({ id: z.string() });

/**
 * The deployments feature's tables: deployments (with their provider account's API), their reconcile claims and
 * deployment_uptime (when each one's server was running).
 */
@Injectable()
export class DeploymentsRepository {
  async byId(manager: EntityManager, id: string): Promise<DeploymentRecord | null> {
    const [deployment] = await queryRows(
      manager,
      {
        name: 'deployments.byId',
        row: deploymentRow,
        sql: `SELECT ${DEPLOYMENT_COLUMNS} FROM ${DEPLOYMENT_FROM} WHERE d.id = $1`,
      },
      [id],
    );
    return deployment ?? null;
  }

  /** Locks a deployment known to exist until the transaction ends. */
  async lock(manager: EntityManager, id: string): Promise<DeploymentRecord> {
    return queryOne(
      manager,
      {
        name: 'deployments.lock',
        row: deploymentRow,
        sql: `SELECT ${DEPLOYMENT_COLUMNS} FROM ${DEPLOYMENT_FROM} WHERE d.id = $1 FOR UPDATE OF d`,
      },
      [id],
    );
  }

  /** Locks the service's deployments whose desired state is still present until the transaction ends. */
  async lockPresentOfService(manager: EntityManager, serviceId: string): Promise<DeploymentRecord[]> {
    return queryRows(
      manager,
      {
        name: 'deployments.lockPresentOfService',
        row: deploymentRow,
        sql: `SELECT ${DEPLOYMENT_COLUMNS} FROM ${DEPLOYMENT_FROM} WHERE d.service_id = $1 AND d.desired = 'present' FOR UPDATE OF d`,
      },
      [serviceId],
    );
  }

  /** Null when there is no such deployment or the viewer may not see it. */
  async visibleById(
    manager: EntityManager,
    id: string,
    viewer: DeploymentViewer,
  ): Promise<DeploymentRecord | null> {
    const [deployment] = await queryRows(
      manager,
      {
        name: 'deployments.visibleById',
        row: deploymentRow,
        sql: `SELECT ${DEPLOYMENT_COLUMNS} FROM ${DEPLOYMENT_FROM}
               WHERE d.id = $1 AND ($2 OR d.operator_id = ANY($3::uuid[]) OR d.provider_id = ANY($3::uuid[]))`,
      },
      [id, viewer.all, viewer.organizations],
    );
    return deployment ?? null;
  }

  /** At most `limit` deployments the viewer may see, in id order. */
  async listVisible(
    manager: EntityManager,
    query: DeploymentListQuery,
    viewer: DeploymentViewer,
    limit: number,
  ): Promise<DeploymentRecord[]> {
    return queryRows(
      manager,
      {
        name: 'deployments.listVisible',
        row: deploymentRow,
        sql: `SELECT ${DEPLOYMENT_COLUMNS} FROM ${DEPLOYMENT_FROM}
               WHERE ($1::uuid IS NULL OR d.id > $1) AND ($2::uuid IS NULL OR d.operator_id = $2)
                 AND ($3 OR d.operator_id = ANY($4::uuid[]) OR d.provider_id = ANY($4::uuid[]))
               ORDER BY d.id LIMIT $5`,
      },
      [query.afterId, query.operatorId, viewer.all, viewer.organizations, limit],
    );
  }

  /** How many deployments on the provider account are not Absent (hold or may hold a server). */
  async countNotAbsentOn(manager: EntityManager, providerAccountId: string): Promise<number> {
    const { used } = await queryOne(
      manager,
      {
        name: 'deployments.countNotAbsentOn',
        row: usedRow,
        sql: `SELECT count(*)::int AS used FROM deployments WHERE provider_account_id = $1 AND phase <> 'Absent'`,
      },
      [providerAccountId],
    );
    return used;
  }

  /** The new deployment, due for its first reconcile at once. */
  async insert(manager: EntityManager, deployment: NewDeployment): Promise<DeploymentRecord> {
    await manager.query(
      `INSERT INTO deployments (id, service_id, operator_id, provider_account_id, provider_id, region, size, points_per_second,
                                desired, phase, conditions, server_name, next_reconcile_at, created_by, app, volumes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'present', 'Pending', $9::jsonb, $10, now(), $11, $12::jsonb, $13::jsonb)`,
      [
        deployment.id,
        deployment.serviceId,
        deployment.operatorId,
        deployment.providerAccountId,
        deployment.providerId,
        deployment.region,
        deployment.size,
        deployment.pointsPerSecond.toString(),
        JSON.stringify(deployment.conditions),
        deployment.serverName,
        deployment.createdBy,
        JSON.stringify(deployment.app),
        JSON.stringify(deployment.volumes),
      ],
    );
    return queryOne(
      manager,
      {
        name: 'deployments.insert',
        row: deploymentRow,
        sql: `SELECT ${DEPLOYMENT_COLUMNS} FROM ${DEPLOYMENT_FROM} WHERE d.id = $1`,
      },
      [deployment.id],
    );
  }

  /** A new app (a new generation) or size; due for a reconcile at once. */
  async updateSpec(
    manager: EntityManager,
    id: string,
    spec: {
      readonly app: AppSpec;
      readonly generation: number;
      readonly size: string;
      readonly pointsPerSecond: bigint;
    },
  ): Promise<void> {
    await manager.query(
      `UPDATE deployments SET app = $2::jsonb, generation = $3, size = $4, points_per_second = $5, attempt = 0,
              next_reconcile_at = now(), updated_at = now()
        WHERE id = $1`,
      [id, JSON.stringify(spec.app), spec.generation, spec.size, spec.pointsPerSecond.toString()],
    );
  }

  async setDesiredAbsent(manager: EntityManager, id: string): Promise<void> {
    await manager.query(`UPDATE deployments SET desired = 'absent' WHERE id = $1`, [id]);
  }

  async writeStatus(manager: EntityManager, id: string, status: DeploymentStatus): Promise<void> {
    await manager.query(
      `UPDATE deployments SET phase = $2, conditions = $3::jsonb, resource_id = $4, attempt = $5, next_reconcile_at = $6,
              updated_at = now()
        WHERE id = $1`,
      [
        id,
        status.phase,
        JSON.stringify(status.conditions),
        status.resourceId,
        status.attempt,
        status.nextReconcileAt,
      ],
    );
  }

  /** Opens the deployment's uptime interval, unless one is open already. */
  async openUptime(manager: EntityManager, id: string, at: Date): Promise<void> {
    await manager.query(
      `INSERT INTO deployment_uptime (deployment_id, started_at, points_per_second)
       SELECT id, $2, points_per_second FROM deployments WHERE id = $1
       ON CONFLICT (deployment_id) WHERE ended_at IS NULL DO NOTHING`,
      [id, at],
    );
  }

  async closeUptime(manager: EntityManager, id: string, at: Date): Promise<void> {
    await manager.query(
      `UPDATE deployment_uptime SET ended_at = $2 WHERE deployment_id = $1 AND ended_at IS NULL`,
      [id, at],
    );
  }

  /** Counts one more attempt and sets the next reconcile, unless nothing more is to be done for it. */
  async scheduleRetry(manager: EntityManager, id: string, at: Date): Promise<void> {
    await manager.query(
      `UPDATE deployments SET attempt = attempt + 1, next_reconcile_at = $2 WHERE id = $1 AND next_reconcile_at IS NOT NULL`,
      [id, at],
    );
  }

  /** The phases deployments are in, with how many are in each (a phase without any is left out). */
  async countByPhase(manager: EntityManager): Promise<PhaseCount[]> {
    return queryRows(
      manager,
      {
        name: 'deployments.countByPhase',
        row: phaseCountRow,
        sql: `SELECT phase, count(*)::int AS n FROM deployments GROUP BY phase`,
      },
      [],
    );
  }

  /**
   * Claims the oldest due deployment nobody holds, until `claimMs` from now, skipping rows other transactions
   * hold; null when none is left.
   */
  async claimDue(manager: EntityManager, token: string, claimMs: number): Promise<string | null> {
    const [claimed] = await queryRows(
      manager,
      {
        name: 'deployments.claimDue',
        row: idRow,
        sql: `UPDATE deployments SET reconcile_claim = $1, reconcile_claimed_until = now() + $2 * interval '1 millisecond'
               WHERE id = (
                 SELECT id FROM deployments
                  WHERE next_reconcile_at <= now() AND (reconcile_claimed_until IS NULL OR reconcile_claimed_until < now())
                  ORDER BY next_reconcile_at LIMIT 1 FOR UPDATE SKIP LOCKED)
               RETURNING id`,
      },
      [token, claimMs],
    );
    return claimed?.id ?? null;
  }

  /** Extends the claim to `claimMs` from now, if it is still this one. */
  async renewClaim(manager: EntityManager, id: string, token: string, claimMs: number): Promise<void> {
    await manager.query(
      `UPDATE deployments SET reconcile_claimed_until = now() + $3 * interval '1 millisecond'
        WHERE id = $1 AND reconcile_claim = $2`,
      [id, token, claimMs],
    );
  }

  /** Clears the claim, if it is still this one. */
  async releaseClaim(manager: EntityManager, id: string, token: string): Promise<void> {
    await manager.query(
      `UPDATE deployments SET reconcile_claim = NULL, reconcile_claimed_until = NULL
        WHERE id = $1 AND reconcile_claim = $2`,
      [id, token],
    );
  }
}
