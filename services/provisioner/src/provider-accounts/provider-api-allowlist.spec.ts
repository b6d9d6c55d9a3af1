import { describe, expect, it } from '@jest/globals';
import { allowedBaseUrl, parseAllowedApiBaseUrl } from './provider-api-allowlist.js';
import { provisionerConfigSchema } from '../config.js';

const allowed = [
  'https://api.hetzner.cloud/v1',
  'https://api.digitalocean.com',
  'http://127.0.0.1:12112/v1',
].map(parseAllowedApiBaseUrl);

describe('the provider API allow-list', () => {
  it.each([
    ['https://api.hetzner.cloud/v1', 'https://api.hetzner.cloud/v1'],
    ['https://api.hetzner.cloud/v1/', 'https://api.hetzner.cloud/v1'],
    ['HTTPS://API.Hetzner.Cloud/v1', 'https://api.hetzner.cloud/v1'],
    ['https://api.hetzner.cloud:443/v1', 'https://api.hetzner.cloud/v1'],
    ['https://api.digitalocean.com', 'https://api.digitalocean.com'],
    ['https://api.digitalocean.com/', 'https://api.digitalocean.com'],
    ['http://127.0.0.1:12112/v1', 'http://127.0.0.1:12112/v1'],
  ])('allows %s, stored as %s', (candidate, stored) => {
    expect(allowedBaseUrl(candidate, allowed)).toBe(stored);
  });

  it.each([
    'https://api.hetzner.cloud.evil.example/v1', // a longer host that starts with an allowed one
    'https://api.hetzner.cloud@evil.example/v1', // user info: the host is evil.example
    'https://api.hetzner.cloud:x@evil.example/v1',
    'https://user@api.hetzner.cloud/v1', // user info, even on the right host
    'https://api.hetzner.cloud./v1', // a trailing dot is another host name
    'http://api.hetzner.cloud/v1', // another scheme
    'https://api.hetzner.cloud:8443/v1', // another port
    'https://api.hetzner.cloud/v1evil', // a longer path
    'https://api.hetzner.cloud/v1/../v2', // resolves to /v2
    'https://api.hetzner.cloud/v1?x=1', // a query
    'https://api.hetzner.cloud/v1#x', // a fragment
    'https://api.hetzner.cloud', // not the configured path
    'https://api.digitalocean.com.evil.example',
    'https://evil.example/https://api.digitalocean.com',
    'http://127.0.0.1:12113/v1', // the loopback host, another port
    'http://127.0.0.1/v1',
    'http://169.254.169.254/latest',
    'file:///etc/passwd',
    'not a url',
  ])('refuses %s', (candidate) => {
    expect(allowedBaseUrl(candidate, allowed)).toBeUndefined();
  });

  it('is validated at boot: entries that are prefixes, not addresses, stop the service', () => {
    const parse = (value: string) =>
      provisionerConfigSchema.shape.PROVISIONER_ALLOWED_API_BASE_URLS.safeParse(value).success;
    expect(parse('https://api.hetzner.cloud/v1,http://127.0.0.1:12112')).toBe(true);
    expect(parse('http://127.0.0.1:')).toBe(false);
    expect(parse('https://user:pw@api.hetzner.cloud/v1')).toBe(false);
    expect(parse('https://api.hetzner.cloud/v1?x')).toBe(false);
    expect(parse('ftp://files.example')).toBe(false);
    expect(parse(' , ')).toBe(false);
  });
});
