import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '@onecommons/config';
import { ledgerConfigSchema } from './config.js';

const env = {
  HTTP_PORT: '3004',
  DATABASE_URL: 'postgres://oc_ledger@127.0.0.1:5432/onecommons',
  KAFKA_BROKERS: '127.0.0.1:9092',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  AUTH_JWKS_URL: 'http://127.0.0.1:3001/api/identity/v1/.well-known/jwks.json',
  AUTH_ACCESS_URL: 'http://127.0.0.1:3001/api/identity/v1/internal/access',
  INTERNAL_API_TOKEN: 'an internal token of the platform, long enough',
};

describe('the ledger’s close settings', () => {
  it('default to a scheduled close after metering’s late-usage grace', () => {
    const config = loadConfig(ledgerConfigSchema, env);
    expect(config.LEDGER_CLOSE_GRACE_MINUTES).toBe(180);
    expect(config.METERING_LATE_EVENT_GRACE_MINUTES).toBe(60);
    expect(config.LEDGER_CLOSE_WAIT_SECONDS).toBe(10);
  });

  it('refuse a close grace shorter than metering’s late-usage grace, which the ledger reads under its name', () => {
    const boot = (grace: string, meteringGrace: string) =>
      loadConfig(ledgerConfigSchema, {
        ...env,
        LEDGER_CLOSE_GRACE_MINUTES: grace,
        METERING_LATE_EVENT_GRACE_MINUTES: meteringGrace,
      });
    expect(boot('90', '90').LEDGER_CLOSE_GRACE_MINUTES).toBe(90);
    expect(() => boot('30', '60')).toThrow(ConfigError);
    expect(() => boot('30', '60')).toThrow('LEDGER_CLOSE_GRACE_MINUTES');
    expect(() => boot('180', '240')).toThrow('METERING_LATE_EVENT_GRACE_MINUTES');
  });
});
