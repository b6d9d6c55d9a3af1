import { describe, expect, it } from '@jest/globals';
import { isOurs, labelSelectorOf, serverIdentityOf } from './server-identity.js';

const deployment = '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const service = '0199a1b2-0000-7000-8000-000000000001';

describe('server identity', () => {
  it('is derived from the deployment alone, the same on every call', () => {
    expect(serverIdentityOf(deployment, service)).toEqual(
      serverIdentityOf(deployment.toUpperCase(), service),
    );
    expect(serverIdentityOf(deployment, service).name).toBe(`oc-${deployment}`);
    expect(serverIdentityOf(deployment, service).name.length).toBeLessThanOrEqual(63);
  });

  it('selects by every label', () => {
    expect(labelSelectorOf(serverIdentityOf(deployment, service))).toBe(
      `managed-by==onecommons,onecommons.org/deployment==${deployment},onecommons.org/service==${service}`,
    );
  });

  it('claims only servers carrying all of its labels', () => {
    const identity = serverIdentityOf(deployment, service);
    expect(isOurs(identity, { name: identity.name, labels: { ...identity.labels } })).toBe(true);
    expect(isOurs(identity, { name: identity.name, labels: {} })).toBe(false);
    expect(
      isOurs(identity, { name: 'x', labels: { ...identity.labels, 'onecommons.org/deployment': 'other' } }),
    ).toBe(false);
  });
});
