import { IdentityError } from '../identity-errors.js';

/** A valid access token for a deleted account: the token outlived what it speaks for (as at the guard). */
export const accountGone = () =>
  new IdentityError('unauthenticated', 'invalid_token', 'The access token is invalid or expired.');
