import { Injectable } from '@nestjs/common';
import { uuidV7 } from '@onecommons/contracts';
import { DataSource } from 'typeorm';
import {
  type OperationKind,
  type ProviderOperation,
  ProviderOperationsRepository,
} from './provider-operations.repository.js';

/**
 * The intent log: every provider call that changes something is recorded (and committed) before it is
 * made, then marked with what came of it. An operation left `intended` or `unknown` tells the next
 * reconcile that the provider may have acted: it looks before it acts again.
 */
@Injectable()
export class OperationLog {
  constructor(
    private readonly dataSource: DataSource,
    private readonly operations: ProviderOperationsRepository,
  ) {}

  async intend(
    deploymentId: string,
    kind: OperationKind,
    resourceId: string | null = null,
  ): Promise<ProviderOperation> {
    return this.operations.insertIntended(this.dataSource.manager, uuidV7(), deploymentId, kind, resourceId);
  }

  async submitted(id: string, resourceId: string | null, actionId: string | null): Promise<void> {
    await this.operations.setSubmitted(this.dataSource.manager, id, resourceId, actionId);
  }

  async finish(
    id: string,
    state: 'succeeded' | 'failed' | 'unknown',
    note: string | null,
    resourceId: string | null = null,
  ): Promise<void> {
    await this.operations.setOutcome(this.dataSource.manager, id, state, note, resourceId);
  }

  /** Closes every still-open operation of a kind once observation shows its outcome. */
  async settle(
    deploymentId: string,
    kind: OperationKind,
    note: string,
    resourceId: string | null = null,
  ): Promise<void> {
    await this.operations.settleOpen(this.dataSource.manager, deploymentId, kind, note, resourceId);
  }

  /** Closes every still-open (intended or unknown) operation of a kind that observation shows did not happen. */
  async abandon(deploymentId: string, kind: OperationKind, note: string): Promise<void> {
    await this.operations.failOpen(this.dataSource.manager, deploymentId, kind, note);
  }

  async createdResourceIds(deploymentId: string, kind: OperationKind): Promise<string[]> {
    return this.operations.createdResourceIds(this.dataSource.manager, deploymentId, kind);
  }

  /** Whether the server is off because this deployment is resizing it (stopped it, or changed its size). */
  async isResizing(deploymentId: string, serverId: string): Promise<boolean> {
    const step = await this.operations.newestPowerStep(this.dataSource.manager, deploymentId, serverId);
    return step === 'power_off' || step === 'resize';
  }

  /** The newest operation still waiting for an outcome. */
  async open(deploymentId: string): Promise<ProviderOperation | undefined> {
    return (await this.operations.newestOpen(this.dataSource.manager, deploymentId)) ?? undefined;
  }

  /** The newest operation whatever its state. */
  async latest(deploymentId: string): Promise<ProviderOperation | undefined> {
    return (await this.operations.newest(this.dataSource.manager, deploymentId)) ?? undefined;
  }
}
