import { Inject, Injectable } from '@nestjs/common';
import { uuidV7 } from '@onecommons/contracts';
import { seal, SERVICE_CONFIG, unseal } from '@onecommons/service-kit';
import { type EntityManager } from 'typeorm';
import { type IdentityConfig, sealingKeyOf } from '../config.js';
import { type AccountMail, accountMailSchema } from './account-mail.js';
import { OutgoingMailRepository } from './outgoing-mail.repository.js';

/**
 * Queues mail in the caller's transaction: it goes out only if the change that causes it commits, and is not
 * lost when the SMTP server is down (MailSender retries). Its content is sealed with the key that seals the
 * signing keys, bound to the message's id: a link's token is never readable in the table.
 */
@Injectable()
export class MailQueue {
  private readonly key: Buffer;

  constructor(
    private readonly mail: OutgoingMailRepository,
    @Inject(SERVICE_CONFIG) config: IdentityConfig,
  ) {
    this.key = sealingKeyOf(config);
  }

  async queue(
    manager: EntityManager,
    accountId: string,
    recipient: string,
    mail: AccountMail,
  ): Promise<void> {
    const id = uuidV7();
    await this.mail.insert(manager, {
      id,
      accountId,
      recipient,
      template: mail.template,
      contentSealed: seal(JSON.stringify(mail), this.key, `outgoing-mail:${id}`),
    });
  }

  /** What a queued message says; throws when the row was tampered with or sealed under another key. */
  contentOf(id: string, contentSealed: string): AccountMail {
    return accountMailSchema.parse(JSON.parse(unseal(contentSealed, this.key, `outgoing-mail:${id}`)));
  }
}
