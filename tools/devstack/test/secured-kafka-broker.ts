import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually } from '@onecommons/testing';
import { Kafka, logLevel } from 'kafkajs';
import { brokerJavaArguments, ensureBrokerJars, formatKraftStorage } from '../src/stack/kafka-broker.js';
import { runCommand } from '../src/stack/run-command.js';

export interface ScramUser {
  readonly name: string;
  readonly password: string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A CA and a server certificate for 127.0.0.1 signed by it; the server PEM holds the PKCS#8 key and the cert. */
async function makeCertificates(directory: string): Promise<{ caFile: string; serverPemFile: string }> {
  const file = (name: string) => path.join(directory, name);
  const openssl = (...args: string[]) => runCommand('openssl', args, { cwd: directory });
  await openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', file('ca.key'));
  await openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    file('ca.key'),
    '-days',
    '2',
    '-subj',
    '/CN=onecommons test CA',
    '-out',
    file('ca.pem'),
  );
  await openssl(
    'genpkey',
    '-algorithm',
    'RSA',
    '-pkeyopt',
    'rsa_keygen_bits:2048',
    '-out',
    file('server.key'),
  );
  await openssl(
    'req',
    '-new',
    '-key',
    file('server.key'),
    '-subj',
    '/CN=127.0.0.1',
    '-out',
    file('server.csr'),
  );
  writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('server.ext'),
    '-out',
    file('server.crt'),
  );
  writeFileSync(
    file('server.pem'),
    readFileSync(file('server.key'), 'utf8') + readFileSync(file('server.crt'), 'utf8'),
  );
  return { caFile: file('ca.pem'), serverPemFile: file('server.pem') };
}

function serverProperties(options: {
  saslPort: number;
  internalPort: number;
  controllerPort: number;
  dataDir: string;
  serverPemFile: string;
}): string {
  const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${options.controllerPort}`,
    `listeners=SASL_SSL://127.0.0.1:${options.saslPort},INTERNAL://127.0.0.1:${options.internalPort},CONTROLLER://127.0.0.1:${options.controllerPort}`,
    `advertised.listeners=SASL_SSL://127.0.0.1:${options.saslPort},INTERNAL://127.0.0.1:${options.internalPort}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=INTERNAL',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,SASL_SSL:SASL_SSL',
    'sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512',
    `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${scram}`,
    `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${scram}`,
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${options.serverPemFile}`,
    `log.dirs=${options.dataDir}`,
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

/**
 * A single KRaft node, from the jars `./dev` uses, whose clients' listener is SASL_SSL with SCRAM-SHA-256 and
 * -512 (users added when the storage is formatted) and a certificate from a CA made for it, on free ports.
 */
export class SecuredKafkaBroker {
  private constructor(
    private readonly process: ChildProcess,
    private readonly directory: string,
    /** The SASL_SSL listener, `127.0.0.1:<port>`. */
    readonly bootstrap: string,
    /** The CA that signed the broker's certificate (PEM). */
    readonly caFile: string,
    private readonly logFile: string,
  ) {}

  static async start(users: readonly ScramUser[]): Promise<SecuredKafkaBroker> {
    await ensureBrokerJars();
    const directory = mkdtempSync(path.join(tmpdir(), 'secured-kafka-'));
    const { caFile, serverPemFile } = await makeCertificates(directory);
    const [saslPort, internalPort, controllerPort] = [await freePort(), await freePort(), await freePort()];
    const dataDir = path.join(directory, 'data');
    mkdirSync(dataDir);
    const propertiesFile = path.join(directory, 'server.properties');
    writeFileSync(
      propertiesFile,
      serverProperties({ saslPort, internalPort, controllerPort, dataDir, serverPemFile }),
    );
    const scramUsers = users.flatMap((user) =>
      ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((mechanism) => [
        '--add-scram',
        `${mechanism}=[name=${user.name},password=${user.password}]`,
      ]),
    );
    await formatKraftStorage(propertiesFile, randomBytes(16).toString('base64url'), scramUsers);
    const logFile = path.join(directory, 'server.log');
    const child = spawn('java', brokerJavaArguments(directory, propertiesFile), {
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const broker = new SecuredKafkaBroker(child, directory, `127.0.0.1:${saslPort}`, caFile, logFile);
    await broker.waitUntilServing(`127.0.0.1:${internalPort}`);
    return broker;
  }

  /** Asked on the internal plaintext listener: the secured one is what the tests try. */
  private async waitUntilServing(internal: string): Promise<void> {
    const admin = new Kafka({
      clientId: 'secured-broker-probe',
      brokers: [internal],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    }).admin();
    try {
      await eventually(
        'the secured Kafka broker to serve',
        async () => {
          if (this.process.exitCode !== null) {
            throw new Error(
              `the broker exited (${this.process.exitCode}): ${readFileSync(this.logFile, 'utf8').slice(-2_000)}`,
            );
          }
          await admin.connect();
          const cluster = await admin.describeCluster();
          return cluster.controller !== null ? true : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null) {
      const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
      this.process.kill('SIGTERM');
      const killed = setTimeout(() => this.process.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killed);
    }
    rmSync(this.directory, { recursive: true, force: true });
  }
}
