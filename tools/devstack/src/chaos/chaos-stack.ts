import { describeStack, profileNamed } from '../profile.js';
import { say } from '../stack/log.js';
import { everythingDown, infrastructureUp, platformUp } from '../stack/stack.js';
import { FaultController } from './fault-controller.js';

/** Where the chaos suite finds the fault controller (tests/chaos `ChaosFaults`). */
export const CHAOS_FAULTS_VARIABLE = 'ONECOMMONS_CHAOS_FAULTS';

/**
 * Brings up the chaos profile (its own Kafka, PostgreSQL and Redis, every service, the gateway), serves the
 * fault controller, runs `suite` with the variables that point a Jest run at both, and stops everything it
 * started, pass or fail.
 */
export async function withChaosStack(suite: (env: Record<string, string>) => Promise<void>): Promise<void> {
  const profile = profileNamed('chaos');
  say('── bringing up the chaos stack (its own Kafka, PostgreSQL and Redis)');
  try {
    await infrastructureUp(profile);
    await platformUp(profile);
    const faults = await FaultController.start(profile);
    try {
      await suite({
        ONECOMMONS_TEST_STACK: JSON.stringify(describeStack(profile)),
        [CHAOS_FAULTS_VARIABLE]: faults.url,
      });
    } finally {
      await faults.stop();
    }
  } finally {
    await everythingDown(profile);
  }
}
