import { linkIn, MailInbox, testStack } from '@onecommons/testing';

export { linkIn, linkToken } from '@onecommons/testing';

/** The inbox of the stack's local SMTP server (`./dev` runs maildev): every mail identity sent. */
export const stackInbox = new MailInbox(testStack().mailInboxUrl);

/** The subjects of identity's mails, as the tests wait for them. */
export const SUBJECTS = {
  verification: 'Confirm your email address',
  reset: 'Reset your password',
  passwordChanged: 'Your password was changed',
} as const;

/** The link of the `count`-th mail with this subject to the address (the 1st by default), once it arrived. */
export async function mailedLink(
  address: string,
  subject: string,
  page: 'verify-email' | 'reset-password',
  count = 1,
): Promise<string> {
  const mail = await stackInbox.waitForMail(address, { subject, count });
  return linkIn(mail[count - 1]!, `/api/identity/account/${page}`);
}
