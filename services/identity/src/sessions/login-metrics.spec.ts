import { describe, expect, it } from '@jest/globals';
import { register } from 'prom-client';
import { HANDLED_PAYMENT_EVENT_TYPES } from '../billing/payment-event-types.js';
import '../billing/payment-event-metrics.js';
import { MAIL_TEMPLATES } from '../mail/account-mail.js';
import '../mail/mail-metrics.js';
import './login-metrics.js';

describe("identity's counters", () => {
  it('expose every mail template and outcome at 0 before any mail was sent', async () => {
    const text = await register.metrics();
    for (const template of MAIL_TEMPLATES)
      for (const outcome of ['sent', 'retried', 'failed'])
        expect(text).toContain(
          `onecommons_identity_mail_total{template="${template}",outcome="${outcome}"} 0`,
        );
  });

  it('expose every login outcome, payment event outcome and webhook refusal at 0 before anything happened', async () => {
    const text = await register.metrics();
    for (const outcome of ['succeeded', 'invalid_credentials'])
      expect(text).toContain(`onecommons_identity_logins_total{outcome="${outcome}"} 0`);
    for (const type of HANDLED_PAYMENT_EVENT_TYPES)
      for (const outcome of ['applied', 'duplicate', 'ignored', 'failed'])
        expect(text).toContain(
          `onecommons_identity_payment_provider_events_total{type="${type}",outcome="${outcome}"} 0`,
        );
    for (const reason of ['unsigned', 'invalid_signature'])
      expect(text).toContain(
        `onecommons_identity_payment_provider_webhooks_refused_total{reason="${reason}"} 0`,
      );
  });
});
