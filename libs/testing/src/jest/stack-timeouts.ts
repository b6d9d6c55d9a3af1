import { jest } from '@jest/globals';

// Tests against the real stack wait on Kafka rebalances and consumer shutdowns (seconds, not ms).
// `testTimeout` in a Jest project entry is not applied per project, so the tier sets it here.
jest.setTimeout(Number(process.env['ONECOMMONS_TEST_TIMEOUT_MS'] ?? 120_000));
