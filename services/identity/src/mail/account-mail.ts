import { z } from 'zod';
import { html, type Html } from '../pages/html.js';

/**
 * What identity mails an account, as stored (sealed) until it is sent: the template and what it needs. The
 * words are rendered when the mail is sent, from here only.
 */
export const accountMailSchema = z.discriminatedUnion('template', [
  z.object({ template: z.literal('email_verification'), link: z.url() }),
  z.object({ template: z.literal('password_reset'), link: z.url() }),
  z.object({ template: z.literal('password_changed') }),
]);

export type AccountMail = z.output<typeof accountMailSchema>;
export type MailTemplate = AccountMail['template'];
export const MAIL_TEMPLATES: readonly MailTemplate[] = [
  'email_verification',
  'password_reset',
  'password_changed',
];

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

function rendered(subject: string, paragraphs: readonly string[], link?: { label: string; url: string }) {
  const text = [...paragraphs, ...(link ? [`${link.label}: ${link.url}`] : []), '— OneCommons'].join('\n\n');
  const body: Html = html`<!doctype html>
    <html lang="en">
      <body style="font-family: system-ui, sans-serif; color: #1b1b1b">
        ${paragraphs.map((paragraph) => html`<p>${paragraph}</p>`)}
        ${link ? html`<p><a href="${link.url}">${link.label}</a></p>` : ''}
        <p>— OneCommons</p>
      </body>
    </html>`;
  return { subject, text, html: body.text };
}

export function renderAccountMail(mail: AccountMail): RenderedMail {
  switch (mail.template) {
    case 'email_verification':
      return rendered(
        'Confirm your email address',
        [
          'Someone (we hope you) registered a OneCommons account with this address.',
          'Open the link within 48 hours and press the button to confirm it. If it was not you, ignore this mail.',
        ],
        { label: 'Confirm my email address', url: mail.link },
      );
    case 'password_reset':
      return rendered(
        'Reset your password',
        [
          'Someone (we hope you) asked to reset the password of the OneCommons account with this address.',
          'The link works once, within an hour; a newer request replaces it. If it was not you, ignore this mail: ' +
            'your password stays as it is.',
        ],
        { label: 'Choose a new password', url: mail.link },
      );
    case 'password_changed':
      return rendered('Your password was changed', [
        'The password of your OneCommons account was just changed, and every session was signed out.',
        'If it was not you, reset your password now with "Forgot password", and tell us.',
      ]);
  }
}
