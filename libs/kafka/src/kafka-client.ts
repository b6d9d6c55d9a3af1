import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';
import { type KafkaSettings } from './kafka-config.js';
import { kafkaClientSecurity } from './kafka-security.js';

/** Where kafkajs log lines go: the service's structured logger. */
export interface KafkaLogSink {
  error(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
  info(message: string, fields: Record<string, unknown>): void;
  debug(message: string, fields: Record<string, unknown>): void;
}

function toLogCreator(sink: KafkaLogSink | undefined): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      if (!sink) return;
      const { message, ...fields } = log;
      const entry = { namespace, ...fields };
      if (level === logLevel.ERROR) sink.error(message, entry);
      else if (level === logLevel.WARN) sink.warn(message, entry);
      else if (level === logLevel.INFO) sink.info(message, entry);
      else sink.debug(message, entry);
    };
}

export function createKafka(settings: KafkaSettings, clientId: string, sink?: KafkaLogSink): Kafka {
  return new Kafka({
    clientId,
    brokers: [...settings.brokers],
    ...kafkaClientSecurity(settings.security),
    connectionTimeout: settings.connectionTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    logLevel: logLevel.WARN,
    logCreator: toLogCreator(sink),
    retry: { initialRetryTime: 100, maxRetryTime: 5_000, retries: 8 },
  });
}
