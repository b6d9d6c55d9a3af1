import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { booleanVar, hostPortListVar, integerVar, portVar, urlVar } from './env-fields.js';
import { loadConfig } from './load-config.js';

const schema = z.object({
  HTTP_PORT: portVar(),
  DATABASE_URL: urlVar(['postgres', 'postgresql']),
  KAFKA_BROKERS: hostPortListVar(),
  BATCH_SIZE: integerVar({ min: 1, max: 1000, default: 100 }),
  VERBOSE: booleanVar(false),
});

const valid = {
  HTTP_PORT: '3001',
  DATABASE_URL: 'postgres://svc:secret@127.0.0.1:5432/db',
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9094',
};

function problemsOf(env: Record<string, string>) {
  try {
    loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('returns typed values with defaults applied', () => {
    const config = loadConfig(schema, valid);
    expect(config).toEqual({
      HTTP_PORT: 3001,
      DATABASE_URL: valid.DATABASE_URL,
      KAFKA_BROKERS: ['127.0.0.1:9092', '127.0.0.1:9094'],
      BATCH_SIZE: 100,
      VERBOSE: false,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names a missing variable', () => {
    const error = problemsOf({ HTTP_PORT: '3001', DATABASE_URL: valid.DATABASE_URL });
    expect(error.problems).toEqual([{ variable: 'KAFKA_BROKERS', message: 'is required but not set' }]);
    expect(error.message).toContain('KAFKA_BROKERS: is required but not set');
  });

  it('treats an empty value as missing', () => {
    expect(problemsOf({ ...valid, HTTP_PORT: '' }).problems).toEqual([
      { variable: 'HTTP_PORT', message: 'is required but not set' },
    ]);
  });

  it('names every bad variable and never echoes the value', () => {
    const error = problemsOf({
      ...valid,
      HTTP_PORT: '99999',
      DATABASE_URL: 'mysql://svc:hunter2@h/db',
      BATCH_SIZE: 'x',
    });
    expect(error.problems.map((problem) => problem.variable).sort()).toEqual([
      'BATCH_SIZE',
      'DATABASE_URL',
      'HTTP_PORT',
    ]);
    expect(error.message).not.toContain('hunter2');
    expect(error.message).toContain('HTTP_PORT: must be an integer between 1 and 65535');
  });

  it('rejects a malformed broker list', () => {
    expect(problemsOf({ ...valid, KAFKA_BROKERS: 'localhost' }).problems[0]?.variable).toBe('KAFKA_BROKERS');
  });

  it('parses booleans strictly', () => {
    expect(loadConfig(schema, { ...valid, VERBOSE: 'true' }).VERBOSE).toBe(true);
    expect(problemsOf({ ...valid, VERBOSE: 'yes' }).problems[0]).toEqual({
      variable: 'VERBOSE',
      message: 'must be true or false',
    });
  });
});
