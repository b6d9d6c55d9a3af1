import { type Request } from 'express';
import { byAddressAndEmail, byEmail, byPrincipal } from './identity-rate-limits.js';

const request = (ip: string, body: unknown) => ({ ip, body, socket: {} }) as unknown as Request;

describe('login rate-limit trackers', () => {
  it('count one account under every spelling of its email', () => {
    expect(byAddressAndEmail(request('203.0.113.5', { email: ' Alice@Example.ORG ' }))).toBe(
      byAddressAndEmail(request('203.0.113.5', { email: 'alice@example.org' })),
    );
    expect(byEmail(request('203.0.113.5', { email: 'ＡＬＩＣＥ@example.org' }))).toBe(
      byEmail(request('198.51.100.9', { email: 'alice@example.org' })),
    );
  });

  it('tell addresses apart for the (address, email) limit, treating one IPv6 /64 as one client', () => {
    const body = { email: 'alice@example.org' };
    expect(byAddressAndEmail(request('203.0.113.5', body))).not.toBe(
      byAddressAndEmail(request('203.0.113.6', body)),
    );
    expect(byAddressAndEmail(request('2001:db8:1:2::1', body))).toBe(
      byAddressAndEmail(request('2001:db8:1:2:ffff::9', body)),
    );
    expect(byAddressAndEmail(request('2001:db8:1:2::1', body))).not.toBe(
      byAddressAndEmail(request('2001:db8:1:3::1', body)),
    );
  });

  it('fall back to the address when the body names no email, never sharing a key with an email', () => {
    expect(byEmail(request('203.0.113.5', { email: 42 }))).toBe('address:203.0.113.5');
    expect(byEmail(request('203.0.113.5', undefined))).toBe('address:203.0.113.5');
    expect(byEmail(request('203.0.113.5', { email: '203.0.113.5' }))).toBe('email:203.0.113.5');
  });
});

describe('the signed-in account tracker', () => {
  it('counts the account wherever it comes from, and an anonymous request by its address', () => {
    const signedIn = (ip: string) =>
      ({ ...request(ip, {}), principal: { kind: 'account', subject: 'a1' } }) as unknown as Request;
    expect(byPrincipal(signedIn('203.0.113.5'))).toBe(byPrincipal(signedIn('198.51.100.9')));
    expect(byPrincipal(signedIn('203.0.113.5'))).toBe('account:a1');
    expect(byPrincipal(request('203.0.113.5', {}))).toBe('address:203.0.113.5');
  });
});
