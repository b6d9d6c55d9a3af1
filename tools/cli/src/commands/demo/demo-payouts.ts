import { CliError } from '../../cli-error.js';
import { type SeededAccount, type SeededOrganization } from './demo-seed.js';
import { type PlatformApi } from './platform-api.js';

const PAYOUTS = '/api/payouts/v1';

/** The platform's Stripe account, to open the demo payees' connected accounts (the local fake Stripe). */
export interface StripeAccess {
  readonly apiBase: string;
  readonly secretKey: string;
}

export interface SeededPayee {
  readonly payee: string;
  readonly label: string;
  /** How it is paid, or null: left without a payout account, so its balance is held. */
  readonly payoutAccount: string | null;
}

interface PayeeSetup {
  readonly payee: string;
  readonly label: string;
  readonly owner: SeededAccount;
  readonly rail: 'stripe' | 'bank' | 'none';
}

/** A valid Dutch IBAN from ISO 13616's documentation: the demo's one payee paid by bank file. */
const DEMO_BANK_IBAN = 'NL91ABNA0417164300';

/**
 * Links payout accounts to the demo's payees, as each payee would: a Stripe connected account for the
 * providers, most operators and members; a bank account (verified by the admin) for the last operator; and
 * none for the last member, whose balance is held until it adds one. Reuses what an earlier run linked.
 */
export async function seedPayoutAccounts(
  api: PlatformApi,
  stripe: StripeAccess,
  admin: SeededAccount,
  organizations: {
    readonly providers: readonly SeededOrganization[];
    readonly operators: readonly SeededOrganization[];
  },
  members: ReadonlyMap<string, SeededAccount>,
): Promise<SeededPayee[]> {
  const setups: PayeeSetup[] = [
    ...organizations.providers.map((org) => ({
      payee: `provider:${org.id}`,
      label: org.name,
      owner: org.owner,
      rail: 'stripe' as const,
    })),
    ...organizations.operators.map((org, index, all) => ({
      payee: `operator:${org.id}`,
      label: org.name,
      owner: org.owner,
      rail: index === all.length - 1 ? ('bank' as const) : ('stripe' as const),
    })),
    ...[...members.entries()].map(([handle, account], index, all) => ({
      payee: `member:${account.id}`,
      label: handle,
      owner: account,
      rail: index === all.length - 1 ? ('none' as const) : ('stripe' as const),
    })),
  ];
  const seeded: SeededPayee[] = [];
  for (const setup of setups) seeded.push(await ensurePayoutAccount(api, stripe, admin, setup));
  return seeded;
}

async function ensurePayoutAccount(
  api: PlatformApi,
  stripe: StripeAccess,
  admin: SeededAccount,
  setup: PayeeSetup,
): Promise<SeededPayee> {
  const current = await api.expect<{ payoutAccount: { display: string; status: string } | null }>(
    'GET',
    `${PAYOUTS}/payees/${setup.payee}`,
    { credential: setup.owner.accessToken },
  );
  const existing = current.body.payoutAccount;
  if (setup.rail === 'none' || existing?.status === 'verified')
    return { payee: setup.payee, label: setup.label, payoutAccount: existing?.display ?? null };
  const body =
    setup.rail === 'stripe'
      ? { rail: 'stripe', accountId: await openConnectedAccount(stripe, setup.owner.email) }
      : { rail: 'bank', holderName: setup.label, iban: DEMO_BANK_IBAN };
  const account = await api.expect<{ display: string; status: string }>(
    'PUT',
    `${PAYOUTS}/payees/${setup.payee}/payout-account`,
    {
      credential: setup.owner.accessToken,
      body,
    },
  );
  if (setup.rail === 'bank')
    await api.expect('POST', `${PAYOUTS}/payees/${setup.payee}/payout-account/verification`, {
      credential: admin.accessToken,
    });
  return { payee: setup.payee, label: setup.label, payoutAccount: account.body.display };
}

/** What a payee's Stripe Connect onboarding ends with: a connected account that can receive transfers. */
async function openConnectedAccount(stripe: StripeAccess, email: string): Promise<string> {
  const form = new URLSearchParams({
    type: 'custom',
    country: 'DE',
    email,
    'capabilities[transfers][requested]': 'true',
  });
  const response = await fetch(new URL('/v1/accounts', stripe.apiBase), {
    method: 'POST',
    headers: {
      authorization: `Bearer ${stripe.secretKey}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: form,
    signal: AbortSignal.timeout(15_000),
  }).catch((error: unknown) => {
    throw new CliError(`cannot reach Stripe at ${stripe.apiBase}: ${String(error)}`);
  });
  const account = (await response.json()) as { id?: string; error?: { message?: string } };
  if (!response.ok || !account.id)
    throw new CliError(
      `Stripe refused to open a connected account: ${account.error?.message ?? response.status}`,
    );
  return account.id;
}
