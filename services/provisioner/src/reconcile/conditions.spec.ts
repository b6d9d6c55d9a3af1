import { describe, expect, it } from '@jest/globals';
import { conditionOf, initialConditions, withConditions } from './conditions.js';

const t0 = new Date('2026-03-01T00:00:00Z');
const t1 = new Date('2026-03-01T00:01:00Z');
const t2 = new Date('2026-03-01T00:02:00Z');

describe('conditions', () => {
  it('start Unknown for Ready and Synced', () => {
    expect(initialConditions(t0).map((c) => [c.type, c.status])).toEqual([
      ['Ready', 'Unknown'],
      ['Synced', 'Unknown'],
    ]);
  });

  it('move lastTransitionTime only when the status changes', () => {
    const provisioning = withConditions(
      initialConditions(t0),
      [{ type: 'Ready', status: 'False', reason: 'Provisioning', message: 'creating' }],
      t1,
    );
    expect(conditionOf(provisioning, 'Ready')).toEqual({
      type: 'Ready',
      status: 'False',
      reason: 'Provisioning',
      message: 'creating',
      lastTransitionTime: t1.toISOString(),
    });
    expect(conditionOf(provisioning, 'Synced')?.lastTransitionTime).toBe(t0.toISOString());

    const stillFalse = withConditions(
      provisioning,
      [{ type: 'Ready', status: 'False', reason: 'ProviderActionFailed', message: 'boom' }],
      t2,
    );
    expect(conditionOf(stillFalse, 'Ready')).toMatchObject({
      reason: 'ProviderActionFailed',
      lastTransitionTime: t1.toISOString(),
    });

    const ready = withConditions(
      stillFalse,
      [{ type: 'Ready', status: 'True', reason: 'ServerRunning', message: '' }],
      t2,
    );
    expect(conditionOf(ready, 'Ready')?.lastTransitionTime).toBe(t2.toISOString());
  });

  it('keep a stable order whatever order updates come in', () => {
    const updated = withConditions(
      [],
      [
        { type: 'Synced', status: 'True', reason: 'Reconciled', message: '' },
        { type: 'Ready', status: 'True', reason: 'ServerRunning', message: '' },
      ],
      t0,
    );
    expect(updated.map((c) => c.type)).toEqual(['Ready', 'Synced']);
  });
});
