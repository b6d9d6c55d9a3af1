import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { allTopicNamesWithDlq } from '@onecommons/contracts';
import { ensureTopics } from '@onecommons/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaBootstrap, REPO_ROOT, type Profile } from '../profile.js';
import { say } from './log.js';
import { answers, waitUntil } from './probes.js';
import { type ProcessTable } from './processes.js';
import { runCommand } from './run-command.js';

const KAFKA_DEPLOY_DIR = path.join(REPO_ROOT, 'deploy/local/kafka');
const JARS_DIR = path.join(REPO_ROOT, '.local/kafka/libs');
const JARS_STAMP = path.join(REPO_ROOT, '.local/kafka/pom.sha256');
const PROCESS_NAME = 'kafka';

/** Resolves the broker jars from Maven Central (cached in ~/.m2) when the pom changed since last time. */
async function ensureBrokerJars(): Promise<void> {
  const pom = readFileSync(path.join(KAFKA_DEPLOY_DIR, 'pom.xml'));
  const digest = createHash('sha256').update(pom).digest('hex');
  const current = existsSync(JARS_STAMP) ? readFileSync(JARS_STAMP, 'utf8') : '';
  if (current === digest && existsSync(JARS_DIR) && readdirSync(JARS_DIR).length > 0) return;
  say('resolving the Kafka broker from Maven Central (mvn dependency:copy-dependencies)');
  rmSync(JARS_DIR, { recursive: true, force: true });
  await runCommand('mvn', [
    '-q',
    '-B',
    '-f',
    path.join(KAFKA_DEPLOY_DIR, 'pom.xml'),
    'dependency:copy-dependencies',
    `-DoutputDirectory=${JARS_DIR}`,
    '-DincludeScope=runtime',
  ]);
  writeFileSync(JARS_STAMP, digest);
}

function renderServerProperties(profile: Profile, file: string): void {
  const template = readFileSync(path.join(KAFKA_DEPLOY_DIR, 'server.properties.template'), 'utf8');
  const values: Record<string, string> = {
    BROKER_PORT: String(profile.kafka.brokerPort),
    CONTROLLER_PORT: String(profile.kafka.controllerPort),
    DATA_DIR: profile.kafka.dataDir,
  };
  const rendered = template.replace(/\$\{([A-Z_]+)\}/g, (match, name: string) => values[name] ?? match);
  writeFileSync(file, rendered);
}

const javaClasspath = () => `${JARS_DIR}/*`;

/** Formats the KRaft log directory once (or every time for a profile that wipes its data). */
async function formatStorage(profile: Profile, propertiesFile: string): Promise<void> {
  if (profile.kafka.wipeOnStart) rmSync(profile.kafka.dataDir, { recursive: true, force: true });
  if (existsSync(path.join(profile.kafka.dataDir, 'meta.properties'))) return;
  mkdirSync(profile.kafka.dataDir, { recursive: true });
  const clusterId = (
    await runCommand('java', ['-cp', javaClasspath(), 'kafka.tools.StorageTool', 'random-uuid'])
  ).trim();
  await runCommand('java', [
    '-cp',
    javaClasspath(),
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId.split('\n').pop() ?? clusterId,
    '-c',
    propertiesFile,
    '--ignore-formatted',
  ]);
}

function adminClient(profile: Profile, retries = 0): Kafka {
  return new Kafka({
    clientId: 'onecommons-dev',
    brokers: [kafkaBootstrap(profile)],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    retry: { retries },
  });
}

/** True once the broker answers a metadata request (a TCP accept alone comes before it can serve). */
async function brokerServes(profile: Profile): Promise<boolean> {
  const admin = adminClient(profile).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Makes a broker answer at the profile's bootstrap address: uses whatever already answers there, else
 * starts ours. Returns whether this call started it.
 */
export async function ensureKafka(profile: Profile, processes: ProcessTable): Promise<boolean> {
  const { host, brokerPort } = profile.kafka;
  let started = false;
  if (!(await answers(host, brokerPort))) {
    await ensureBrokerJars();
    const configDir = path.join(profile.stateDir, 'kafka');
    mkdirSync(configDir, { recursive: true });
    const propertiesFile = path.join(configDir, 'server.properties');
    renderServerProperties(profile, propertiesFile);
    await formatStorage(profile, propertiesFile);
    say(`starting Kafka (KRaft) on ${host}:${brokerPort}`);
    processes.start({
      name: PROCESS_NAME,
      command: 'java',
      args: [
        '-Xms256m',
        '-Xmx768m',
        '-XX:+UseG1GC',
        `-Dlog4j.configuration=file:${path.join(KAFKA_DEPLOY_DIR, 'log4j.properties')}`,
        `-Dkafka.logs.dir=${path.join(profile.stateDir, 'logs')}`,
        '-cp',
        javaClasspath(),
        'kafka.Kafka',
        propertiesFile,
      ],
      cwd: REPO_ROOT,
      logFile: path.join(profile.stateDir, 'logs', 'kafka.log'),
      marker: propertiesFile,
    });
    started = true;
  }
  await waitUntil(`Kafka at ${host}:${brokerPort}`, () => brokerServes(profile), {
    timeoutMs: 90_000,
    intervalMs: 500,
  });
  const created = await ensureTopics(
    adminClient(profile, 5),
    allTopicNamesWithDlq(),
    profile.name === 'test' ? 3 : 6,
  );
  if (created.length > 0) say(`created ${created.length} topics`);
  return started;
}

/**
 * Deletes the platform's topics and creates them empty: the e2e tier's services consume from the earliest
 * offset, and must not see the integration tests' events (synthetic closes, redemptions, payouts).
 */
export async function recreateTopics(profile: Profile): Promise<void> {
  const kafka = adminClient(profile, 5);
  const topics = allTopicNamesWithDlq();
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((topic) => existing.has(topic));
    if (present.length > 0) await admin.deleteTopics({ topics: present, timeout: 30_000 });
    await waitUntil(
      'the deleted topics to be gone',
      async () => {
        const left = new Set(await admin.listTopics());
        return topics.every((topic) => !left.has(topic));
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  } finally {
    await admin.disconnect();
  }
  await waitUntil(
    'the topics to be created again',
    async () => {
      try {
        await ensureTopics(kafka, topics, profile.name === 'test' ? 3 : 6);
        return true;
      } catch {
        return false; // still being deleted: try again
      }
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  say(`recreated ${topics.length} topics empty`);
}

export async function stopKafka(processes: ProcessTable): Promise<boolean> {
  return processes.stop(PROCESS_NAME, 30_000);
}

export const kafkaProcessName = PROCESS_NAME;
