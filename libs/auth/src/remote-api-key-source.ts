import { z } from 'zod';
import { API_KEY_SCOPES, type ApiKeyPrincipal, type ApiKeySource } from './api-key.js';
import { InternalJsonClient } from './internal-client.js';

const introspectionAnswer = z.discriminatedUnion('active', [
  z.object({ active: z.literal(false) }),
  z.object({
    active: z.literal(true),
    keyId: z.string(),
    organizationId: z.string(),
    scopes: z.array(z.enum(API_KEY_SCOPES)),
    serviceId: z.string().nullable(),
    /** When the key stops working by itself (absent from an identity of before #25: treated as never). */
    expiresAt: z.iso.datetime().nullable().optional(),
  }),
]);

/** A live key's principal and when it expires by itself (null: never). */
export interface IntrospectedApiKey {
  readonly principal: ApiKeyPrincipal;
  readonly expiresAt: Date | null;
}

/** Identity could not answer: the request fails as unavailable rather than being let in or turned away. */
export class ApiKeySourceUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`API key introspection failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ApiKeySourceUnavailableError';
  }
}

/**
 * Asks identity about every presented key, with no cache of its own (`CachedApiKeySource` adds one that a
 * revocation still voids at once). One round trip on the internal network over a kept-alive connection, with the platform-internal
 * credential; identity is the only holder of key hashes.
 */
export class RemoteApiKeySource implements ApiKeySource {
  private readonly client: InternalJsonClient;

  constructor(introspectionUrl: string, internalToken: string, timeoutMs = 5_000) {
    this.client = new InternalJsonClient(introspectionUrl, internalToken, timeoutMs);
  }

  async resolve(key: string): Promise<ApiKeyPrincipal | null> {
    return (await this.introspect(key))?.principal ?? null;
  }

  /** The key's principal and expiry, or null when identity does not know it as live. */
  async introspect(key: string): Promise<IntrospectedApiKey | null> {
    let body: unknown;
    try {
      body = await this.client.post({ key });
    } catch (error) {
      throw new ApiKeySourceUnavailableError(error);
    }
    const answer = introspectionAnswer.safeParse(body);
    if (!answer.success) throw new ApiKeySourceUnavailableError(new Error('unexpected introspection answer'));
    if (!answer.data.active) return null;
    const { keyId, organizationId, scopes, serviceId, expiresAt } = answer.data;
    return {
      principal: { kind: 'api_key', keyId, organizationId, scopes, serviceId },
      expiresAt: expiresAt ? new Date(expiresAt) : null,
    };
  }
}
