export { bigintColumn } from './bigint-transformer.js';
export { databaseConfigShape, migrationConfigShape, sessionDatabaseUrlOf } from './database-config.js';
export { serviceDataSourceOptions, type ServiceDataSourceSpec } from './data-source-options.js';
export { databaseNameOf, roleOf, withDatabase } from './database-url.js';
export { SnakeNamingStrategy } from './naming-strategy.js';
export { migrateServiceSchema, type MigrationRun } from './run-migrations.js';
export { ensureDatabase, prepareServiceSchema } from './schema-setup.js';
export { isTransientDatabaseError } from './transient-errors.js';
export {
  digestSchema,
  type DigestSnapshot,
  type DigestedTable,
  type SchemaDigest,
  type TableDigest,
} from './schema-digest.js';
export { isCheckViolation, isForeignKeyViolation, isUniqueViolation } from './database-errors.js';
export {
  confirmLockSession,
  DEFAULT_DEAD_PEER_SECONDS,
  keepaliveTimings,
  type LockConnectionOptions,
  openLockConnection,
  tryAdvisoryLock,
} from './lock-connection.js';
export { LeaderLease, type LeaderLeaseOptions } from './leader-lease.js';
export { transactionClient } from './transaction-client.js';
export { partitionByPeriod, pinnedSearchPath, runtimeRolesOf } from './period-partitions.js';
export {
  bigintText,
  clientQueryable,
  parseRows,
  queryAffected,
  type Queryable,
  queryExists,
  queryOne,
  queryRows,
  type RowQuery,
  RowShapeError,
} from './typed-rows.js';
