import { PayoutsError } from '../payouts-errors.js';
import { RailUnavailableError } from './payout-rail.js';
import { RailRequestError } from './stripe-transfer-rail.js';

/**
 * A rail call made for an API request: the rail being unavailable is a 503 the client may retry, a refusal
 * (e.g. reversing a transfer already reversed) a 409 naming the rail's code; nothing changed either way.
 */
export async function answeringRailErrors<Result>(call: () => Promise<Result>): Promise<Result> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RailUnavailableError)
      throw new PayoutsError(
        'unavailable',
        'rail_unavailable',
        `the payout rail is unavailable, try again later (${error.message})`,
      );
    if (error instanceof RailRequestError)
      throw PayoutsError.conflict('rail_refused', `the payout rail refused: ${error.code}: ${error.message}`);
    throw error;
  }
}
