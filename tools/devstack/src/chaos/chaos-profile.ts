import path from 'node:path';
import { type Profile, REPO_ROOT, servicePorts, testSlot, type Topology } from '../profile.js';

const HOST = '127.0.0.1';

/**
 * What the chaos profile's services run with besides the test settings: a consumer killed with SIGKILL holds
 * its partitions until its session expires, and its restarted self waits for that to join; 6 s (the broker's
 * minimum) instead of 30 keeps each kill's recovery short without changing what happens. (Integration tests'
 * killable service processes, libs/testing's service-process.ts, run with the same two.)
 */
export const CHAOS_SERVICE_ENVIRONMENT: Readonly<Record<string, string>> = {
  KAFKA_SESSION_TIMEOUT_MS: '6000',
  KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
  // Payouts: a killed worker's lease, the sweep for jobs Redis lost and the rail retry, in seconds not minutes.
  PAYOUTS_LEASE_SECONDS: '10',
  PAYOUTS_SWEEP_INTERVAL_MS: '2000',
  PAYOUTS_RETRY_BASE_MS: '2000',
};

/**
 * The chaos suite's stack (`./dev test chaos`): like a test slot, but its Postgres and Redis are its own
 * server processes, so the suite can crash and flush them without touching the machine's, which other runs
 * share. Ports derive from `ONECOMMONS_TEST_SLOT` (s): Kafka 21092 + 100 s, services 5101 + 100 s …,
 * gateway 18100 + s, Postgres 25432 + 100 s, Redis 26379 + 100 s; state in `.local/chaos[-s]/`.
 */
export function chaosProfile(topology: Topology): Profile {
  const slot = testSlot();
  // Port block 20 + slot (see portSlotOf): clear of the test slots (0-9) and the bench (10).
  const block = 20 + slot;
  const stateDir = path.join(REPO_ROOT, '.local', slot > 0 ? `chaos-${slot}` : 'chaos');
  return {
    name: 'chaos',
    stateDir,
    replicas: topology.replicas,
    kafka: {
      host: HOST,
      brokerPort: 19_092 + 100 * block,
      controllerPort: 19_093 + 100 * block,
      nodes: topology.kafkaNodes,
      dataDir: path.join(stateDir, 'kafka-data'),
      wipeOnStart: true,
    },
    postgres: { host: HOST, port: 25_432 + 100 * slot, user: 'postgres', database: 'onecommons_chaos' },
    redis: { host: HOST, port: 26_379 + 100 * slot, db: 0 },
    gateway: { host: HOST, port: 18_100 + slot },
    servicePorts: servicePorts(3_100 + 100 * block),
    resetData: true,
    privateDatastores: true,
  };
}
