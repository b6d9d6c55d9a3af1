import { escapeHtml } from '@onecommons/service-kit';
import { type PayoutAccountDto } from '../payees/payout-account-dto.js';

/**
 * The pages Stripe sends a payee's browser to after onboarding: plain HTML, every interpolated value escaped, no
 * script, style or outside resource (the gateway's default page policy allows none).
 */
const escape = escapeHtml;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escape(title)} · OneCommons</title></head>
<body><h1>${escape(title)}</h1>
${body}
</body>
</html>
`;
}

/** Where a payee stands after Stripe sent it back. */
export function returnPage(account: PayoutAccountDto, continueUrl: string): string {
  if (account.status === 'verified')
    return page(
      'Payouts are set up',
      `<p>Your Stripe account ${escape(account.display.replace(/^Stripe /, ''))} can receive payouts. Your payable balance is paid with the next payout batch once it reaches your threshold.</p>`,
    );
  const needs =
    account.requirements.length === 0
      ? ''
      : `<p>Stripe still needs:</p><ul>${account.requirements.map((item) => `<li>${escape(item)}</li>`).join('')}</ul>`;
  return page(
    'Payouts are not set up yet',
    `<p>Stripe cannot pay out to your account yet (${escape(account.statusReason ?? 'unverified')}). Your balance is kept and paid once it can.</p>
${needs}
<p><a href="${escape(continueUrl)}">Continue with Stripe</a></p>`,
  );
}

const REFUSALS: Record<string, { readonly title: string; readonly text: string }> = {
  onboarding_link_invalid: {
    title: 'Link not valid',
    text: 'This onboarding link is not valid. Start the payout setup again from your payout settings.',
  },
  onboarding_link_expired: {
    title: 'Link expired',
    text: 'This onboarding link has expired. Start the payout setup again from your payout settings.',
  },
  onboarding_replaced: {
    title: 'Payout account changed',
    text: 'Your payout account was changed since this setup started, so this link no longer applies.',
  },
  rail_unavailable: {
    title: 'Stripe is unavailable',
    text: 'Stripe could not be reached. Try this link again in a minute.',
  },
  rail_refused: {
    title: 'Stripe refused',
    text: 'Stripe refused to continue this setup. Start it again from your payout settings.',
  },
};

/** A refusal as a page (the code is also in the page, for support). */
export function refusalPage(code: string): string {
  const refusal = REFUSALS[code] ?? { title: 'Something went wrong', text: 'Try again later.' };
  return page(refusal.title, `<p>${escape(refusal.text)}</p><p><small>${escape(code)}</small></p>`);
}

export const knownRefusal = (code: string) => code in REFUSALS;
