import { type ApiKeyPrincipal, type ApiKeySource, apiKeyHash } from './api-key.js';
import { type ApiKeyRevocationEpoch } from './api-key-revocations.js';
import { type IntrospectedApiKey } from './remote-api-key-source.js';

interface CachedAnswer {
  readonly principal: ApiKeyPrincipal;
  /** The revocation epoch read before identity was asked: the answer holds only while it is still current. */
  readonly epoch: string;
  /** Epoch milliseconds: the TTL from before identity was asked, or the key's own expiry if sooner. */
  readonly validUntil: number;
}

export interface ApiKeyCacheSettings {
  /** How long a live key's answer may be reused without asking identity again (a revocation ends it at once). */
  readonly ttlMs: number;
  /** At most this many keys are remembered; the oldest answer goes first. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/**
 * Answers for live API keys, kept for a short while so that a busy key is not sent to identity on every
 * request, without letting a revoked key through: every request reads the revocation epoch (one Redis GET)
 * and uses an answer only if it was obtained under that same epoch. The epoch is read *before* identity is
 * asked, so an answer racing a revocation is stored under the old epoch and never used. When Redis cannot be
 * read, the cache is dropped and identity is asked (as without a cache). Refusals are never cached: made-up
 * keys would fill the memory, and they cost identity a lookup either way. Entries are keyed by the key's
 * SHA-256, so the process does not hold the secrets themselves.
 */
export class CachedApiKeySource implements ApiKeySource {
  private readonly answers = new Map<string, CachedAnswer>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly identity: { introspect(key: string): Promise<IntrospectedApiKey | null> },
    private readonly epoch: ApiKeyRevocationEpoch,
    private readonly settings: ApiKeyCacheSettings,
  ) {
    this.maxEntries = settings.maxEntries ?? 10_000;
    this.now = settings.now ?? Date.now;
  }

  async resolve(key: string): Promise<ApiKeyPrincipal | null> {
    let epoch: string;
    try {
      epoch = await this.epoch.current();
    } catch {
      this.answers.clear();
      return (await this.identity.introspect(key))?.principal ?? null;
    }
    const id = apiKeyHash(key).toString('base64');
    const askedAt = this.now();
    const cached = this.answers.get(id);
    if (cached && cached.epoch === epoch && askedAt < cached.validUntil) return cached.principal;
    this.answers.delete(id);
    const answer = await this.identity.introspect(key);
    if (!answer) return null;
    const validUntil = Math.min(askedAt + this.settings.ttlMs, answer.expiresAt?.getTime() ?? Infinity);
    if (this.answers.size >= this.maxEntries) {
      const [oldest] = this.answers.keys();
      if (oldest !== undefined) this.answers.delete(oldest);
    }
    this.answers.set(id, { principal: answer.principal, epoch, validUntil });
    return answer.principal;
  }
}
