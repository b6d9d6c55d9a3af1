/**
 * Stripe's test PaymentMethod tokens the fake understands. Attaching one to a customer creates a new
 * PaymentMethod; charging it succeeds or fails as documented for that token.
 */
export interface TestCard {
  readonly brand: string;
  readonly last4: string;
  /** Set when charges are declined, with Stripe's `decline_code`. */
  readonly declineCode?: string;
}

export const TEST_CARDS: Readonly<Record<string, TestCard>> = {
  pm_card_visa: { brand: 'visa', last4: '4242' },
  pm_card_visa_debit: { brand: 'visa', last4: '5556' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444' },
  pm_card_amex: { brand: 'amex', last4: '8431' },
  pm_card_chargeDeclined: { brand: 'visa', last4: '0341', declineCode: 'generic_decline' },
  pm_card_chargeDeclinedInsufficientFunds: {
    brand: 'visa',
    last4: '9995',
    declineCode: 'insufficient_funds',
  },
};

export const DECLINE_MESSAGES: Readonly<Record<string, string>> = {
  generic_decline: 'Your card was declined.',
  insufficient_funds: 'Your card has insufficient funds.',
};
