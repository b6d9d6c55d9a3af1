import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, PayeePreferencesChangedV1 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { type EntityManager } from 'typeorm';
import { PayeePreferencesRepository } from './payee-preferences.repository.js';

/** Payees' auto-redeem choices, from payouts: a close redeems the allocations of those who did not opt out. */
@Injectable()
export class PayeePreferences {
  constructor(private readonly preferences: PayeePreferencesRepository) {}

  @OnEvent(PayeePreferencesChangedV1)
  async onChanged(
    event: CloudEvent<DataOf<typeof PayeePreferencesChangedV1>>,
    { manager }: EventContext,
  ): Promise<void> {
    await this.preferences.record(manager, event.data.payee, event.data.autoRedeem, event.data.changedAt);
  }

  /** Holders who opted out of auto-redeem: their tokens stay tokens. */
  async optedOut(manager: EntityManager): Promise<Set<string>> {
    return new Set(await this.preferences.optedOut(manager));
  }

  /** Holders who opted back in: tokens they held from earlier periods are redeemed at the next close. */
  optedIn(manager: EntityManager): Promise<string[]> {
    return this.preferences.optedIn(manager);
  }
}
