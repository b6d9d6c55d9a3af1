import { Injectable } from '@nestjs/common';
import { queryOne, queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';

export const OPERATION_KINDS = [
  'create',
  'delete',
  'create_firewall',
  'delete_firewall',
  'create_volume',
  'delete_volume',
  'create_dns_record',
  'update_dns_record',
  'delete_dns_record',
  'power_off',
  'power_on',
  'resize',
  'attach_volume',
  'detach_volume',
] as const;
/** `create` and `delete` are the server's. */
export type OperationKind = (typeof OPERATION_KINDS)[number];
export type OperationState = 'intended' | 'submitted' | 'unknown' | 'succeeded' | 'failed';

export interface ProviderOperation {
  readonly id: string;
  readonly deploymentId: string;
  readonly kind: OperationKind;
  readonly state: OperationState;
  readonly resourceId: string | null;
  readonly actionId: string | null;
  readonly error: string | null;
}

const operationRow = z
  .object({
    id: z.string(),
    deployment_id: z.string(),
    kind: z.enum(OPERATION_KINDS),
    state: z.enum(['intended', 'submitted', 'unknown', 'succeeded', 'failed']),
    resource_id: z.string().nullable(),
    action_id: z.string().nullable(),
    error: z.string().nullable(),
  })
  .transform((row): ProviderOperation => ({
    id: row.id,
    deploymentId: row.deployment_id,
    kind: row.kind,
    state: row.state,
    resourceId: row.resource_id,
    actionId: row.action_id,
    error: row.error,
  }));

/** The provider_operations table: the provider calls made (or about to be) for each deployment. */
@Injectable()
export class ProviderOperationsRepository {
  async insertIntended(
    manager: EntityManager,
    id: string,
    deploymentId: string,
    kind: OperationKind,
    resourceId: string | null,
  ): Promise<ProviderOperation> {
    return queryOne(
      manager,
      {
        name: 'providerOperations.insertIntended',
        row: operationRow,
        sql: `INSERT INTO provider_operations (id, deployment_id, kind, state, resource_id) VALUES ($1, $2, $3, 'intended', $4)
              RETURNING id, deployment_id, kind, state, resource_id, action_id, error`,
      },
      [id, deploymentId, kind, resourceId],
    );
  }

  /** The resource id is kept when null is given. */
  async setSubmitted(
    manager: EntityManager,
    id: string,
    resourceId: string | null,
    actionId: string | null,
  ): Promise<void> {
    await manager.query(
      `UPDATE provider_operations SET state = 'submitted', resource_id = coalesce($2, resource_id), action_id = $3,
              updated_at = now() WHERE id = $1`,
      [id, resourceId, actionId],
    );
  }

  /** The resource id is kept when null is given. */
  async setOutcome(
    manager: EntityManager,
    id: string,
    state: 'succeeded' | 'failed' | 'unknown',
    note: string | null,
    resourceId: string | null,
  ): Promise<void> {
    await manager.query(
      `UPDATE provider_operations SET state = $2, error = $3, resource_id = coalesce($4, resource_id), updated_at = now()
        WHERE id = $1`,
      [id, state, note, resourceId],
    );
  }

  /** Marks the deployment's open operations of a kind succeeded; a resource id already recorded is kept. */
  async settleOpen(
    manager: EntityManager,
    deploymentId: string,
    kind: OperationKind,
    note: string,
    resourceId: string | null,
  ): Promise<void> {
    await manager.query(
      `UPDATE provider_operations SET state = 'succeeded', error = $3, resource_id = coalesce(resource_id, $4),
              updated_at = now()
        WHERE deployment_id = $1 AND kind = $2 AND state IN ('intended', 'submitted', 'unknown')`,
      [deploymentId, kind, note, resourceId],
    );
  }

  /** Marks the deployment's open operations of a kind failed: observation shows they did not take effect. */
  async failOpen(
    manager: EntityManager,
    deploymentId: string,
    kind: OperationKind,
    note: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE provider_operations SET state = 'failed', error = $3, updated_at = now()
        WHERE deployment_id = $1 AND kind = $2 AND state IN ('intended', 'unknown')`,
      [deploymentId, kind, note],
    );
  }

  /** The resources of a kind this deployment's calls created (or may have), newest first. */
  async createdResourceIds(
    manager: EntityManager,
    deploymentId: string,
    kind: OperationKind,
  ): Promise<string[]> {
    const rows = await queryRows(
      manager,
      {
        name: 'providerOperations.createdResourceIds',
        row: z.object({ resource_id: z.string() }),
        sql: `SELECT resource_id FROM provider_operations
               WHERE deployment_id = $1 AND kind = $2 AND resource_id IS NOT NULL AND state <> 'failed'
               ORDER BY id DESC`,
      },
      [deploymentId, kind],
    );
    return rows.map((row) => row.resource_id);
  }

  /** The newest power or resize step taken on a server (failed ones aside), if any. */
  async newestPowerStep(
    manager: EntityManager,
    deploymentId: string,
    resourceId: string,
  ): Promise<OperationKind | null> {
    const [step] = await queryRows(
      manager,
      {
        name: 'providerOperations.newestPowerStep',
        row: z.object({ kind: z.enum(OPERATION_KINDS) }),
        sql: `SELECT kind FROM provider_operations
               WHERE deployment_id = $1 AND resource_id = $2 AND kind IN ('power_off', 'resize', 'power_on')
                 AND state <> 'failed'
               ORDER BY id DESC LIMIT 1`,
      },
      [deploymentId, resourceId],
    );
    return step?.kind ?? null;
  }

  /** The deployment's newest operation still waiting for an outcome (intended, submitted or unknown). */
  async newestOpen(manager: EntityManager, deploymentId: string): Promise<ProviderOperation | null> {
    const [operation] = await queryRows(
      manager,
      {
        name: 'providerOperations.newestOpen',
        row: operationRow,
        sql: `SELECT id, deployment_id, kind, state, resource_id, action_id, error FROM provider_operations
               WHERE deployment_id = $1 AND state IN ('intended', 'submitted', 'unknown') ORDER BY id DESC LIMIT 1`,
      },
      [deploymentId],
    );
    return operation ?? null;
  }

  async newest(manager: EntityManager, deploymentId: string): Promise<ProviderOperation | null> {
    const [operation] = await queryRows(
      manager,
      {
        name: 'providerOperations.newest',
        row: operationRow,
        sql: `SELECT id, deployment_id, kind, state, resource_id, action_id, error FROM provider_operations
               WHERE deployment_id = $1 ORDER BY id DESC LIMIT 1`,
      },
      [deploymentId],
    );
    return operation ?? null;
  }
}
