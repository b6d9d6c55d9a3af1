import { Module } from '@nestjs/common';
import { MailQueue } from './mail-queue.js';
import { MailSender } from './mail-sender.js';
import { OutgoingMailRepository } from './outgoing-mail.repository.js';
import { SmtpMailer } from './smtp-mailer.js';

/** Identity's mail: queued in the transaction of the change that causes it, sent by MailSender over SMTP. */
@Module({
  providers: [OutgoingMailRepository, MailQueue, SmtpMailer, MailSender],
  exports: [MailQueue, OutgoingMailRepository],
})
export class MailModule {}
