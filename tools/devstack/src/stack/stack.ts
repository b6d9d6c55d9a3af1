import path from 'node:path';
import { SERVICE_NAMES } from '@onecommons/contracts';
import { gatewayUrl, kafkaBootstrap, replicaUrl, serviceUrl, type Profile } from '../profile.js';
import { ensurePostgres, ensureRedis } from './datastores.js';
import { consumerGroupsOf, devConsumerGroups } from './consumer-groups.js';
import { type ConsumerGroupReport } from './consumer-lag-report.js';
import { ensureFakeClouds, stopFakeClouds } from './fake-clouds.js';
import { ensureFakeStripe, stopFakeStripe } from './fake-stripe.js';
import { ensureGateway, stopGateway } from './gateway.js';
import { ensureMailInbox, mailInboxPorts, mailInboxUrl, stopMailInbox } from './mail-inbox.js';
import { ensureKafka, kafkaAnswers, stopKafka } from './kafka-broker.js';
import { ensurePrivatePostgres, stopPrivatePostgres } from './private-postgres.js';
import { ensurePrivateRedis, stopPrivateRedis } from './private-redis.js';
import { say } from './log.js';
import { answers } from './probes.js';
import { ProcessTable } from './processes.js';
import { migrateAll, replicasReady, startServices, stopServices, writeEnvironmentFiles } from './services.js';

export const processTableOf = (profile: Profile) => new ProcessTable(path.join(profile.stateDir, 'run'));

/** Kafka, Postgres, Redis: what services and integration tests need. */
export async function infrastructureUp(profile: Profile): Promise<void> {
  const processes = processTableOf(profile);
  if (profile.privateDatastores)
    await Promise.all([ensurePrivatePostgres(profile), ensurePrivateRedis(profile, processes)]);
  await Promise.all([ensurePostgres(profile), ensureRedis(profile)]);
  await ensureKafka(profile, processes);
}

/** Migrations, the gateway, every service replica. Idempotent: what already runs is left alone. */
export async function platformUp(profile: Profile): Promise<void> {
  const processes = processTableOf(profile);
  writeEnvironmentFiles(profile);
  await migrateAll(profile);
  // First: with replicas, services reach each other through the gateway's internal listeners.
  await ensureGateway(profile, processes);
  await ensureFakeStripe(profile, processes);
  await ensureFakeClouds(profile, processes);
  await ensureMailInbox(profile, processes);
  await startServices(profile, processes);
}

/** Stops what `./dev` started for this profile, services first so they drain against a live broker. */
export async function everythingDown(profile: Profile): Promise<void> {
  const processes = processTableOf(profile);
  const stoppedGateway = await stopGateway(processes);
  const stoppedServices = await stopServices(processes);
  const stoppedFakeStripe = await stopFakeStripe(processes);
  const stoppedFakeClouds = await stopFakeClouds(processes);
  const stoppedMailInbox = await stopMailInbox(processes);
  const stoppedKafka = await stopKafka(processes);
  const stoppedRedis = profile.privateDatastores === true && (await stopPrivateRedis(processes));
  const stoppedPostgres = profile.privateDatastores === true && (await stopPrivatePostgres(profile));
  const stopped = [
    ...(stoppedGateway ? ['gateway'] : []),
    ...stoppedServices,
    ...(stoppedFakeStripe ? ['fake-stripe'] : []),
    ...(stoppedFakeClouds ? ['fake-clouds'] : []),
    ...(stoppedMailInbox ? ['mail-inbox'] : []),
    ...(stoppedKafka ? ['kafka'] : []),
    ...(stoppedRedis ? ['redis'] : []),
    ...(stoppedPostgres ? ['postgres'] : []),
  ];
  say(stopped.length > 0 ? `stopped ${stopped.join(', ')}` : 'nothing that ./dev started is running');
}

export async function stackDown(profile: Profile): Promise<void> {
  const processes = processTableOf(profile);
  const stopped = [
    (await stopGateway(processes)) && 'gateway',
    (await stopKafka(processes)) && 'kafka',
  ].filter(Boolean);
  say(stopped.length > 0 ? `stopped ${stopped.join(', ')}` : 'nothing that ./dev started is running');
}

export async function gatewayAndInfrastructureUp(profile: Profile): Promise<void> {
  await infrastructureUp(profile);
  await ensureGateway(profile, processTableOf(profile));
}

export interface StatusReport {
  readonly gateway: string;
  readonly gatewayUp: boolean;
  readonly kafka: { readonly bootstrap: string; readonly up: boolean };
  /** The local inbox identity mails to (maildev's web UI). */
  readonly mailInbox: { readonly url: string; readonly up: boolean };
  readonly services: Record<
    string,
    {
      readonly url: string;
      readonly metrics: string;
      readonly ready: boolean;
      /** How many of its replicas answer ready, of how many the stack runs. */
      readonly replicas?: { readonly ready: number; readonly of: number };
      /** The service's consumer group and its lag, when asked for and Kafka answers. */
      readonly consumer?: ConsumerGroupReport;
    }
  >;
}

/** Where everything is and whether it is ready; with `lag`, each consumer group's lag from the broker too. */
export async function statusOf(profile: Profile, { lag = false } = {}): Promise<StatusReport> {
  const kafkaUp = await kafkaAnswers(profile);
  const [services, consumers] = await Promise.all([
    Promise.all(
      SERVICE_NAMES.map(async (service) => {
        const url = serviceUrl(profile, service);
        const readyCount = (await replicasReady(profile, service)).filter(Boolean).length;
        return [
          service,
          {
            url,
            metrics: `${replicaUrl(profile, service, 0)}/metrics`,
            ready: readyCount === profile.replicas,
            ...(profile.replicas > 1 ? { replicas: { ready: readyCount, of: profile.replicas } } : {}),
          },
        ] as const;
      }),
    ),
    lag ? consumerLagOf(profile, kafkaUp) : Promise.resolve(undefined),
  ]);
  return {
    gateway: gatewayUrl(profile),
    gatewayUp: await answers(profile.gateway.host, profile.gateway.port),
    kafka: { bootstrap: kafkaBootstrap(profile), up: kafkaUp },
    mailInbox: {
      url: mailInboxUrl(profile),
      up: await answers('127.0.0.1', mailInboxPorts(profile).web),
    },
    services: Object.fromEntries(
      services.map(([service, entry]) => {
        const consumer = consumers?.[service];
        return [service, consumer ? { ...entry, consumer } : entry];
      }),
    ),
  };
}

async function consumerLagOf(
  profile: Profile,
  kafkaUp: boolean,
): Promise<Record<string, ConsumerGroupReport>> {
  const groups = devConsumerGroups(SERVICE_NAMES);
  if (kafkaUp) return consumerGroupsOf(kafkaBootstrap(profile), groups);
  return Object.fromEntries(
    Object.entries(groups).map(([service, group]) => [service, { group, error: 'kafka is down' }]),
  );
}
