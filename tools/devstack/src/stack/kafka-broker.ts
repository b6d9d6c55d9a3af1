import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { allTopicNamesWithDlq } from '@onecommons/contracts';
import {
  describeDifferingSettings,
  describeUnderPartitioned,
  ensureTopics,
  kafkaClientSecurity,
  kafkaSecurityFromEnvironment,
  topicSettingsFromEnvironment,
  topicSpecsOf,
  type TopicSpec,
} from '@onecommons/kafka';
import { Kafka, logLevel } from 'kafkajs';
import {
  kafkaBootstrap,
  kafkaNode,
  kafkaNodeIndexes,
  kafkaReplication,
  REPO_ROOT,
  type Profile,
} from '../profile.js';
import { say } from './log.js';
import { answers, waitUntil } from './probes.js';
import { type ProcessTable } from './processes.js';
import { runCommand } from './run-command.js';

const KAFKA_DEPLOY_DIR = path.join(REPO_ROOT, 'deploy/local/kafka');
const JARS_DIR = path.join(REPO_ROOT, '.local/kafka/libs');
const JARS_STAMP = path.join(REPO_ROOT, '.local/kafka/pom.sha256');
const PROCESS_NAME = 'kafka';

/** Resolves the broker jars from Maven Central (cached in ~/.m2) when the pom changed since last time. */
export async function ensureBrokerJars(): Promise<void> {
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

export const kafkaProcessName = (node: number) => (node === 0 ? PROCESS_NAME : `${PROCESS_NAME}-${node}`);

const propertiesFileOf = (profile: Profile, node: number) =>
  path.join(profile.stateDir, 'kafka', node === 0 ? 'server.properties' : `server-${node}.properties`);

function renderServerProperties(profile: Profile, node: number): string {
  const template = readFileSync(path.join(KAFKA_DEPLOY_DIR, 'server.properties.template'), 'utf8');
  const { factor, minInsync } = kafkaReplication(profile);
  const { brokerPort, controllerPort, dataDir } = kafkaNode(profile, node);
  const values: Record<string, string> = {
    NODE_ID: String(node + 1),
    CONTROLLER_QUORUM_VOTERS: kafkaNodeIndexes(profile)
      .map((voter) => `${voter + 1}@${profile.kafka.host}:${kafkaNode(profile, voter).controllerPort}`)
      .join(','),
    BROKER_PORT: String(brokerPort),
    CONTROLLER_PORT: String(controllerPort),
    DATA_DIR: dataDir,
    REPLICATION_FACTOR: String(factor),
    MIN_INSYNC_REPLICAS: String(minInsync),
  };
  const rendered = template.replace(/\$\{([A-Z_]+)\}/g, (match, name: string) => {
    const value = values[name];
    if (value === undefined)
      throw new Error(`server.properties.template uses \${${name}}, which ./dev does not set`);
    return value;
  });
  const file = propertiesFileOf(profile, node);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, rendered);
  return file;
}

const javaClasspath = () => `${JARS_DIR}/*`;

/** The cluster's id: the one a formatted node already holds, else a new one (every node is formatted with it). */
async function clusterIdOf(profile: Profile): Promise<string> {
  for (const node of kafkaNodeIndexes(profile)) {
    const meta = path.join(kafkaNode(profile, node).dataDir, 'meta.properties');
    const id = existsSync(meta) ? /^cluster\.id=(.+)$/m.exec(readFileSync(meta, 'utf8'))?.[1] : undefined;
    if (id) return id.trim();
  }
  const output = await runCommand('java', ['-cp', javaClasspath(), 'kafka.tools.StorageTool', 'random-uuid']);
  return output.trim().split('\n').pop() ?? output.trim();
}

/** Formats a node's KRaft log directory unless it already is. */
async function formatStorage(
  profile: Profile,
  node: number,
  propertiesFile: string,
  clusterId: string,
): Promise<void> {
  const { dataDir } = kafkaNode(profile, node);
  if (existsSync(path.join(dataDir, 'meta.properties'))) return;
  mkdirSync(dataDir, { recursive: true });
  await formatKraftStorage(propertiesFile, clusterId, ['--ignore-formatted']);
}

/** `kafka-storage format` of the log directory a properties file names (e.g. with `--add-scram` users). */
export async function formatKraftStorage(
  propertiesFile: string,
  clusterId: string,
  options: readonly string[] = [],
): Promise<void> {
  await runCommand('java', [
    '-cp',
    javaClasspath(),
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    propertiesFile,
    ...options,
  ]);
}

/** The JVM arguments that run one broker from the resolved jars, logging into `logsDir`. */
export function brokerJavaArguments(logsDir: string, propertiesFile: string): string[] {
  return [
    '-Xms256m',
    '-Xmx768m',
    '-XX:+UseG1GC',
    `-Dlog4j.configuration=file:${path.join(KAFKA_DEPLOY_DIR, 'log4j.properties')}`,
    `-Dkafka.logs.dir=${logsDir}`,
    '-cp',
    javaClasspath(),
    'kafka.Kafka',
    propertiesFile,
  ];
}

function adminClient(profile: Profile, retries = 0): Kafka {
  return new Kafka({
    clientId: 'onecommons-dev',
    brokers: kafkaBootstrap(profile).split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    retry: { retries },
    ...kafkaClientSecurity(kafkaSecurityFromEnvironment()),
  });
}

/** Some node takes connections at its broker port. */
export async function kafkaAnswers(profile: Profile): Promise<boolean> {
  const answering = await Promise.all(
    kafkaNodeIndexes(profile).map((node) => answers(profile.kafka.host, kafkaNode(profile, node).brokerPort)),
  );
  return answering.some(Boolean);
}

/** True once every node is a broker of the cluster and a controller leads it (a TCP accept comes before that). */
async function clusterServes(profile: Profile): Promise<boolean> {
  const admin = adminClient(profile).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length >= profile.kafka.nodes && cluster.controller !== null;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Starts one node on its log directory (formatted first when new). */
async function startNode(
  profile: Profile,
  processes: ProcessTable,
  node: number,
  clusterId: string,
): Promise<void> {
  const propertiesFile = renderServerProperties(profile, node);
  await formatStorage(profile, node, propertiesFile, clusterId);
  say(
    `starting Kafka (KRaft) node ${node + 1} of ${profile.kafka.nodes} on ${profile.kafka.host}:${kafkaNode(profile, node).brokerPort}`,
  );
  processes.start({
    name: kafkaProcessName(node),
    command: 'java',
    args: brokerJavaArguments(
      path.join(profile.stateDir, 'logs', node === 0 ? '' : `kafka-${node}`),
      propertiesFile,
    ),
    cwd: REPO_ROOT,
    logFile: path.join(profile.stateDir, 'logs', node === 0 ? 'kafka.log' : `kafka-${node}.log`),
    marker: propertiesFile,
  });
}

/**
 * Makes the profile's Kafka answer: uses whatever already answers at each node's address, else starts that
 * node (a profile that wipes its data starts from an empty log when no node runs). Waits until every node is
 * in the cluster, then creates the platform's topics with the cluster's replication. Returns whether this
 * call started a node.
 */
export async function ensureKafka(profile: Profile, processes: ProcessTable): Promise<boolean> {
  const down: number[] = [];
  for (const node of kafkaNodeIndexes(profile))
    if (!(await answers(profile.kafka.host, kafkaNode(profile, node).brokerPort))) down.push(node);
  if (down.length > 0) {
    await ensureBrokerJars();
    if (profile.kafka.wipeOnStart && down.length === profile.kafka.nodes)
      for (const node of down) rmSync(kafkaNode(profile, node).dataDir, { recursive: true, force: true });
    const clusterId = await clusterIdOf(profile);
    for (const node of down) await startNode(profile, processes, node, clusterId);
  }
  await waitUntil(`Kafka at ${kafkaBootstrap(profile)}`, () => clusterServes(profile), {
    timeoutMs: 90_000,
    intervalMs: 500,
  });
  const created = await createMissingTopics(profile, adminClient(profile, 5));
  if (created.length > 0) say(`created ${created.length} topics`);
  return down.length > 0;
}

/** SIGKILL one node (a crash: no controlled shutdown). Returns the pid killed. */
export async function killKafkaNode(processes: ProcessTable, node: number): Promise<number | undefined> {
  return processes.kill(kafkaProcessName(node));
}

const topicPartitionsOf = (profile: Profile) => (profile.name === 'test' ? 3 : 6);

/** The platform's topics as `./dev` sizes them: the profile's partitions and the cluster's replication. */
function profileTopicSpecs(profile: Profile): TopicSpec[] {
  const { factor, minInsync } = kafkaReplication(profile);
  const settings = topicSettingsFromEnvironment({
    ...process.env,
    KAFKA_TOPIC_PARTITIONS: String(topicPartitionsOf(profile)),
    KAFKA_TOPIC_REPLICATION_FACTOR: String(factor),
    KAFKA_TOPIC_MIN_INSYNC_REPLICAS: String(minInsync),
  });
  return topicSpecsOf(allTopicNamesWithDlq(), settings);
}

/**
 * Creates the platform's topics that do not exist, with the cluster's replication. Tries again while the
 * cluster is not ready for it: topics of the same name still being deleted, or a node that has not yet
 * learned of a topic just created (a cluster's metadata reaches its nodes one after another).
 */
async function createMissingTopics(profile: Profile, kafka: Kafka): Promise<string[]> {
  let created: string[] = [];
  await waitUntil(
    'the topics to be created',
    async () => {
      try {
        const outcome = await ensureTopics(kafka, profileTopicSpecs(profile));
        created = [...created, ...outcome.created];
        if (outcome.underPartitioned.length > 0) say(describeUnderPartitioned(outcome.underPartitioned));
        if (outcome.differing.length > 0) say(describeDifferingSettings(outcome.differing));
        return true;
      } catch {
        return false;
      }
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  return created;
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
  await createMissingTopics(profile, kafka);
  say(`recreated ${topics.length} topics empty`);
}

/** Stops every node this profile's process table started, however many it runs now. */
export async function stopKafka(processes: ProcessTable): Promise<boolean> {
  const nodes = processes
    .names()
    .filter((name) => name === PROCESS_NAME || name.startsWith(`${PROCESS_NAME}-`));
  const stopped = await Promise.all(nodes.map((name) => processes.stop(name, 30_000)));
  return stopped.some(Boolean);
}
