import { describe, expect, it } from '@jest/globals';
import { identityConfigSchema } from './config.js';

describe("identity's PUBLIC_URL", () => {
  const publicUrl = identityConfigSchema.shape.PUBLIC_URL;

  it.each(['https://onecommons.org', 'https://onecommons.org/', 'http://127.0.0.1:8080'])(
    'accepts the origin %s',
    (value) => {
      expect(publicUrl.safeParse(value).success).toBe(true);
    },
  );

  it.each([
    'https://onecommons.org/app',
    'https://onecommons.org/?a=1',
    'https://onecommons.org/#x',
    'ftp://x.org',
    'onecommons.org',
  ])('refuses %s: the OpenID issuer is the origin where discovery is served', (value) => {
    expect(publicUrl.safeParse(value).success).toBe(false);
  });
});
