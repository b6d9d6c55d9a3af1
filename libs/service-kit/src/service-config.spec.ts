import { loadConfig } from '@onecommons/config';
import { z } from 'zod';
import { serviceConfigShape } from './service-config.js';

const schema = z.object({ HTTP_TRUSTED_PROXIES: serviceConfigShape.HTTP_TRUSTED_PROXIES });
const trusted = (value?: string) =>
  loadConfig(schema, value === undefined ? {} : { HTTP_TRUSTED_PROXIES: value }).HTTP_TRUSTED_PROXIES;

describe('HTTP_TRUSTED_PROXIES', () => {
  it('trusts the loopback gateway by default', () => {
    expect(trusted()).toEqual(['loopback']);
  });

  it('takes names, addresses and CIDRs, and `none`', () => {
    expect(trusted('loopback, 10.0.0.0/8,fd00::/8, 172.18.0.2')).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '172.18.0.2',
    ]);
    expect(trusted('none')).toEqual([]);
  });

  it.each(['everyone', '10.0.0.0/33', '300.1.1.1', '10.0.0.0/8/1', 'fd00::/129'])('refuses %s', (value) => {
    expect(() => trusted(value)).toThrow('HTTP_TRUSTED_PROXIES');
  });
});
