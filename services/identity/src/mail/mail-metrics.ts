import { everyCombination, processCounter } from '@onecommons/telemetry';
import { MAIL_TEMPLATES, type MailTemplate } from './account-mail.js';

export type MailOutcome = 'sent' | 'retried' | 'failed';
const OUTCOMES: readonly MailOutcome[] = ['sent', 'retried', 'failed'];

const mails = processCounter(
  {
    name: 'onecommons_identity_mail_total',
    help: 'Mail send attempts, by template and outcome (sent, retried later, failed for good)',
    labelNames: ['template', 'outcome'],
  },
  everyCombination({ template: MAIL_TEMPLATES, outcome: OUTCOMES }),
);

export function countMail(template: MailTemplate, outcome: MailOutcome): void {
  mails.inc({ template, outcome });
}
