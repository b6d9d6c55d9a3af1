import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  DataSource,
  type EntityManager,
  type EntitySubscriberInterface,
  type QueryRunner,
  type TransactionCommitEvent,
  type TransactionRollbackEvent,
} from 'typeorm';

type Work = () => Promise<void>;

/**
 * Runs work once the transaction it was scheduled in has committed (and drops it on rollback): a job is
 * queued only when the rows it works on exist. Work that fails is left to the caller's sweeper.
 */
@Injectable()
export class AfterCommit implements EntitySubscriberInterface, OnModuleInit {
  private readonly logger = new Logger('AfterCommit');
  private readonly pending = new WeakMap<QueryRunner, Work[]>();

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  schedule(manager: EntityManager, work: Work): void {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) throw new Error('AfterCommit.schedule needs a transaction');
    const queued = this.pending.get(runner) ?? [];
    queued.push(work);
    this.pending.set(runner, queued);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const queued = this.pending.get(event.queryRunner);
    this.pending.delete(event.queryRunner);
    for (const work of queued ?? [])
      work().catch((error: unknown) =>
        this.logger.warn(`after-commit work failed (the sweeper retries): ${String(error)}`),
      );
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.pending.delete(event.queryRunner);
  }
}
