import { Injectable } from '@nestjs/common';
import { uuidV7 } from '@onecommons/contracts';
import { DataSource } from 'typeorm';

export type OperationKind = 'create' | 'delete';
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

interface OperationRow {
  id: string;
  deployment_id: string;
  kind: OperationKind;
  state: OperationState;
  resource_id: string | null;
  action_id: string | null;
  error: string | null;
}

const toOperation = (row: OperationRow): ProviderOperation => ({
  id: row.id,
  deploymentId: row.deployment_id,
  kind: row.kind,
  state: row.state,
  resourceId: row.resource_id,
  actionId: row.action_id,
  error: row.error,
});

/**
 * The intent log: every provider call that changes something is recorded (and committed) before it is
 * made, then marked with what came of it. An operation left `intended` or `unknown` tells the next
 * reconcile that the provider may have acted: it looks before it acts again.
 */
@Injectable()
export class OperationLog {
  constructor(private readonly dataSource: DataSource) {}

  async intend(
    deploymentId: string,
    kind: OperationKind,
    resourceId: string | null = null,
  ): Promise<ProviderOperation> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO provider_operations (id, deployment_id, kind, state, resource_id) VALUES ($1, $2, $3, 'intended', $4)
       RETURNING id, deployment_id, kind, state, resource_id, action_id, error`,
      [uuidV7(), deploymentId, kind, resourceId],
    )) as OperationRow[];
    return toOperation(row as OperationRow);
  }

  async submitted(id: string, resourceId: string | null, actionId: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE provider_operations SET state = 'submitted', resource_id = coalesce($2, resource_id), action_id = $3,
              updated_at = now() WHERE id = $1`,
      [id, resourceId, actionId],
    );
  }

  async finish(
    id: string,
    state: 'succeeded' | 'failed' | 'unknown',
    note: string | null,
    resourceId: string | null = null,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE provider_operations SET state = $2, error = $3, resource_id = coalesce($4, resource_id), updated_at = now()
        WHERE id = $1`,
      [id, state, note, resourceId],
    );
  }

  /** Closes every still-open operation of a kind once observation shows its outcome. */
  async settle(
    deploymentId: string,
    kind: OperationKind,
    note: string,
    resourceId: string | null = null,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE provider_operations SET state = 'succeeded', error = $3, resource_id = coalesce(resource_id, $4),
              updated_at = now()
        WHERE deployment_id = $1 AND kind = $2 AND state IN ('intended', 'submitted', 'unknown')`,
      [deploymentId, kind, note, resourceId],
    );
  }

  /** The newest operation still waiting for an outcome. */
  async open(deploymentId: string): Promise<ProviderOperation | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT id, deployment_id, kind, state, resource_id, action_id, error FROM provider_operations
        WHERE deployment_id = $1 AND state IN ('intended', 'submitted', 'unknown') ORDER BY id DESC LIMIT 1`,
      [deploymentId],
    )) as OperationRow[];
    return row ? toOperation(row) : undefined;
  }

  /** The newest operation whatever its state. */
  async latest(deploymentId: string): Promise<ProviderOperation | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT id, deployment_id, kind, state, resource_id, action_id, error FROM provider_operations
        WHERE deployment_id = $1 ORDER BY id DESC LIMIT 1`,
      [deploymentId],
    )) as OperationRow[];
    return row ? toOperation(row) : undefined;
  }
}
