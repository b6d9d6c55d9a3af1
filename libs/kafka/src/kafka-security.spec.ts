import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '@onecommons/config';
import { kafkaConfigSchema, kafkaSettingsFrom } from './kafka-config.js';
import { kafkaClientSecurity } from './kafka-security.js';

const directory = mkdtempSync(path.join(tmpdir(), 'kafka-security-'));
const caFile = path.join(directory, 'ca.pem');
writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nnot checked here\n-----END CERTIFICATE-----\n');
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const settings = (env: Record<string, string>) =>
  kafkaSettingsFrom(loadConfig(kafkaConfigSchema(), { KAFKA_BROKERS: 'kafka-0:9093', ...env }));

function problemsOf(env: Record<string, string>): Record<string, string> {
  try {
    settings(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return Object.fromEntries(error.problems.map((problem) => [problem.variable, problem.message]));
    }
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('the Kafka security settings', () => {
  it('default to plaintext without authentication', () => {
    const { security } = settings({});
    expect(security).toEqual({});
    expect(kafkaClientSecurity(security)).toEqual({});
  });

  it('give kafkajs SCRAM credentials and TLS with the CA read from its file', () => {
    const { security } = settings({
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'ledger',
      KAFKA_SASL_PASSWORD: 'secret',
      KAFKA_TLS: 'true',
      KAFKA_TLS_CA_FILE: caFile,
    });
    const client = kafkaClientSecurity(security);
    expect(client.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'ledger', password: 'secret' });
    expect(client.ssl).toEqual({ ca: [readFileSync(caFile)] });
  });

  it('need the username and password once a mechanism is set, and a mechanism for them', () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256' })).toEqual({
      KAFKA_SASL_USERNAME: 'is required when KAFKA_SASL_MECHANISM is set',
      KAFKA_SASL_PASSWORD: 'is required when KAFKA_SASL_MECHANISM is set',
    });
    expect(problemsOf({ KAFKA_SASL_USERNAME: 'ledger', KAFKA_SASL_PASSWORD: 'secret' })).toEqual({
      KAFKA_SASL_USERNAME: 'is used only with KAFKA_SASL_MECHANISM, which is not set',
      KAFKA_SASL_PASSWORD: 'is used only with KAFKA_SASL_MECHANISM, which is not set',
    });
  });

  it('refuse a mechanism kafkajs cannot speak, a missing CA file, TLS files without TLS, half a client cert', () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'PLAIN' })).toEqual({
      KAFKA_SASL_MECHANISM: 'must be one of SCRAM-SHA-256, SCRAM-SHA-512',
    });
    expect(problemsOf({ KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: path.join(directory, 'missing.pem') })).toEqual(
      {
        KAFKA_TLS_CA_FILE: 'must be the path of a readable file',
      },
    );
    expect(problemsOf({ KAFKA_TLS_CA_FILE: caFile })).toEqual({
      KAFKA_TLS_CA_FILE: 'is used only with KAFKA_TLS=true',
    });
    expect(problemsOf({ KAFKA_TLS: 'true', KAFKA_TLS_CERT_FILE: caFile })).toEqual({
      KAFKA_TLS_KEY_FILE: 'a client certificate needs both KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE',
    });
  });
});
