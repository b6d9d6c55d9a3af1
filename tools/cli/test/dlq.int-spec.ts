import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  allTopicNames,
  createEvent,
  DeploymentStatusChangedV1,
  dlqTopicOf,
  TOPICS,
} from '@onecommons/contracts';
import { DeadLetterPublisher, DLQ_HEADERS, type DeadLetterEntry } from '@onecommons/kafka';
import { eventually, testStack, TopicProbe, uniqueSuffix, type ObservedMessage } from '@onecommons/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { runCli } from '../src/program.js';

// The ledger consumes this topic, and the ledgers of tests running beside this one dead-letter the copies
// redriven here (an unknown type, a poison message) under their own consumer groups. So this test looks only
// at letters of its own group, and at what its own redrives wrote, never at a whole topic's counts.
const TOPIC = TOPICS.provisionerEvents.name;
const DLQ = dlqTopicOf(TOPIC);
const suffix = uniqueSuffix();
const consumerGroup = `t-cli-dlq-${suffix}`;
const traceparent = `00-${randomUUID().replaceAll('-', '')}-${randomUUID().replaceAll('-', '').slice(0, 16)}-01`;

interface Letter {
  readonly key: string;
  readonly eventId: string | null;
  readonly value: string;
}

/** A valid event no service handles, so a copy redriven to the topic is ignored rather than dead-lettered again. */
function cloudEvent(key: string): Letter {
  const event = createEvent(
    DeploymentStatusChangedV1,
    {
      deploymentId: randomUUID(),
      serviceId: randomUUID(),
      operatorId: randomUUID(),
      providerId: randomUUID(),
      providerAccountId: randomUUID(),
      region: 'test-1',
      size: 'small',
      desired: 'present',
      phase: 'Failed',
      ready: 'False',
      reason: 'a handler could not apply this',
      changedAt: new Date().toISOString(),
    },
    { source: '/onecommons/provisioner' },
  );
  return { key, eventId: event.id, value: JSON.stringify(event) };
}

const failed = cloudEvent(`dlq-cli-${suffix}-failed`);
const poison: Letter = { key: `dlq-cli-${suffix}-poison`, eventId: null, value: '{"not json' };
const spare = cloudEvent(`dlq-cli-${suffix}-spare`);

let kafka: Kafka;
let producer: Producer;
let probe: TopicProbe;
const savedBrokers = process.env['KAFKA_BROKERS'];

async function run(argv: readonly string[]) {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    if (!/ExperimentalWarning|--trace-warnings/.test(String(chunk))) stderr += String(chunk);
    return true;
  });
  try {
    return { exitCode: await runCli(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

async function listJson(): Promise<Record<string, DeadLetterEntry[]>> {
  const result = await run(['dlq', 'list', '--json']);
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  return JSON.parse(result.stdout) as Record<string, DeadLetterEntry[]>;
}

const ours = (entries: readonly DeadLetterEntry[] | undefined, letter: Letter) =>
  (entries ?? []).filter((entry) => entry.key === letter.key && entry.consumerGroup === consumerGroup);

const position = (entry: DeadLetterEntry | undefined) => `${entry?.partition}:${entry?.offset}`;

function copiesOf(letter: Letter): ObservedMessage[] {
  return probe.matching((message) => message.topic === TOPIC && message.key === letter.key);
}

/** What redrives of this test's letters wrote: copies of them on the topic, markers on the DLQ. */
async function redriveWrites(): Promise<number> {
  await probe.readToEnd();
  const keys = new Set([failed.key, poison.key, spare.key]);
  return probe.matching(
    (message) =>
      (message.topic === TOPIC && keys.has(message.key ?? '')) ||
      (message.topic === DLQ && message.headers[DLQ_HEADERS.redrivenOffset] !== undefined),
  ).length;
}

beforeAll(async () => {
  process.env['KAFKA_BROKERS'] = testStack().kafkaBrokers;
  kafka = new Kafka({
    clientId: `cli-dlq-${suffix}`,
    brokers: testStack().kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  probe = await TopicProbe.start([TOPIC, DLQ]);
  const publisher = new DeadLetterPublisher(producer);
  const deadLetter = async (
    letter: Letter,
    partition: number,
    offset: string,
    reason: string,
    attempts: number,
  ) =>
    publisher.publish({
      topic: TOPIC,
      partition,
      consumerGroup,
      reason,
      error: `${reason}: ${letter.key} broke`,
      attempts,
      message: {
        key: Buffer.from(letter.key),
        value: Buffer.from(letter.value),
        headers: { traceparent, 'content-type': 'application/cloudevents+json' },
        offset,
        timestamp: String(Date.now()),
        attributes: 0,
      },
    });
  await deadLetter(failed, 1, '41', 'handler_failed', 5);
  await deadLetter(poison, 0, '7', 'invalid_json', 0);
  await deadLetter(spare, 2, '99', 'handler_failed', 3);
});

afterAll(async () => {
  await probe.stop();
  await producer.disconnect();
  if (savedBrokers === undefined) delete process.env['KAFKA_BROKERS'];
  else process.env['KAFKA_BROKERS'] = savedBrokers;
});

describe('commons dlq list', () => {
  it('prints every DLQ topic as a key, with the dead letters and why they failed', async () => {
    const listed = await listJson();
    expect(Object.keys(listed).sort()).toEqual(allTopicNames().map(dlqTopicOf).sort());
    expect(ours(listed[DLQ], failed)).toEqual([
      {
        partition: expect.any(Number),
        offset: expect.stringMatching(/^\d+$/),
        key: failed.key,
        eventId: failed.eventId,
        eventType: DeploymentStatusChangedV1.type,
        originalTopic: TOPIC,
        originalPartition: 1,
        originalOffset: '41',
        consumerGroup,
        reason: 'handler_failed',
        error: `handler_failed: ${failed.key} broke`,
        attempts: 5,
        failedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      },
    ]);
    expect(ours(listed[DLQ], poison)).toEqual([
      expect.objectContaining({ eventId: null, eventType: null, reason: 'invalid_json', attempts: 0 }),
    ]);
    expect(ours(listed[DLQ], spare)).toHaveLength(1);
  });

  it('lists one topic with --topic, given by name or DLQ name', async () => {
    for (const topic of [TOPIC, DLQ]) {
      const result = await run(['dlq', 'list', '--json', '--topic', topic]);
      expect(result.exitCode).toBe(0);
      const listed = JSON.parse(result.stdout) as Record<string, DeadLetterEntry[]>;
      expect(Object.keys(listed)).toEqual([DLQ]);
      expect(ours(listed[DLQ], failed)).toHaveLength(1);
    }
  });

  it('prints a table per topic with its count', async () => {
    const result = await run(['dlq', 'list']);
    expect(result.exitCode).toBe(0);
    const count = Number(
      new RegExp(`${DLQ.replaceAll('.', '\\.')}: (\\d+) dead letter`).exec(result.stdout)?.[1],
    );
    expect(count).toBeGreaterThanOrEqual(3);
    expect(result.stdout.match(/\n {2}\d+:\d+ /g)?.length).toBeGreaterThanOrEqual(count);
    expect(result.stdout).toMatch(
      new RegExp(`\\n {2}\\d+:\\d+ +${failed.eventId} +onecommons\\.provisioner`),
    );
    for (const topic of allTopicNames()) expect(result.stdout).toContain(`${dlqTopicOf(topic)}: `);
  });
});

describe('commons dlq redrive', () => {
  it('refuses unknown ids and redrives nothing, not even the known ones', async () => {
    const before = await redriveWrites();
    const result = await run([
      'dlq',
      'redrive',
      TOPIC,
      '--id',
      spare.eventId ?? '',
      '--id',
      `nope-${suffix}`,
    ]);
    expect(result).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: `invalid input: --id: no dead letter nope-${suffix} on ${DLQ}; nothing was redriven\n`,
    });
    expect(await redriveWrites()).toBe(before);
    expect(ours((await listJson())[DLQ], spare)).toHaveLength(1);
  });

  it('puts the chosen letters back on their topic with their headers, and list no longer shows them', async () => {
    const poisonPosition = position(ours((await listJson())[DLQ], poison)[0]);
    const result = await run(['dlq', 'redrive', DLQ, '--id', failed.eventId ?? '', '--id', poisonPosition]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      `redrove 2 dead letters from ${DLQ} to ${TOPIC} (2 messages republished):`,
    );
    expect(result.stdout).toContain(`  ${poisonPosition}  (no event id)\n`);
    expect(result.stdout).toMatch(new RegExp(`  \\d+:\\d+  ${failed.eventId}\\n`));

    for (const letter of [failed, poison]) {
      const [copy] = await eventually(`the redriven ${letter.key} on ${TOPIC}`, async () => {
        const copies = copiesOf(letter);
        return copies.length > 0 ? copies : undefined;
      });
      expect(copy?.value).toBe(letter.value);
      expect(copy?.headers).toEqual({ traceparent, 'content-type': 'application/cloudevents+json' });
    }

    const listed = (await listJson())[DLQ] ?? [];
    expect(ours(listed, failed)).toEqual([]);
    expect(ours(listed, poison)).toEqual([]);
    expect(ours(listed, spare)).toHaveLength(1);
    // Markers are not letters: every listed entry is a dead letter with its reason.
    expect(listed.filter((entry) => entry.reason === null)).toEqual([]);
  });

  it('does nothing the second time', async () => {
    const before = await redriveWrites();
    const result = await run(['dlq', 'redrive', TOPIC, '--id', failed.eventId ?? '']);
    expect(result).toEqual({
      exitCode: 0,
      stdout: `nothing to redrive on ${DLQ}\nalready redriven: ${failed.eventId}\n`,
      stderr: '',
    });
    expect(await redriveWrites()).toBe(before);
    expect(copiesOf(failed)).toHaveLength(1);
  });

  it('redrives every pending letter of the topic without --id', async () => {
    const result = await run(['dlq', 'redrive', TOPIC]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`  \\d+:\\d+  ${spare.eventId}\\n`));
    expect(result.stdout).not.toContain(failed.eventId);
    await eventually(`the redriven ${spare.key} on ${TOPIC}`, async () =>
      copiesOf(spare).length > 0 ? true : undefined,
    );
    expect(ours((await listJson())[DLQ], spare)).toEqual([]);
    // Beside ledgers that dead-letter the poison copy again, "nothing" is only certain for this test's letters.
    const again = await run(['dlq', 'redrive', TOPIC]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).not.toContain(spare.eventId);
    await probe.readToEnd();
    expect([copiesOf(failed).length, copiesOf(spare).length]).toEqual([1, 1]);
  });

  it('exits 2 naming the topic when it is not in the catalogue', async () => {
    const result = await run(['dlq', 'redrive', `unknown.events.v1.dlq`, '--id', failed.eventId ?? '']);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^invalid input: topic: unknown topic "unknown\.events\.v1\.dlq"/);
  });
});
