import { randomBytes } from 'node:crypto';

/** Addresses of the stack `./dev test` brought up (tools/devstack `describeStack`). */
export interface TestStack {
  readonly profile: string;
  /** Comma-separated, as in KAFKA_BROKERS. */
  readonly kafkaBrokers: string;
  /** Instances of every service (behind the gateway) and Kafka nodes. */
  readonly topology: { readonly replicas: number; readonly kafkaNodes: number };
  readonly postgresAdminUrl: string;
  readonly redisUrl: string;
  readonly gatewayUrl: string;
  /** The local SMTP server's web inbox (maildev): its REST API lists the mail identity sent (`/api/email`). */
  readonly mailInboxUrl: string;
  /** Each service's `--env-file` (written when `./dev` brings the services up). */
  readonly envDir: string;
  readonly services: Readonly<
    Record<
      string,
      {
        /** Through the gateway's internal listener when there are several replicas. */
        readonly url: string;
        readonly databaseUrl: string;
        /** Each instance's own address (its metrics are its own). */
        readonly replicaUrls: readonly string[];
      }
    >
  >;
  /** Where the services send their spans (OTLP/HTTP), for a test to listen on; absent when they send none. */
  readonly traceCollectorUrl?: string;
}

export const TEST_STACK_VARIABLE = 'ONECOMMONS_TEST_STACK';

const MISSING_STACK = `${TEST_STACK_VARIABLE} is not set: integration and e2e tests run against the stack that
./dev brings up. Run them with \`./dev test integration\` or \`./dev test e2e\` (or \`./dev test\` for all).`;

export function testStack(): TestStack {
  const raw = process.env[TEST_STACK_VARIABLE];
  if (!raw) throw new Error(MISSING_STACK);
  return JSON.parse(raw) as TestStack;
}

/** A short random suffix for names that must not collide between test files (schemas, groups, keys). */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

export function serviceOf(stack: TestStack, service: string): TestStack['services'][string] {
  const found = stack.services[service];
  if (!found) throw new Error(`the test stack has no service ${service}`);
  return found;
}
