import { jest } from '@jest/globals';
import { runCli } from '../program.js';
import { InvalidInputError } from '../cli-error.js';
import { DEFAULT_KAFKA_BROKERS, kafkaSettingsFromEnvironment, resolveDlqTopic } from './dlq.js';

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

function invalidInputOf(action: () => unknown): InvalidInputError {
  try {
    action();
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected an InvalidInputError');
}

describe('resolveDlqTopic', () => {
  it.each([
    ['identity.events.v1', 'identity.events.v1.dlq'],
    ['identity.events.v1.dlq', 'identity.events.v1.dlq'],
    [' metering.usage.v1 ', 'metering.usage.v1.dlq'],
  ])('reads %j as %j', (input, topic) => expect(resolveDlqTopic(input, 'topic')).toBe(topic));

  it.each(['identity.events.v2', 'identity.events.v1.dlq.dlq', '.dlq', ''])(
    'refuses %j, naming the path',
    (input) => {
      const error = invalidInputOf(() => resolveDlqTopic(input, 'topic'));
      expect(error.path).toBe('topic');
      expect(error.reason).toContain('unknown topic');
      expect(error.reason).toContain('identity.events.v1');
    },
  );
});

describe('kafkaSettingsFromEnvironment', () => {
  it('defaults to the dev stack broker', () => {
    expect(kafkaSettingsFromEnvironment({}).brokers).toEqual([DEFAULT_KAFKA_BROKERS]);
  });

  it('takes KAFKA_BROKERS and the timeouts from the environment', () => {
    const settings = kafkaSettingsFromEnvironment({
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
      KAFKA_REQUEST_TIMEOUT_MS: '5000',
    });
    expect(settings.brokers).toEqual(['kafka-1:9092', 'kafka-2:9092']);
    expect(settings.requestTimeoutMs).toBe(5_000);
  });

  it('refuses a bad KAFKA_BROKERS, naming it', () => {
    const error = invalidInputOf(() => kafkaSettingsFromEnvironment({ KAFKA_BROKERS: 'no-port' }));
    expect(error.message).toBe('invalid input: KAFKA_BROKERS: must be a comma-separated list of host:port');
  });
});

describe('commons dlq (input checked before Kafka is reached)', () => {
  const saved = process.env['KAFKA_BROKERS'];
  afterEach(() => {
    if (saved === undefined) delete process.env['KAFKA_BROKERS'];
    else process.env['KAFKA_BROKERS'] = saved;
  });

  it('exits 2 on a topic outside the catalogue', async () => {
    const result = await run(['dlq', 'redrive', 'nowhere.events.v1']);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^invalid input: topic: unknown topic "nowhere\.events\.v1"; known: /);
  });

  it('exits 2 on an unknown --topic of list', async () => {
    const result = await run(['dlq', 'list', '--topic', 'nowhere.events.v1.dlq']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^invalid input: --topic: unknown topic/);
  });

  it('exits 2 on an empty --id', async () => {
    const result = await run(['dlq', 'redrive', 'identity.events.v1', '--id', '  ']);
    expect(result).toEqual({ exitCode: 2, stdout: '', stderr: 'invalid input: --id: must not be empty\n' });
  });

  it('exits 2 naming KAFKA_BROKERS when it is malformed', async () => {
    process.env['KAFKA_BROKERS'] = 'localhost';
    const result = await run(['dlq', 'list', '--json']);
    expect(result).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: 'invalid input: KAFKA_BROKERS: must be a comma-separated list of host:port\n',
    });
  });

  it('exits 2 on a redrive without a topic', async () => {
    const result = await run(['dlq', 'redrive']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("missing required argument 'topic'");
  });
});
