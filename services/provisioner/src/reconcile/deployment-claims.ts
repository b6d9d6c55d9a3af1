import { randomUUID } from 'node:crypto';
import { type Logger } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import { type DeploymentsRepository } from '../deployments/deployments.repository.js';

export interface DeploymentClaim {
  readonly deploymentId: string;
  readonly token: string;
}

/**
 * Which replica reconciles which due deployment. A claim is taken in one short statement: the oldest due
 * deployment nobody holds, locked FOR UPDATE SKIP LOCKED, so replicas claiming at once take different rows
 * instead of waiting on each other or all reading the same first rows (each replica works its own share, and
 * every due row is reached, oldest first). The claim is a row value, not a held lock, so no connection is held
 * during the provider calls; its holder renews it every third of `claimMs` while it works, so a long pass keeps
 * it and a crashed replica's claim lapses within `claimMs`.
 */
export class DeploymentClaims {
  constructor(
    private readonly dataSource: DataSource,
    private readonly deployments: DeploymentsRepository,
    private readonly claimMs: number,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  /** Claims the oldest due unclaimed deployment; undefined when none is left. */
  async claimDue(): Promise<DeploymentClaim | undefined> {
    const token = randomUUID();
    const id = await this.deployments.claimDue(this.dataSource.manager, token, this.claimMs);
    return id === null ? undefined : { deploymentId: id, token };
  }

  /** Runs `work` holding the claim (renewed meanwhile), then gives the deployment back. */
  async whileHeld<T>(claim: DeploymentClaim, work: () => Promise<T>): Promise<T> {
    const renewal = setInterval(() => void this.renew(claim), Math.max(100, Math.floor(this.claimMs / 3)));
    try {
      return await work();
    } finally {
      clearInterval(renewal);
      await this.release(claim);
    }
  }

  private async renew(claim: DeploymentClaim): Promise<void> {
    try {
      await this.deployments.renewClaim(
        this.dataSource.manager,
        claim.deploymentId,
        claim.token,
        this.claimMs,
      );
    } catch (error) {
      this.logger.warn(`claim on deployment ${claim.deploymentId} not renewed: ${String(error)}`);
    }
  }

  /** Gives the deployment back (only if the claim is still this one: a lapsed claim may be another's now). */
  private async release(claim: DeploymentClaim): Promise<void> {
    await this.deployments.releaseClaim(this.dataSource.manager, claim.deploymentId, claim.token);
  }
}
