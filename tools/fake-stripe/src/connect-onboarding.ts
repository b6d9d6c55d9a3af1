import { randomBytes, timingSafeEqual } from 'node:crypto';
import { type ConnectEngine, type OnboardingDetails } from './connect-engine.js';
import { type AccountLinkObject } from './connect-objects.js';
import { StripeApiError } from './stripe-error.js';

export type AccountLinkType = 'account_onboarding' | 'account_update';

export interface NewAccountLink {
  readonly account: string;
  readonly type: AccountLinkType;
  readonly refreshUrl: string;
  readonly returnUrl: string;
}

/** How long an account link can be opened, as at Stripe (a few minutes). */
export const ACCOUNT_LINK_LIFETIME_SECONDS = 300;

interface LinkState {
  readonly account: string;
  readonly refreshUrl: string;
  readonly returnUrl: string;
  readonly expiresAt: number;
  /** fresh: never opened; opened: its form is being filled in (with `session`); submitted: done. */
  state: 'fresh' | 'opened' | 'submitted';
  session: string | null;
}

/** An answer of the hosted onboarding pages (HTML, or a redirect). */
export interface PageAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const PAGE_PATH = /^\/setup\/([ce])\/(acct_[A-Za-z0-9]+)\/([A-Za-z0-9]+)$/;

const token = () => randomBytes(18).toString('base64url').replace(/[-_]/g, 'x');

/**
 * Connect Onboarding as Stripe hosts it: `POST /v1/account_links` makes a single-use link that expires after
 * five minutes; opening it shows the form the account holder fills in (`/setup/e/<account>/<code>`, no API
 * key: it is the holder's browser). A link opened before or expired sends the browser to `refresh_url`; the
 * form's submission completes the account's onboarding (an `account.updated` to Connect endpoints) and sends
 * the browser to `return_url`.
 */
export class AccountLinks {
  private readonly links = new Map<string, LinkState>();

  constructor(
    private readonly connect: ConnectEngine,
    private readonly nowSeconds: () => number,
    private readonly baseUrl: () => string,
  ) {}

  create(input: NewAccountLink): AccountLinkObject {
    const account = this.connect.accounts.get(input.account);
    if (!account) throw StripeApiError.missing('account', input.account, 'account');
    if (input.type === 'account_update' && account.type !== 'custom')
      throw StripeApiError.invalid(
        'type',
        'You cannot create `account_update` type Account Links for accounts with access to a Stripe-hosted Dashboard.',
      );
    for (const [param, url] of [
      ['refresh_url', input.refreshUrl],
      ['return_url', input.returnUrl],
    ] as const)
      if (!isWebUrl(url)) throw StripeApiError.invalid(param, 'Not a valid URL', 'url_invalid');
    const code = token();
    const created = this.nowSeconds();
    const expiresAt = created + ACCOUNT_LINK_LIFETIME_SECONDS;
    this.links.set(code, {
      account: account.id,
      refreshUrl: input.refreshUrl,
      returnUrl: input.returnUrl,
      expiresAt,
      state: 'fresh',
      session: null,
    });
    const kind = account.type === 'custom' ? 'c' : 'e';
    return {
      object: 'account_link',
      created,
      expires_at: expiresAt,
      url: `${this.baseUrl()}/setup/${kind}/${account.id}/${code}`,
    };
  }

  /** The hosted page at `path`, or undefined when the path is not one. */
  page(method: string, path: string, body: string): PageAnswer | undefined {
    const match = PAGE_PATH.exec(path);
    if (!match) return undefined;
    const link = this.links.get(match[3]!);
    if (!link || link.account !== match[2]) return html(404, notFoundPage());
    if (method === 'GET') return this.open(link);
    if (method === 'POST') return this.submit(link, new URLSearchParams(body));
    return html(405, notFoundPage());
  }

  private open(link: LinkState): PageAnswer {
    if (link.state !== 'fresh' || this.nowSeconds() >= link.expiresAt) return redirect(302, link.refreshUrl);
    link.state = 'opened';
    link.session = token();
    return html(200, formPage(link.session, {}, []));
  }

  private submit(link: LinkState, form: URLSearchParams): PageAnswer {
    const session = form.get('session') ?? '';
    if (link.state !== 'opened' || !link.session || !sameText(session, link.session))
      return redirect(303, link.refreshUrl);
    const { details, errors } = detailsOf(form);
    if (!details) return html(400, formPage(link.session, Object.fromEntries(form), errors));
    this.connect.completeOnboarding(link.account, details);
    link.state = 'submitted';
    link.session = null;
    return redirect(303, link.returnUrl);
  }
}

function detailsOf(form: URLSearchParams): { details?: OnboardingDetails; errors: string[] } {
  const errors: string[] = [];
  const businessType = form.get('business_type');
  if (businessType !== 'individual' && businessType !== 'company')
    errors.push('Choose whether you are an individual or a company.');
  const name = (form.get('name') ?? '').trim();
  if (name.length === 0 || name.length > 100) errors.push('Enter your legal name (at most 100 characters).');
  const email = (form.get('email') ?? '').trim();
  if (!/^[^@\s]{1,64}@[^@\s]{1,190}$/.test(email)) errors.push('Enter a valid email address.');
  const iban = (form.get('iban') ?? '').replace(/\s/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban))
    errors.push('Enter the IBAN of the bank account to pay out to.');
  if (form.get('tos') !== 'accepted') errors.push('Accept the Stripe Connected Account Agreement.');
  if (errors.length > 0 || (businessType !== 'individual' && businessType !== 'company')) return { errors };
  return { details: { businessType, email }, errors };
}

function isWebUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escape = (value: string) => value.replace(/[&<>"']/g, (character) => ESCAPES[character]!);

function html(status: number, body: string): PageAnswer {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body,
  };
}

function redirect(status: 302 | 303, location: string): PageAnswer {
  return { status, headers: { location, 'cache-control': 'no-store' }, body: '' };
}

function page(title: string, content: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · Stripe (local fake)</title></head>
<body><h1>${escape(title)}</h1>${content}</body></html>
`;
}

function notFoundPage(): string {
  return page('Link not valid', '<p>This onboarding link is not valid.</p>');
}

function formPage(session: string, values: Record<string, string>, errors: readonly string[]): string {
  const value = (name: string) => escape(values[name] ?? '');
  const checked = (name: string, option: string) => (values[name] === option ? ' checked' : '');
  const problems =
    errors.length === 0
      ? ''
      : `<ul class="errors">${errors.map((error) => `<li>${escape(error)}</li>`).join('')}</ul>`;
  return page(
    'Set up payouts',
    `${problems}
<form method="post">
  <input type="hidden" name="session" value="${escape(session)}">
  <fieldset><legend>Business type</legend>
    <label><input type="radio" name="business_type" value="individual"${checked('business_type', 'individual')}> Individual</label>
    <label><input type="radio" name="business_type" value="company"${checked('business_type', 'company')}> Company</label>
  </fieldset>
  <label>Legal name <input name="name" value="${value('name')}"></label>
  <label>Email <input name="email" type="email" value="${value('email')}"></label>
  <label>IBAN for payouts <input name="iban" value="${value('iban')}"></label>
  <label><input type="checkbox" name="tos" value="accepted"> I accept the Stripe Connected Account Agreement</label>
  <button type="submit">Submit</button>
</form>`,
  );
}
