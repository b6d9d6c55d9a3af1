import { eventually } from './eventually.js';
import { freePort } from './free-port.js';

/** A message as maildev's REST API gives it (the fields the tests read). */
export interface ReceivedMail {
  readonly id: string;
  readonly time: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly from: readonly { readonly address: string; readonly name?: string }[];
  readonly to: readonly { readonly address: string }[];
}

/**
 * A reader of a maildev inbox through its REST API (`GET /api/email`): `./dev`'s (the stack's `mailInboxUrl`)
 * or one a test starts (`startMailInbox`). Waiting polls with a deadline; nothing sleeps as an assertion.
 */
export class MailInbox {
  constructor(readonly url: string) {}

  /** Every message to the address, oldest first. */
  async messagesTo(address: string): Promise<ReceivedMail[]> {
    const query = new URLSearchParams({ 'to.address': address, sort: 'asc' });
    const response = await fetch(`${this.url}/api/email?${query.toString()}`);
    if (!response.ok) throw new Error(`the mail inbox answered ${response.status}`);
    return (await response.json()) as ReceivedMail[];
  }

  /** Once at least `count` messages to the address (with this subject, if given) arrived: all of them, oldest first. */
  async waitForMail(
    address: string,
    { subject, count = 1, timeoutMs = 30_000 }: { subject?: string; count?: number; timeoutMs?: number } = {},
  ): Promise<ReceivedMail[]> {
    return eventually(
      `${count} mail(s) to ${address}${subject ? ` titled "${subject}"` : ''}`,
      async () => {
        const mail = (await this.messagesTo(address)).filter(
          (message) => subject === undefined || message.subject === subject,
        );
        return mail.length >= count ? mail : undefined;
      },
      { timeoutMs, intervalMs: 200 },
    );
  }

  /** The newest message to the address with this subject, once there is one. */
  async latest(address: string, subject: string, timeoutMs?: number): Promise<ReceivedMail> {
    const mail = await this.waitForMail(address, { subject, timeoutMs });
    return mail[mail.length - 1]!;
  }
}

/** The first link in a message's text whose path contains `pathPart`. */
export function linkIn(mail: ReceivedMail, pathPart: string): string {
  const link = (mail.text.match(/https?:\/\/\S+/g) ?? []).find((url) =>
    new URL(url).pathname.includes(pathPart),
  );
  if (!link) throw new Error(`no link to …${pathPart}… in the mail "${mail.subject}":\n${mail.text}`);
  return link;
}

/** The `token` query parameter of an emailed link. */
export function linkToken(link: string): string {
  const token = new URL(link).searchParams.get('token');
  if (!token) throw new Error(`the link ${link} carries no token`);
  return token;
}

export interface LocalMailInbox {
  readonly inbox: MailInbox;
  readonly smtpUrl: string;
  readonly ports: { readonly smtp: number; readonly web: number };
  stop(): Promise<void>;
}

/**
 * A maildev of the test's own (integration tests point identity's SMTP_URL at it), on free ports or on the
 * ports of one the test stopped (the SMTP server "comes back").
 */
export async function startMailInbox(ports?: { smtp: number; web: number }): Promise<LocalMailInbox> {
  // Loaded here only: every test imports this library, few start an inbox.
  const { MailDev } = await import('maildev');
  const { smtp, web } = ports ?? { smtp: await freePort(), web: await freePort() };
  const server = new MailDev({ smtp, web, ip: '127.0.0.1', webIp: '127.0.0.1', silent: true });
  await server.start();
  return {
    inbox: new MailInbox(`http://127.0.0.1:${web}`),
    smtpUrl: `smtp://127.0.0.1:${smtp}`,
    ports: { smtp, web },
    stop: () => server.stop(),
  };
}
