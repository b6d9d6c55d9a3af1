import { describe, expect, it } from '@jest/globals';
import { eventCatalogue, TOPICS, UsageRecordedV2 } from '@onecommons/contracts';
import { Registry } from 'prom-client';
import { backboneMetrics } from '../backbone-metrics.js';
import { startConsumerSeriesAtZero } from './consumer-series.js';
import { EventHandlerRegistry } from './event-handler-registry.js';
import { DEAD_LETTER_REASONS } from './idempotent-event-processor.js';

const topic = TOPICS.meteringUsage.name;

async function exposition(mode: 'batched' | 'per-message'): Promise<string> {
  const registry = new Registry();
  const handlers = new EventHandlerRegistry(eventCatalogue);
  handlers.registerBatch('UsageProjection', UsageRecordedV2, async () => undefined);
  startConsumerSeriesAtZero(backboneMetrics(registry), handlers, eventCatalogue, mode);
  return registry.metrics();
}

describe('startConsumerSeriesAtZero', () => {
  it('exposes the first dead letter of every reason to increase(): each series is at 0 before any message', async () => {
    const text = await exposition('batched');
    for (const reason of DEAD_LETTER_REASONS)
      expect(text).toContain(`onecommons_dlq_messages_total{topic="${topic}",reason="${reason}"} 0`);
    expect(text).toContain(
      `onecommons_events_consumed_total{topic="${topic}",type="unknown",outcome="dead_lettered"} 0`,
    );
  });

  it('counts the handled types as applied or duplicate and the topic’s other types as ignored, at 0', async () => {
    const text = await exposition('batched');
    for (const outcome of ['applied', 'duplicate'])
      expect(text).toContain(
        `onecommons_events_consumed_total{topic="${topic}",type="${UsageRecordedV2.type}",outcome="${outcome}"} 0`,
      );
    const others = eventCatalogue.contracts.filter(
      (contract) => contract.topic === topic && eventCatalogue.newestOf(contract) === contract,
    );
    expect(others.length).toBeGreaterThan(1);
    for (const contract of others.filter((each) => each.type !== UsageRecordedV2.type))
      expect(text).toContain(
        `onecommons_events_consumed_total{topic="${topic}",type="${contract.type}",outcome="ignored"} 0`,
      );
    expect(text).toContain(
      `onecommons_event_handler_duration_seconds_count{topic="${topic}",type="${UsageRecordedV2.type}"} 0`,
    );
  });

  it('creates the chunk series only for a batched consumer, and no series for topics it does not read', async () => {
    const batched = await exposition('batched');
    expect(batched).toContain(`onecommons_consumer_chunk_messages_count{topic="${topic}"} 0`);
    expect(batched).toContain(
      `onecommons_consumer_chunk_duration_seconds_count{topic="${topic}",outcome="failed"} 0`,
    );
    expect(batched).not.toContain(TOPICS.identityEvents.name);
    expect(await exposition('per-message')).not.toContain('onecommons_consumer_chunk_messages_count{');
  });
});
