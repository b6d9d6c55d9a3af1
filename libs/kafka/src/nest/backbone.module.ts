import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { eventCatalogue } from '@onecommons/contracts';
import { type Kafka, type Producer } from 'kafkajs';
import { idempotentProducer } from '../outbox/producer-state.js';
import { DataSource } from 'typeorm';
import { backboneMetrics, type BackboneMetrics } from '../backbone-metrics.js';
import { BatchedEventProcessor } from '../consumer/batched-event-processor.js';
import { ConsumerLagMonitor } from '../consumer/consumer-lag-monitor.js';
import { EventConsumerServer } from '../consumer/event-consumer.server.js';
import { EventHandlerRegistry } from '../consumer/event-handler-registry.js';
import {
  IdempotentEventProcessor,
  type IdempotentEventProcessorDeps,
} from '../consumer/idempotent-event-processor.js';
import { DeadLetterPublisher } from '../dlq/dead-letter-publisher.js';
import { createKafka } from '../kafka-client.js';
import { OutboxWriter } from '../outbox/outbox-writer.js';
import { BACKBONE_OPTIONS, type BackboneOptions } from './backbone-options.js';
import { BackboneRuntime } from './backbone-runtime.js';
import { HandlerDiscovery } from './handler-discovery.js';
import { BACKBONE_METRICS, KAFKA_CLIENT, KAFKA_PRODUCER } from './tokens.js';

/**
 * The event backbone for one service: outbox writer and relay, handler discovery, and the Kafka
 * consumer transport (`EventConsumerServer`, connected by the service's bootstrap as a microservice).
 * Requires a TypeORM DataSource in the app.
 */
@Module({})
export class BackboneModule {
  static forRoot(options: BackboneOptions): DynamicModule {
    const kafkaLogger = new Logger('Kafka');
    return {
      module: BackboneModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: BACKBONE_OPTIONS, useValue: options },
        { provide: BACKBONE_METRICS, useFactory: () => backboneMetrics() },
        {
          provide: KAFKA_CLIENT,
          useFactory: () =>
            createKafka(options.settings, options.service, {
              error: (message, fields) => kafkaLogger.error({ ...fields, msg: message }),
              warn: (message, fields) => kafkaLogger.warn({ ...fields, msg: message }),
              info: (message, fields) => kafkaLogger.log({ ...fields, msg: message }),
              debug: (message, fields) => kafkaLogger.debug({ ...fields, msg: message }),
            }),
        },
        {
          provide: KAFKA_PRODUCER,
          inject: [KAFKA_CLIENT],
          useFactory: (kafka: Kafka) => idempotentProducer(kafka),
        },
        { provide: EventHandlerRegistry, useFactory: () => new EventHandlerRegistry(eventCatalogue) },
        OutboxWriter,
        HandlerDiscovery,
        BackboneRuntime,
        {
          provide: EventConsumerServer,
          inject: [KAFKA_CLIENT, KAFKA_PRODUCER, BACKBONE_METRICS, EventHandlerRegistry, DataSource],
          useFactory: (
            kafka: Kafka,
            producer: Producer,
            metrics: BackboneMetrics,
            registry: EventHandlerRegistry,
            dataSource: DataSource,
          ) => {
            const stopController = new AbortController();
            const logger = new Logger('EventConsumer');
            const deps: IdempotentEventProcessorDeps = {
              dataSource,
              catalogue: eventCatalogue,
              registry,
              consumerGroup: options.consumerGroup,
              deadLetters: new DeadLetterPublisher(producer),
              settings: options.settings,
              logger: {
                warn: (message) => logger.warn(message),
                error: (message, error) => logger.error(message, error),
              },
              metrics,
              stopSignal: stopController.signal,
            };
            const processor = new IdempotentEventProcessor(deps);
            return new EventConsumerServer({
              kafka,
              groupId: options.consumerGroup,
              settings: options.settings,
              topics: () => registry.topics(),
              processor,
              batchProcessor: new BatchedEventProcessor(deps, processor),
              stopController,
              metrics,
              lagMonitor: new ConsumerLagMonitor({
                kafka,
                groupId: options.consumerGroup,
                topics: () => registry.topics(),
                metrics,
                intervalMs: options.settings.consumerLagIntervalMs,
                logger: new Logger('ConsumerLag'),
              }),
            });
          },
        },
      ],
      exports: [
        BACKBONE_OPTIONS,
        KAFKA_CLIENT,
        KAFKA_PRODUCER,
        BACKBONE_METRICS,
        OutboxWriter,
        EventHandlerRegistry,
        EventConsumerServer,
        BackboneRuntime,
      ],
    };
  }
}
