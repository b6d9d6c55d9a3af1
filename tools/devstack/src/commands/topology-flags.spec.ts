import { afterEach, describe, expect, it } from '@jest/globals';
import {
  internalServicePort,
  kafkaBootstrap,
  kafkaNode,
  profileNamed,
  replicaPort,
  serviceUrl,
  TOPOLOGY_VARIABLES,
} from '../profile.js';
import { applyTopologyFlags } from './topology-flags.js';
import { UsageError } from './usage-error.js';

const saved = { ...process.env };
afterEach(() => {
  for (const name of Object.values(TOPOLOGY_VARIABLES)) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('applyTopologyFlags', () => {
  it('takes --replicas and --kafka-nodes out of the arguments and into every profile', () => {
    expect(
      applyTopologyFlags('test', ['e2e', '--replicas', '2', '--kafka-nodes=3', '--', '--replicas']),
    ).toEqual(['e2e', '--', '--replicas']);
    const profile = profileNamed('test');
    expect({ replicas: profile.replicas, nodes: profile.kafka.nodes }).toEqual({ replicas: 2, nodes: 3 });
  });

  it('refuses a bad value or a command without a topology, naming the flag', () => {
    expect(() => applyTopologyFlags('up', ['--replicas', '0'])).toThrow(
      new UsageError('--replicas must be an integer from 1 to 8, got "0"'),
    );
    expect(() => applyTopologyFlags('up', ['--kafka-nodes', '2'])).toThrow(
      new UsageError('--kafka-nodes must be 1 or 3, got "2"'),
    );
    expect(() => applyTopologyFlags('up', ['--replicas'])).toThrow(
      new UsageError('--replicas needs a value'),
    );
    expect(() => applyTopologyFlags('status', ['--replicas', '2'])).toThrow(UsageError);
  });

  it('leaves one replica and one node when no flag is given', () => {
    delete process.env[TOPOLOGY_VARIABLES.replicas];
    delete process.env[TOPOLOGY_VARIABLES.kafkaNodes];
    expect(applyTopologyFlags('test', ['unit'])).toEqual(['unit']);
    const profile = profileNamed('test');
    expect({ replicas: profile.replicas, nodes: profile.kafka.nodes }).toEqual({ replicas: 1, nodes: 1 });
    expect(serviceUrl(profile, 'ledger')).toBe(`http://127.0.0.1:${replicaPort(profile, 'ledger', 0)}`);
    expect(kafkaBootstrap(profile)).toBe(`127.0.0.1:${profile.kafka.brokerPort}`);
  });
});

describe('a profile with replicas and a Kafka cluster', () => {
  it('gives every replica, internal listener and node ports of its own, and callers the internal address', () => {
    applyTopologyFlags('test', ['--replicas', '8', '--kafka-nodes', '3']);
    const profile = profileNamed('test');
    const ports = Object.keys(profile.servicePorts).flatMap((service) => [
      ...Array.from({ length: 8 }, (_, replica) => replicaPort(profile, service as 'ledger', replica)),
      internalServicePort(profile, service as 'ledger'),
    ]);
    const kafkaPorts = [0, 1, 2].flatMap((node) => [
      kafkaNode(profile, node).brokerPort,
      kafkaNode(profile, node).controllerPort,
    ]);
    expect(new Set([...ports, ...kafkaPorts]).size).toBe(ports.length + kafkaPorts.length);
    expect(serviceUrl(profile, 'identity')).toBe(
      `http://127.0.0.1:${internalServicePort(profile, 'identity')}`,
    );
    expect(kafkaBootstrap(profile).split(',')).toHaveLength(3);
    expect(new Set([0, 1, 2].map((node) => kafkaNode(profile, node).dataDir)).size).toBe(3);
  });
});
