import { describe, expect, it } from '@jest/globals';
import { ALL_EVENT_CONTRACTS, eventCatalogue } from '../catalogue.js';
import { WEBHOOK_DELIVERABLE_EVENTS } from './deliverable-events.js';

describe('the events delivered by webhook', () => {
  it('are registered contracts, each the newest version of its event, listed once', () => {
    const types = WEBHOOK_DELIVERABLE_EVENTS.map((event) => event.contract.type);
    expect(new Set(types).size).toBe(types.length);
    for (const { contract } of WEBHOOK_DELIVERABLE_EVENTS) {
      expect(ALL_EVENT_CONTRACTS).toContain(contract);
      expect(eventCatalogue.newestOf(contract).type).toBe(contract.type);
    }
  });

  it('keep facts about subscribers for admins', () => {
    const audienceOf = (type: string) =>
      WEBHOOK_DELIVERABLE_EVENTS.find((event) => event.contract.type === type)?.audience.kind;
    expect(audienceOf('onecommons.metering.quota.exceeded.v1')).toBe('admins');
    expect(audienceOf('onecommons.identity.payment.captured.v1')).toBe('admins');
    expect(audienceOf('onecommons.catalog.app.registered.v1')).toBe('everyone');
  });
});
