import { type EventCatalogue } from '@onecommons/contracts';
import { everyCombination, startAtZero } from '@onecommons/telemetry';
import { type BackboneMetrics } from '../backbone-metrics.js';
import { type ConsumerMode } from '../kafka-config.js';
import { type EventHandlerRegistry } from './event-handler-registry.js';
import { DEAD_LETTER_REASONS } from './idempotent-event-processor.js';

/**
 * Creates at 0 every consumption series this consumer can produce, so `increase()` sees its first dead letter:
 * per subscribed topic, each event type of the topic (the newest version: older ones are upcast to it) by the
 * outcomes it can have here, and each dead-letter reason. The lag gauges are left out: partitions are the
 * broker's, and a lag measured at time 0 would read as "last measured in 1970".
 */
export function startConsumerSeriesAtZero(
  metrics: BackboneMetrics,
  registry: EventHandlerRegistry,
  catalogue: EventCatalogue,
  mode: ConsumerMode,
): void {
  const topics = registry.topics();
  for (const topic of topics) {
    const types = [
      ...new Set(
        catalogue.contracts
          .filter((contract) => contract.topic === topic)
          .map((contract) => catalogue.newestOf(contract).type),
      ),
    ].sort();
    const handled = types.filter((type) => registry.handlersFor(type).length > 0);
    const ignored = types.filter((type) => registry.handlersFor(type).length === 0);
    startAtZero(metrics.eventsConsumed, [
      ...everyCombination({ topic: [topic], type: handled, outcome: ['applied', 'duplicate'] }),
      ...everyCombination({ topic: [topic], type: ignored, outcome: ['ignored'] }),
      // A message that does not decode has no type; one whose handler failed is counted the same way.
      { topic, type: 'unknown', outcome: 'dead_lettered' },
    ]);
    startAtZero(metrics.handlerDuration, everyCombination({ topic: [topic], type: handled }));
    startAtZero(metrics.deadLettered, everyCombination({ topic: [topic], reason: DEAD_LETTER_REASONS }));
  }
  if (mode !== 'batched') return;
  startAtZero(metrics.consumerChunkSize, everyCombination({ topic: topics }));
  startAtZero(
    metrics.consumerChunkDuration,
    everyCombination({ topic: topics, outcome: ['committed', 'failed'] }),
  );
}
