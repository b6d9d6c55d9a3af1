import { describe, expect, it } from '@jest/globals';
import { registerClientSchema, updateClientSchema } from './dto.js';

const SERVICE = '0190a8e4-6f5b-7c2d-9e3f-1a2b3c4d5e6f';
const register = (redirectUris: unknown) =>
  registerClientSchema.safeParse({ serviceId: SERVICE, name: 'app', redirectUris });

describe('OpenID client registration', () => {
  it.each([
    'https://app.example/callback',
    'https://app.example:8443/auth/callback?tenant=a',
    'https://xn--bcher-kva.example/cb',
    'https://[2001:db8::1]/cb',
  ])('accepts the https redirect URI %s', (uri) => {
    expect(register([uri]).success).toBe(true);
  });

  it.each([
    ['plain http', 'http://app.example/callback'],
    ['http on loopback', 'http://127.0.0.1:3000/callback'],
    ['a wildcard host', 'https://*.example/callback'],
    ['a wildcard path', 'https://app.example/*'],
    ['a fragment', 'https://app.example/callback#done'],
    ['credentials', 'https://user:secret@app.example/callback'],
    ['another scheme', 'javascript:alert(1)'],
    ['a custom scheme', 'com.example.app:/callback'],
    ['a relative path', '/callback'],
    ['an underscore host', 'https://bad_host.example/cb'],
  ])('refuses %s', (_, uri) => {
    const result = register([uri]);

    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['redirectUris', 0]);
  });

  it('needs one redirect URI, allows ten, refuses repeats', () => {
    expect(register([]).success).toBe(false);
    expect(register(Array.from({ length: 10 }, (_, i) => `https://app.example/cb${i}`)).success).toBe(true);
    expect(register(Array.from({ length: 11 }, (_, i) => `https://app.example/cb${i}`)).success).toBe(false);
    expect(register(['https://app.example/cb', 'https://app.example/cb']).success).toBe(false);
  });

  it('refuses an update that changes nothing', () => {
    expect(updateClientSchema.safeParse({}).success).toBe(false);
    expect(updateClientSchema.safeParse({ name: 'renamed' }).success).toBe(true);
  });
});
