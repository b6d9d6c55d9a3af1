export { backboneMetrics, type BackboneMetrics } from './backbone-metrics.js';
export { BACKBONE_MIGRATIONS } from './backbone-migrations.js';
export { BackboneTables1763900000000 } from './backbone-tables.migration.js';
export { backoffDelay, sleep } from './backoff.js';
export { BatchedEventProcessor, type IncomingChunk } from './consumer/batched-event-processor.js';
export { chunksOf, firstOccurrences, runsOf } from './consumer/chunk-plan.js';
export { lagOf, measureConsumerLag, topicsConsumedBy, type PartitionLag } from './consumer/consumer-lag.js';
export { ConsumerLagMonitor, type ConsumerLagMonitorOptions } from './consumer/consumer-lag-monitor.js';
export { EventConsumerServer, type EventConsumerServerOptions } from './consumer/event-consumer.server.js';
export {
  type EventBatchContext,
  type EventBatchHandlerFunction,
  type EventContext,
  type EventHandlerFunction,
} from './consumer/event-context.js';
export { EventHandlerRegistry, type HandlerBinding } from './consumer/event-handler-registry.js';
export {
  ConsumerStoppingError,
  IdempotentEventProcessor,
  type IdempotentEventProcessorDeps,
  type IncomingMessage,
  type ProcessOutcome,
} from './consumer/idempotent-event-processor.js';
export { OnEventBatch, ON_EVENT_BATCH_METADATA } from './consumer/on-event-batch.decorator.js';
export { OnEvent, ON_EVENT_METADATA } from './consumer/on-event.decorator.js';
export {
  pruneProcessedEvents,
  redeliveryHorizonMs,
  topicLifetimeOf,
  topicLifetimes,
  type ProcessedEventsPrune,
  type ProcessedEventsPruneOptions,
  type TopicLifetime,
} from './consumer/processed-events-pruner.js';
export { ProcessedEventsAge1765310000000 } from './processed-events-age.migration.js';
export { DLQ_HEADERS, isDlqHeader } from './dlq/dead-letter-headers.js';
export { DeadLetterPublisher, type DeadLetter, type DeadLetterSink } from './dlq/dead-letter-publisher.js';
export {
  describeDeadLetter,
  dlqPosition,
  parseDlqPosition,
  summarizeDeadLetterTopic,
  type DeadLetterEntry,
  type DeadLetterRecord,
  type DeadLetterTopicContents,
  type DlqMessage,
} from './dlq/dead-letter-entry.js';
export { DeadLetterReader, type DeadLetterReaderOptions } from './dlq/dead-letter-reader.js';
export { DeadLetterRedriver, type RedriveOutcome } from './dlq/dead-letter-redriver.js';
export {
  planRedrive,
  selectForRedrive,
  type RedriveItem,
  type RedriveSelection,
} from './dlq/redrive-selection.js';
export { createKafka, type KafkaLogSink } from './kafka-client.js';
export {
  checkKafkaConfig,
  CONSUMER_MODES,
  kafkaConfigSchema,
  kafkaConfigShape,
  kafkaSettingsFrom,
  type ConsumerMode,
  type KafkaSettings,
} from './kafka-config.js';
export {
  KAFKA_SASL_MECHANISMS,
  kafkaClientSecurity,
  kafkaSecurityConfigShape,
  kafkaSecurityFrom,
  kafkaSecurityFromEnvironment,
  type KafkaSaslMechanism,
  type KafkaSecurity,
} from './kafka-security.js';
export { BACKBONE_OPTIONS, type BackboneOptions } from './nest/backbone-options.js';
export { BackboneModule } from './nest/backbone.module.js';
export { BackboneRuntime } from './nest/backbone-runtime.js';
export { BACKBONE_METRICS, KAFKA_CLIENT, KAFKA_PRODUCER } from './nest/tokens.js';
export { pruneSentOutboxRows } from './outbox/outbox-pruner.js';
export { OutboxRelay, type OutboxRelayOptions, type RelayLogger } from './outbox/outbox-relay.js';
export { CLOUDEVENTS_CONTENT_TYPE, OutboxWriter } from './outbox/outbox-writer.js';
export {
  describeDifferingSettings,
  describeUnderPartitioned,
  type DifferingTopicSetting,
  ensureTopics,
  ReplicationFactorTooHighError,
  type TopicsEnsured,
  type UnderPartitionedTopic,
} from './topics/topic-admin.js';
export { topicWatermarks, type PartitionWatermarks } from './topics/topic-watermarks.js';
export {
  platformTopicCatalogue,
  topicKindOf,
  topicSpecOf,
  topicSpecsOf,
  type TopicSpec,
} from './topics/topic-catalogue.js';
export {
  TOPIC_KINDS,
  topicConfigShape,
  topicSettingsFrom,
  topicSettingsFromEnvironment,
  type TopicKind,
  type TopicKindSettings,
  type TopicSettings,
} from './topics/topic-config.js';
export {
  currentTraceHeaders,
  headerString,
  linksToProducers,
  messageCreationHeaders,
  traceContextOf,
} from './trace-context.js';
export {
  appliedPositions,
  committedPositions,
  positionsOfSnapshot,
  rangesUpTo,
  type LogPositions,
} from './replay/live-positions.js';
export {
  noOutcomes,
  partitionKey,
  replayRanges,
  replayTopics,
  type PartitionRange,
  type ReplayProgress,
  type ReplayStart,
  type TopicReplayOptions,
} from './replay/topic-replayer.js';
