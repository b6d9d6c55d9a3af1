import { describe, expect, it } from '@jest/globals';
import { type PartitionLag } from '@onecommons/kafka';
import { consumerGroupReport, lagSummary } from '../stack/consumer-lag-report.js';
import { type StatusReport } from '../stack/stack.js';
import { statusLines } from './status-lines.js';

const partition = (
  topic: string,
  partition: number,
  committedOffset: string | null,
  highWatermark: string,
  lag: number,
): PartitionLag => ({ topic, partition, committedOffset, lowWatermark: '0', highWatermark, lag });

describe('consumerGroupReport', () => {
  it('sums the lag per topic and over the group, partitions in order', () => {
    const report = consumerGroupReport('ledger', [
      partition('metering.usage.v1', 1, '40', '52', 12),
      partition('identity.events.v1', 0, null, '3', 3),
      partition('metering.usage.v1', 0, '10', '10', 0),
    ]);
    expect(report).toEqual({
      group: 'ledger',
      lag: 15,
      topics: {
        'identity.events.v1': { lag: 3, partitions: [{ partition: 0, lag: 3, committed: null, end: '3' }] },
        'metering.usage.v1': {
          lag: 12,
          partitions: [
            { partition: 0, lag: 0, committed: '10', end: '10' },
            { partition: 1, lag: 12, committed: '40', end: '52' },
          ],
        },
      },
    });
  });

  it('reports a group that consumes nothing with no topics and no lag', () => {
    expect(consumerGroupReport('identity', [])).toEqual({ group: 'identity', lag: 0, topics: {} });
  });
});

describe('lagSummary', () => {
  it('names the topics that lag most, most first, and counts the rest', () => {
    const report = consumerGroupReport('webhooks', [
      partition('a.events.v1', 0, '0', '5', 5),
      partition('b.events.v1', 0, '0', '50', 50),
      partition('c.events.v1', 0, '0', '7', 7),
      partition('d.events.v1', 0, '0', '1', 1),
      partition('e.events.v1', 0, '3', '3', 0),
    ]);
    expect(lagSummary(report)).toBe('lag 63 (b.events.v1 50, c.events.v1 7, a.events.v1 5, +1 more)');
  });

  it('says when a group is caught up, consumes nothing, or could not be measured', () => {
    expect(lagSummary(consumerGroupReport('ledger', [partition('x.v1', 0, '9', '9', 0)]))).toBe('lag 0');
    expect(lagSummary(consumerGroupReport('identity', []))).toBe('consumes nothing');
    expect(lagSummary({ group: 'ledger', error: 'kafka unreachable' })).toBe(
      'lag unknown (kafka unreachable)',
    );
    expect(lagSummary(undefined)).toBe('');
  });
});

describe('statusLines', () => {
  it('shows each service ready or not with its lag', () => {
    const report: StatusReport = {
      gateway: 'http://127.0.0.1:8080',
      gatewayUp: true,
      kafka: { bootstrap: '127.0.0.1:9092', up: true },
      mailInbox: { url: 'http://127.0.0.1:12116', up: true },
      services: {
        identity: {
          url: 'http://127.0.0.1:3001',
          metrics: 'http://127.0.0.1:3001/metrics',
          ready: true,
          consumer: consumerGroupReport('identity', []),
        },
        ledger: {
          url: 'http://127.0.0.1:3004',
          metrics: 'http://127.0.0.1:3004/metrics',
          ready: false,
          consumer: consumerGroupReport('ledger', [partition('metering.usage.v1', 2, '1', '1201', 1200)]),
        },
        payouts: { url: 'http://127.0.0.1:3005', metrics: 'http://127.0.0.1:3005/metrics', ready: true },
      },
    };
    expect(statusLines(report)).toEqual([
      'gateway   http://127.0.0.1:8080  up',
      'kafka     127.0.0.1:9092  up',
      'mail      http://127.0.0.1:12116  up',
      'identity    http://127.0.0.1:3001  ready      consumes nothing',
      'ledger      http://127.0.0.1:3004  NOT READY  lag 1200 (metering.usage.v1 1200)',
      'payouts     http://127.0.0.1:3005  ready',
    ]);
  });

  it('counts the ready replicas of each service when it runs several', () => {
    const service = (ready: number) => ({
      url: 'http://127.0.0.1:3091',
      metrics: 'http://127.0.0.1:3001/metrics',
      ready: ready === 2,
      replicas: { ready, of: 2 },
    });
    const report: StatusReport = {
      gateway: 'http://127.0.0.1:8080',
      gatewayUp: true,
      kafka: { bootstrap: '127.0.0.1:9092,127.0.0.1:9102,127.0.0.1:9112', up: true },
      mailInbox: { url: 'http://127.0.0.1:12116', up: false },
      services: { identity: service(2), catalog: service(1) },
    };
    expect(statusLines(report)[2]).toBe('mail      http://127.0.0.1:12116  down');
    expect(statusLines(report).slice(3)).toEqual([
      'identity    http://127.0.0.1:3091  ready     2/2 replicas',
      'catalog     http://127.0.0.1:3091  NOT READY 1/2 replicas',
    ]);
  });
});
