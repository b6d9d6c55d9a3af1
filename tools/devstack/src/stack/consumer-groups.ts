import { allTopicNames, type ServiceName } from '@onecommons/contracts';
import {
  kafkaClientSecurity,
  kafkaSecurityFromEnvironment,
  measureConsumerLag,
  topicsConsumedBy,
} from '@onecommons/kafka';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { consumerGroupReport, type ConsumerGroupReport } from './consumer-lag-report.js';

/** Each service's consumer group under `./dev`: its name, since `./dev` sets no `KAFKA_CONSUMER_GROUP`. */
export function devConsumerGroups(services: readonly ServiceName[]): Record<string, string> {
  return Object.fromEntries(services.map((service) => [service, service]));
}

const STATUS_TIMEOUT_MS = 10_000;

/**
 * Consumer groups (by the name of what runs them, e.g. a service) as the broker at `bootstrap` sees them: the
 * platform's topics each consumes (its live members' subscriptions, or where it committed offsets) and its lag
 * per topic and partition. Asked of the broker, not of the services, so a service that is stuck or down shows
 * its backlog too. A broker that does not answer makes every report an error, within 10 s.
 */
export async function consumerGroupsOf(
  bootstrap: string,
  groups: Readonly<Record<string, string>>,
): Promise<Record<string, ConsumerGroupReport>> {
  const admin = new Kafka({
    clientId: 'onecommons-dev-status',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    retry: { retries: 1 },
    ...kafkaClientSecurity(kafkaSecurityFromEnvironment()),
  }).admin();
  const failed = (error: string): Record<string, ConsumerGroupReport> =>
    Object.fromEntries(Object.entries(groups).map(([name, group]) => [name, { group, error }]));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Record<string, ConsumerGroupReport>>((resolve) => {
    timer = setTimeout(() => resolve(failed('the broker did not answer in time')), STATUS_TIMEOUT_MS);
  });
  try {
    return await Promise.race([measureAll(admin, groups, failed), timeout]);
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}

async function measureAll(
  admin: Admin,
  groups: Readonly<Record<string, string>>,
  failed: (error: string) => Record<string, ConsumerGroupReport>,
): Promise<Record<string, ConsumerGroupReport>> {
  let candidates: string[];
  try {
    await admin.connect();
    // Topics not created yet would fail every offset request: only those the broker has are candidates.
    const existing = new Set(await admin.listTopics());
    candidates = allTopicNames().filter((topic) => existing.has(topic));
  } catch (error) {
    return failed(`kafka unreachable: ${messageOf(error)}`);
  }
  const reports = await Promise.all(
    Object.entries(groups).map(async ([name, group]): Promise<[string, ConsumerGroupReport]> => {
      try {
        const topics = await topicsConsumedBy(admin, group, candidates);
        return [name, consumerGroupReport(group, await measureConsumerLag(admin, group, topics))];
      } catch (error) {
        return [name, { group, error: messageOf(error) }];
      }
    }),
  );
  return Object.fromEntries(reports);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
