import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { IdentityError } from '../identity-errors.js';
import { accountGone } from './account-gone.js';
import { type AccountCredentials, AccountsRepository } from './accounts.repository.js';
import { PasswordHasher } from './password-hasher.js';

/**
 * A signed-in account proves it is still its owner by its current password before a change a stolen access
 * token must not make alone (a new password, deletion). Wrong: 403 `current_password_incorrect`, not 401, so a
 * client does not mistake it for an expired token.
 */
@Injectable()
export class Reauthentication {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /** Locks the live account until the transaction ends and checks its password; `field` names it in a refusal. */
  async lockAndVerify(
    manager: EntityManager,
    accountId: string,
    password: string,
    field: string,
  ): Promise<AccountCredentials> {
    const account = await this.accounts.lockCredentials(manager, accountId);
    if (!account) throw accountGone();
    if (!(await this.hasher.verify(account.passwordHash, password)))
      throw IdentityError.forbidden(
        'current_password_incorrect',
        'The current password is incorrect.',
        field,
      );
    return account;
  }
}
