import { type ServiceName } from '@onecommons/contracts';
import { type KafkaSettings } from '../kafka-config.js';

export const BACKBONE_OPTIONS = Symbol('BACKBONE_OPTIONS');

export interface BackboneOptions {
  readonly service: ServiceName;
  readonly consumerGroup: string;
  /** Where the outbox relay holds its own session (a leader lock, LISTEN): never a transaction-mode pooler. */
  readonly sessionDatabaseUrl: string;
  readonly schema: string;
  /** DATABASE_LOCK_DEAD_PEER_SECONDS: how soon a vanished relay leader's lock is freed. */
  readonly lockDeadPeerSeconds?: number;
  readonly settings: KafkaSettings;
  /** Off for one-shot processes (migrations, replay) that must not publish or consume. */
  readonly runRelay: boolean;
}
