import { type MeteringStandIn, type RunningService } from '@onecommons/testing';
import { type LedgerConfig } from '../src/config.js';
import { PeriodCloser, type PeriodCloseDto } from '../src/periods/period-closer.js';
import { caughtUp } from './ledger-events.js';

export { MeteringStandIn } from '@onecommons/testing';

/**
 * Closes a period in the test's ledger as the platform does: metering (the stand-in) seals it with what was
 * announced for it, the ledger applies the seal, and the close (forced by default) finds its usage complete.
 */
export async function sealAndClose(
  ledger: RunningService<LedgerConfig>,
  metering: MeteringStandIn,
  period: string,
  { force = true }: { force?: boolean } = {},
): Promise<PeriodCloseDto> {
  await metering.seal([period]);
  await caughtUp(ledger);
  return ledger.app.get(PeriodCloser).close(period, { force });
}
