import { Injectable } from '@nestjs/common';
import { createEvent, SubscriberRegisteredV2, uuidV7 } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { DataSource } from 'typeorm';
import { IdentityError } from '../identity-errors.js';
import { accountGone } from './account-gone.js';
import { Account } from './account.entity.js';
import { type AccountDto, type RegisterAccountDto } from './dto/register-account.dto.js';
import { normaliseEmail } from './email-address.js';
import { EmailVerification } from './email-verification.js';
import { PasswordHasher } from './password-hasher.js';

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class AccountsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly hasher: PasswordHasher,
    private readonly verification: EmailVerification,
  ) {}

  async findOwn(accountId: string): Promise<AccountDto> {
    return toAccountDtoOrGone(await this.dataSource.getRepository(Account).findOneBy({ id: accountId }));
  }

  async find(accountId: string): Promise<AccountDto> {
    const account = await this.dataSource.getRepository(Account).findOneBy({ id: accountId });
    if (!account || account.deletedAt)
      throw IdentityError.notFound('account_not_found', 'No account has this id.');
    return toAccountDto(account);
  }

  /** Creates a subscriber account, announces it and mails it a verification link, in one transaction. */
  async register(input: RegisterAccountDto): Promise<AccountDto> {
    const email = normaliseEmail(input.email);
    const passwordHash = await this.hasher.hash(input.password);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const account = manager.create(Account, { id: uuidV7(), email, passwordHash, emailVerified: false });
        const saved = await manager.save(account);
        const event = createEvent(
          SubscriberRegisteredV2,
          {
            subscriberId: saved.id,
            emailVerified: saved.emailVerified,
            registeredAt: saved.createdAt.toISOString(),
          },
          { source: '/onecommons/identity' },
        );
        await this.outbox.append(manager, [event]);
        await this.verification.start(manager, saved.id, email);
        return toAccountDto(saved);
      });
    } catch (error) {
      if ((error as { driverError?: { code?: string } }).driverError?.code === UNIQUE_VIOLATION) {
        throw IdentityError.conflict('email_unavailable', 'This email cannot be used to register.', 'email');
      }
      throw error;
    }
  }
}

function toAccountDtoOrGone(account: Account | null): AccountDto {
  if (!account || account.deletedAt) throw accountGone();
  return toAccountDto(account);
}

function toAccountDto(account: Account): AccountDto {
  return {
    id: account.id,
    email: account.email,
    emailVerified: account.emailVerified,
    createdAt: account.createdAt.toISOString(),
  };
}
