import { identifierVar, integerVar, urlVar } from '@onecommons/config';

const postgresUrl = () => urlVar(['postgres', 'postgresql']);

/** Environment variables of a service's own database connection (its runtime role). */
export const databaseConfigShape = {
  DATABASE_URL: postgresUrl().meta({
    description:
      "The service's runtime role (`./dev`: `oc_<service>`): it owns nothing and may touch only its own " +
      "schema's rows.",
    examples: ['postgres://oc_<service>:<password>@127.0.0.1:5432/onecommons'],
  }),
  DATABASE_SESSION_URL: postgresUrl()
    .optional()
    .meta({
      description:
        "For the connections that need a session of their own (the outbox relay's leader lock and LISTEN, " +
        'commands that SET search_path): a direct or session-pooled address when DATABASE_URL is a ' +
        'transaction-mode PgBouncer. Unset: DATABASE_URL. See docs/deploy/connections.md.',
    }),
  DATABASE_SCHEMA: identifierVar()
    .optional()
    .meta({ description: "The service's Postgres schema. Unset: the service's name." }),
  DATABASE_POOL_SIZE: integerVar({ min: 1, max: 200, default: 10 }).meta({
    description: "Connections in the service's pool, per replica.",
  }),
  DATABASE_LOCK_DEAD_PEER_SECONDS: integerVar({ min: 3, max: 3_600, default: 30 }).meta({
    description:
      'A leader (outbox relay, service leader) whose host or network vanished is dropped by Postgres, and its ' +
      'lock given to another replica, within about this many seconds (TCP keepalives of its lock connection).',
  }),
};

/** Where session-bound connections go: DATABASE_SESSION_URL, else DATABASE_URL. */
export function sessionDatabaseUrlOf(config: {
  readonly DATABASE_URL: string;
  readonly DATABASE_SESSION_URL?: string | undefined;
}): string {
  return config.DATABASE_SESSION_URL ?? config.DATABASE_URL;
}

/** Migrations run as the schema owner, then grant the runtime role what it may do. */
export const migrationConfigShape = {
  ...databaseConfigShape,
  MIGRATIONS_DATABASE_URL: postgresUrl().meta({
    description:
      "The schema owner's connection, read by `migrate` only: it applies the service's migrations and grants " +
      'the runtime role (DATABASE_URL) what it may do.',
    examples: ['postgres://postgres@127.0.0.1:5432/onecommons'],
  }),
};
