import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@onecommons/config';
import {
  createKafka,
  ensureTopics,
  kafkaConfigSchema,
  kafkaSettingsFrom,
  type KafkaSettings,
  topicSpecsOf,
} from '@onecommons/kafka';
import { eventually, uniqueSuffix } from '@onecommons/testing';
import { type Consumer } from 'kafkajs';
import { SecuredKafkaBroker } from './secured-kafka-broker.js';

// Clients built from the platform's config, as a service builds its own, against a broker that takes only
// SASL_SSL with SCRAM: they produce and consume; a wrong password or an unknown CA is refused, saying so.

const USER = { name: 'ledger', password: `pw-${uniqueSuffix()}` };
let broker: SecuredKafkaBroker;
const consumers: Consumer[] = [];

beforeAll(async () => {
  broker = await SecuredKafkaBroker.start([USER]);
}, 240_000);

afterAll(async () => {
  await Promise.all(consumers.map((consumer) => consumer.disconnect()));
  await broker?.stop();
});

function settingsFor(env: Record<string, string>): KafkaSettings {
  return kafkaSettingsFrom(
    loadConfig(kafkaConfigSchema(), {
      KAFKA_BROKERS: broker.bootstrap,
      KAFKA_CONNECTION_TIMEOUT_MS: '10000',
      KAFKA_TLS: 'true',
      KAFKA_TLS_CA_FILE: broker.caFile,
      KAFKA_SASL_USERNAME: USER.name,
      KAFKA_SASL_PASSWORD: USER.password,
      ...env,
    }),
  );
}

async function roundTrip(settings: KafkaSettings): Promise<string[]> {
  const kafka = createKafka(settings, `t-secured-${uniqueSuffix()}`);
  const topic = `t-secured-${uniqueSuffix()}`;
  const { created } = await ensureTopics(kafka, topicSpecsOf([topic], settings.topics));
  expect(created).toEqual([topic]);
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: [
      { key: 'a', value: 'first' },
      { key: 'b', value: 'second' },
    ],
  });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `t-secured-${uniqueSuffix()}` });
  consumers.push(consumer);
  const received: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void received.push(String(message.value)) });
  await eventually('both messages back', async () => (received.length >= 2 ? true : undefined), {
    timeoutMs: 60_000,
  });
  return received.sort();
}

async function connectionError(settings: KafkaSettings): Promise<Error> {
  const admin = createKafka({ ...settings }, `t-secured-${uniqueSuffix()}`).admin();
  try {
    await admin.connect();
  } catch (error) {
    return error as Error;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  throw new Error('the broker accepted the connection');
}

describe('a client built from KAFKA_SASL_* and KAFKA_TLS*', () => {
  it.each(['SCRAM-SHA-256', 'SCRAM-SHA-512'])(
    'produces and consumes through SASL_SSL with %s',
    async (mechanism) => {
      expect(await roundTrip(settingsFor({ KAFKA_SASL_MECHANISM: mechanism }))).toEqual(['first', 'second']);
    },
  );

  it('is refused with a wrong password, and the error says authentication failed', async () => {
    const error = await connectionError(
      settingsFor({ KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_PASSWORD: 'not-the-password' }),
    );
    expect(error.name).toBe('KafkaJSSASLAuthenticationError');
    expect(error.message).toMatch(/SASL SCRAM SHA512 authentication failed/);
  });

  it("is refused when it does not trust the broker's CA (the system CAs alone)", async () => {
    const settings = settingsFor({ KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256' });
    const withoutCa = { ...settings, security: { ...settings.security, tls: {} } };
    const error = await connectionError(withoutCa);
    expect(error.message).toMatch(/certificate/i);
  });
});
