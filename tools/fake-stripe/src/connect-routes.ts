import { listPage, pageOf } from './list-page.js';
import { expandable, route, type Route } from './route-table.js';
import { StripeApiError } from './stripe-error.js';

/** Stripe Connect's platform-side money movement: connected accounts, transfers, reversals, the balance. */
export const CONNECT_ROUTES: readonly Route[] = [
  route('POST', '/v1/accounts', (params, _ids, { connect }) => {
    const type = params.oneOf('type', ['custom', 'express', 'standard'] as const) ?? 'custom';
    const country = params.string('country') ?? 'DE';
    if (!/^[A-Za-z]{2}$/.test(country))
      throw StripeApiError.invalid('country', `Invalid country: ${country}`);
    const capabilities = params.object('capabilities');
    const requestedCapabilities = capabilities?.keys().filter((name) => {
      const capability = capabilities.object(name);
      const requested = capability?.boolean('requested') ?? false;
      capability?.done();
      return requested;
    });
    capabilities?.done();
    const input = {
      type,
      country,
      email: params.string('email') ?? null,
      businessType:
        params.oneOf('business_type', [
          'individual',
          'company',
          'non_profit',
          'government_entity',
        ] as const) ?? null,
      defaultCurrency: params.string('default_currency')?.toLowerCase() ?? null,
      requestedCapabilities,
      metadata: params.metadata() ?? {},
    };
    expandable(params, []);
    params.done();
    return connect.createAccount(input);
  }),
  route('GET', '/v1/accounts/:id', (params, [id], { connect }) => {
    expandable(params, []);
    params.done();
    return connect.account(id!);
  }),
  route('POST', '/v1/account_links', (params, _ids, { accountLinks }) => {
    const input = {
      account: params.requiredString('account'),
      type: params.oneOf('type', ['account_onboarding', 'account_update'] as const),
      refreshUrl: params.requiredString('refresh_url'),
      returnUrl: params.requiredString('return_url'),
    };
    // Which requirements to collect: the fake's form collects them all either way.
    params.oneOf('collect', ['currently_due', 'eventually_due'] as const);
    const collection = params.object('collection_options');
    collection?.oneOf('fields', ['currently_due', 'eventually_due'] as const);
    collection?.oneOf('future_requirements', ['include', 'omit'] as const);
    collection?.done();
    expandable(params, []);
    params.done();
    if (!input.type)
      throw StripeApiError.invalid('type', 'Missing required param: type.', 'parameter_missing');
    return accountLinks.create({ ...input, type: input.type });
  }),
  route('POST', '/v1/transfers', (params, _ids, { connect }) => {
    const amount = params.integer('amount');
    if (amount === undefined) {
      throw StripeApiError.invalid('amount', 'Missing required param: amount.', 'parameter_missing');
    }
    const input = {
      amount,
      currency: params.requiredString('currency').toLowerCase(),
      destination: params.requiredString('destination'),
      transferGroup: params.string('transfer_group') ?? null,
      description: params.string('description') ?? null,
      metadata: params.metadata() ?? {},
    };
    if (params.has('source_transaction')) {
      throw StripeApiError.invalid(
        'source_transaction',
        'The fake transfers from the available balance only.',
      );
    }
    params.oneOf('source_type', ['card'] as const);
    expandable(params, []);
    params.done();
    return connect.createTransfer(input);
  }),
  route('GET', '/v1/transfers/:id', (params, [id], { connect }) => {
    expandable(params, []);
    params.done();
    return connect.transfer(id!);
  }),
  route('GET', '/v1/transfers', (params, _ids, { connect }) => {
    const filter = {
      transferGroup: params.string('transfer_group'),
      destination: params.string('destination'),
    };
    const page = pageOf(params);
    expandable(params, []);
    params.done();
    return connect.listTransfers(filter, page);
  }),
  route('POST', '/v1/transfers/:id/reversals', (params, [id], { connect }) => {
    const amount = params.integer('amount');
    params.string('description');
    params.boolean('refund_application_fee');
    const metadata = params.metadata() ?? {};
    expandable(params, []);
    params.done();
    return connect.reverse(connect.transfer(id!), amount, metadata);
  }),
  route('GET', '/v1/transfers/:id/reversals', (params, [id], { connect }) => {
    const page = pageOf(params);
    params.done();
    const transfer = connect.transfer(id!);
    return listPage(transfer.reversals.data, page, transfer.reversals.url);
  }),
  route('GET', '/v1/balance', (params, _ids, { connect }) => {
    params.done();
    return connect.balance();
  }),
];
