import { describe, expect, it } from '@jest/globals';
import { packageWeights } from './manifest-weights.js';

describe('manifest weights', () => {
  it('weighs runtime dependencies over peer, optional and dev ones, counting each package once', () => {
    const weights = packageWeights({
      dependencies: { express: '^5', pg: '^8' },
      peerDependencies: { react: '^19', pg: '^8' },
      optionalDependencies: { fsevents: '*' },
      devDependencies: { jest: '^30', express: '^5' },
    });
    expect(Object.fromEntries(weights)).toEqual({ express: 3n, pg: 3n, react: 2n, fsevents: 1n, jest: 1n });
  });

  it('gives nothing for an empty manifest', () => {
    expect(packageWeights({}).size).toBe(0);
  });
});
