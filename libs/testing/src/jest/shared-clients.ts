import { afterAll } from '@jest/globals';
import { closeSharedLagAdmin, shareLagAdmin } from '../kafka-probe.js';

// Integration files' checks share their clients (the Kafka admin of `consumerCaughtUp`), closed when the file ends:
// a socket left open would outlive the file in its Jest worker. This hook runs before the file's own `afterAll`
// hooks; a check in one of those connects a client of its own.
shareLagAdmin();
afterAll(async () => {
  await closeSharedLagAdmin();
});
