import { beforeAll } from '@jest/globals';
import { emptyPlatformTopics } from '../kafka-probe.js';

// A whole-topic replay compares the services its file started with their rebuild from the topics. Events the
// tests before it left there reach the rebuild but not always the live side the same way: a close another
// file's ledger made is refused live (this ledger has no record of it) yet recomputed by a replay, which
// applies it when the recompute comes out identical. Each such file starts on empty topics.
beforeAll(async () => {
  await emptyPlatformTopics();
}, 60_000);
