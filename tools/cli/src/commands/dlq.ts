import { ConfigError, loadConfig } from '@onecommons/config';
import { allTopicNames, dlqTopicOf, isDlqTopic, originalTopicOf } from '@onecommons/contracts';
import {
  createKafka,
  DeadLetterReader,
  DeadLetterRedriver,
  kafkaConfigSchema,
  kafkaSettingsFrom,
  type KafkaSettings,
} from '@onecommons/kafka';
import { type Command } from 'commander';
import { type Kafka } from 'kafkajs';
import { CliError, ExitCode, InvalidInputError } from '../cli-error.js';
import { deadLettersJson, deadLettersText, redriveText } from './dlq-report.js';

/** The dev stack's broker, so `commons dlq list` works there without any setting. */
export const DEFAULT_KAFKA_BROKERS = '127.0.0.1:9092';

const kafkaEnvironment = kafkaConfigSchema(DEFAULT_KAFKA_BROKERS);

/** `commons dlq list` and `commons dlq redrive`: what consumers gave up on, and putting it back. */
export function registerDlqCommand(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('dead-lettered messages (<topic>.dlq): list them, or put them back on their topic');

  dlq
    .command('list')
    .description('list the dead letters not yet redriven, per DLQ topic')
    .option('--json', 'print one JSON object: { "<dlq topic>": [ letter, … ], … }')
    .option('--topic <topic>', 'only this topic (e.g. identity.events.v1 or identity.events.v1.dlq)')
    .action(async (options: { json?: boolean; topic?: string }) => {
      const topics =
        options.topic === undefined
          ? allTopicNames().map(dlqTopicOf)
          : [resolveDlqTopic(options.topic, '--topic')];
      const contents = await withKafka((kafka) => new DeadLetterReader(kafka).read(topics));
      const listings = contents.map(({ topic, pending }) => ({
        topic,
        entries: pending.map((record) => record.entry),
      }));
      process.stdout.write(options.json ? `${deadLettersJson(listings)}\n` : deadLettersText(listings));
    });

  dlq
    .command('redrive')
    .description('re-publish dead letters to their original topic and mark them redriven')
    .argument('<topic>', 'the topic or its DLQ, e.g. identity.events.v1 or identity.events.v1.dlq')
    .option(
      '--id <id>',
      'only this letter: its CloudEvent id or <partition>:<offset> in the DLQ (repeatable); default all',
      (id: string, ids: string[] | undefined) => [...(ids ?? []), id],
    )
    .action(async (topic: string, options: { id?: string[] }) => {
      const dlqTopic = resolveDlqTopic(topic, 'topic');
      const ids = (options.id ?? []).map((id) => id.trim());
      if (ids.some((id) => id === '')) throw new InvalidInputError('--id', 'must not be empty');
      const outcome = await withKafka((kafka) => new DeadLetterRedriver(kafka).redrive(dlqTopic, ids));
      if (!outcome.ok) {
        throw new InvalidInputError(
          '--id',
          `no dead letter ${outcome.unknownIds.join(', ')} on ${dlqTopic}; nothing was redriven`,
        );
      }
      process.stdout.write(redriveText(outcome));
    });
}

/** Accepts a catalogue topic or its DLQ twin; returns the DLQ topic. */
export function resolveDlqTopic(input: string, path: string): string {
  const name = input.trim();
  const topic = isDlqTopic(name) ? originalTopicOf(name) : name;
  if (!allTopicNames().includes(topic)) {
    throw new InvalidInputError(path, `unknown topic "${input}"; known: ${allTopicNames().join(', ')}`);
  }
  return dlqTopicOf(topic);
}

/** Kafka settings from the environment, like a service's; a bad variable is invalid input naming it. */
export function kafkaSettingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): KafkaSettings {
  try {
    return kafkaSettingsFrom(loadConfig(kafkaEnvironment, env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const [first, ...rest] = error.problems;
    if (first && rest.length === 0) throw new InvalidInputError(first.variable, first.message);
    const lines = error.problems.map((problem) => `invalid input: ${problem.variable}: ${problem.message}`);
    throw new CliError(lines.join('\n'), ExitCode.invalidInput);
  }
}

async function withKafka<T>(work: (kafka: Kafka) => Promise<T>): Promise<T> {
  const settings = kafkaSettingsFromEnvironment();
  try {
    return await work(createKafka(settings, 'commons-cli'));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`dlq: Kafka at ${settings.brokers.join(',')}: ${describe(error)}`);
  }
}

/** Duck-typed: errors from other realms (a test runner's VM context) are not `instanceof Error` here. */
function describe(error: unknown): string {
  const message: unknown =
    typeof error === 'object' && error !== null ? Reflect.get(error, 'message') : undefined;
  return typeof message === 'string' ? message : String(error);
}
