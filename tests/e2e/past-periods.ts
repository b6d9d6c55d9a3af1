import {
  createEvent,
  PaymentCapturedV1,
  TOPICS,
  UsagePeriodSealedV1,
  UsageRecordedV1,
  uuidV7,
} from '@onecommons/contracts';
import { RawProducer } from '@onecommons/testing';
import { serviceEnvironmentValue } from './gateway-client.js';

/**
 * The past periods e2e files close, one file each: files run side by side on one platform, and a period closed by
 * one would refuse the usage another publishes for it (or carry the other's tokens into its allocation).
 */
export const PAST_PERIODS = {
  abuseTerms: '2024-03',
  onboardingHeld: '2024-06',
  onboardingPaid: '2024-07',
  transparency: '2024-09',
} as const;

/** One synthetic paying subscriber of a past period: its payment and its usage rows. */
export interface PastSubscriber {
  readonly amountMinor: string;
  readonly usage: readonly {
    readonly serviceId: string;
    readonly meter: string;
    readonly quantity: string;
  }[];
}

/**
 * A past period's facts as identity and metering would publish them: each subscriber's captured payment (in the
 * ledger's currency) and usage, then metering's seal counting those announcements. Returns the subscriber ids.
 */
export async function publishPastPeriod(
  period: string,
  subscribers: readonly PastSubscriber[],
): Promise<string[]> {
  let currency = 'EUR'; // the ledger's default treasury currency
  try {
    currency = serviceEnvironmentValue('ledger', 'LEDGER_CURRENCY');
  } catch {
    // not set: the default
  }
  const ids = subscribers.map(() => uuidV7());
  const producer = await RawProducer.connect();
  try {
    for (const [index, subscriber] of subscribers.entries()) {
      const subscriberId = ids[index] as string;
      const payment = createEvent(
        PaymentCapturedV1,
        {
          subscriber: subscriberId,
          subscriptionId: uuidV7(),
          period,
          amountMinor: subscriber.amountMinor,
          currency,
          paymentId: uuidV7(),
          provider: 'stripe',
          providerPaymentId: `in_${uuidV7()}`,
          providerEventId: `evt_${uuidV7()}`,
          capturedAt: new Date().toISOString(),
        },
        { source: '/onecommons/identity' },
      );
      await producer.send(TOPICS.identityEvents.name, payment.subject, JSON.stringify(payment));
      const usage = createEvent(
        UsageRecordedV1,
        {
          subscriberId,
          period,
          usage: subscriber.usage.map((row) => ({ ...row, events: 1 })),
          recordedAt: new Date().toISOString(),
        },
        { source: '/onecommons/metering' },
      );
      await producer.send(TOPICS.meteringUsage.name, usage.subject, JSON.stringify(usage));
    }
    // The period's watermark for these announcements, as metering would seal it (metering's own seal, on the close
    // request, counts none of them: the ledger keeps the greater count).
    const sealed = createEvent(
      UsagePeriodSealedV1,
      {
        period,
        announcements: String(subscribers.length),
        reason: 'close_requested',
        sealedAt: new Date().toISOString(),
      },
      { source: '/onecommons/metering' },
    );
    await producer.send(TOPICS.meteringUsage.name, sealed.subject, JSON.stringify(sealed));
  } finally {
    await producer.stop();
  }
  return ids;
}
