import { identifierVar, integerVar, urlVar } from '@onecommons/config';

const postgresUrl = () => urlVar(['postgres', 'postgresql']);

/** Environment variables of a service's own database connection (its runtime role). */
export const databaseConfigShape = {
  DATABASE_URL: postgresUrl(),
  DATABASE_SCHEMA: identifierVar().optional(),
  DATABASE_POOL_SIZE: integerVar({ min: 1, max: 200, default: 10 }),
};

/** Migrations run as the schema owner, then grant the runtime role what it may do. */
export const migrationConfigShape = {
  ...databaseConfigShape,
  MIGRATIONS_DATABASE_URL: postgresUrl(),
};
