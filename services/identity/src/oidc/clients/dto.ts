import { z } from 'zod';
import { type OidcClientRecord } from './oidc-clients.repository.js';

const MAX_URIS = 10;
/** A DNS name (international names arrive as punycode) or a bracketed IPv6 address. */
const HOST = /^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/;

/**
 * Where the provider may send a browser back: an absolute https URL, compared exactly (no wildcard, no
 * prefix match), without a fragment or credentials. Plain http is refused, loopback included: the pages'
 * policy lets a signed-in browser leave for https only.
 */
const redirectUri = z
  .string({ error: 'must be a string' })
  .max(2_000, { error: 'must be at most 2000 characters' })
  .refine(
    (value) => {
      if (!URL.canParse(value) || value.includes('#') || value.includes('*')) return false;
      const url = new URL(value);
      return url.protocol === 'https:' && !url.username && !url.password && HOST.test(url.hostname);
    },
    { error: 'must be an absolute https URL without a fragment or credentials' },
  )
  .meta({ format: 'uri', examples: ['https://wiki.example.org/callback'] });

const uriList = (what: string, min: number) =>
  z
    .array(redirectUri)
    .min(min, { error: `must list at least ${min} ${what}` })
    .max(MAX_URIS, { error: `must list at most ${MAX_URIS} ${what}` })
    .refine((uris) => new Set(uris).size === uris.length, { error: 'must not repeat a URI' });

const clientName = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(100, { error: 'must be at most 100 characters' });

export const registerClientSchema = z.strictObject({
  serviceId: z.uuid({ error: 'must be a service id (UUID)' }),
  name: clientName,
  redirectUris: uriList('redirect URIs', 1),
  postLogoutRedirectUris: uriList('post-logout redirect URIs', 0).default([]),
});
export type RegisterClientDto = z.output<typeof registerClientSchema>;

export const updateClientSchema = z
  .strictObject({
    name: clientName.optional(),
    redirectUris: uriList('redirect URIs', 1).optional(),
    postLogoutRedirectUris: uriList('post-logout redirect URIs', 0).optional(),
  })
  .refine((input) => Object.values(input).some((value) => value !== undefined), {
    error: 'must change at least one of name, redirectUris, postLogoutRedirectUris',
  });
export type UpdateClientDto = z.output<typeof updateClientSchema>;

/** A client as the API shows it: never its secret. */
export type OidcClientDto = Omit<OidcClientRecord, 'secretRotatedAt' | 'createdAt'> & {
  readonly secretRotatedAt: string;
  readonly createdAt: string;
};

/** The answer to registration and to rotation: the only time the secret is ever shown. */
export interface OidcClientWithSecretDto extends OidcClientDto {
  readonly clientSecret: string;
}
