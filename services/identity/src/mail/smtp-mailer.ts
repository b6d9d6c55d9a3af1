import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import nodemailer, { type Transporter } from 'nodemailer';
import { type IdentityConfig } from '../config.js';
import { type RenderedMail } from './account-mail.js';

/** Bounds on one SMTP exchange: a send runs inside the transaction that holds its row. */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };

/** A refusal the SMTP server means for good (5xx: no such mailbox, policy): retrying will not help. */
export function isPermanentRefusal(error: unknown): boolean {
  const code = (error as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/** Submits mail to SMTP_URL (nodemailer), from MAIL_FROM. */
@Injectable()
export class SmtpMailer implements OnApplicationShutdown {
  private readonly transport: Transporter;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: IdentityConfig) {
    this.transport = nodemailer.createTransport({ url: config.SMTP_URL, ...TIMEOUTS });
  }

  async send(to: string, mail: RenderedMail): Promise<void> {
    await this.transport.sendMail({ from: this.config.MAIL_FROM, to, ...mail });
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}
