import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { seal, SERVICE_CONFIG, unseal } from '@onecommons/service-kit';
import {
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import { DataSource } from 'typeorm';
import { type IdentityConfig, sealingKeyOf } from '../config.js';
import { SigningKeysRepository } from './signing-keys.repository.js';

interface ActiveKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly createdAt: Date;
  readonly loadedAt: number;
}

/** How long a replica trusts its cached active key before looking again (another may have rotated). */
const ACTIVE_KEY_CACHE_MS = 60_000;
/** Retired keys stay published this long past the longest-lived token they may have signed. */
const PUBLISH_MARGIN_SECONDS = 300;

/**
 * Identity's token signing keys (Ed25519). One is active; it rotates when older than
 * SIGNING_KEY_ROTATION_DAYS. Retired keys stay in the JWKS until every token they signed has expired, so
 * a rotation never logs anyone out. Private keys are sealed at rest with IDENTITY_KEY_ENCRYPTION_KEY.
 */
@Injectable()
export class SigningKeyStore implements OnApplicationBootstrap {
  private readonly logger = new Logger('SigningKeys');
  private readonly encryptionKey: Buffer;
  private active: ActiveKey | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: SigningKeysRepository,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
  ) {
    this.encryptionKey = sealingKeyOf(config);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.signingKey();
  }

  /** The key to sign with now; rotates first when the active one is due. */
  async signingKey(): Promise<{ kid: string; privateKey: CryptoKey }> {
    if (!this.active || Date.now() - this.active.loadedAt > ACTIVE_KEY_CACHE_MS)
      this.active = await this.loadActive();
    if (!this.active || this.isDue(this.active.createdAt)) {
      await this.rotate({ onlyIfDue: true });
      this.active = await this.loadActive();
    }
    if (!this.active) throw new Error('no active signing key after rotation');
    return this.active;
  }

  /**
   * Makes a new active key and retires the current one. With `onlyIfDue`, another replica's fresh rotation
   * (seen under the lock) makes this a no-op, so replicas never rotate twice in a row.
   */
  async rotate({ onlyIfDue = false } = {}): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const kid = randomUUID();
    const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
    const sealed = seal(await exportPKCS8(privateKey), this.encryptionKey, kid);
    const rotated = await this.dataSource.transaction(async (manager) => {
      await this.keys.lockRotation(manager);
      const current = await this.keys.activeAge(manager);
      if (onlyIfDue && current && !this.isDue(current.createdAt)) return current.kid;
      await this.keys.retireActive(manager);
      await this.keys.insert(manager, { kid, publicJwk, privateKeySealed: sealed });
      return kid;
    });
    if (rotated === kid) this.logger.log(`rotated the token signing key; active kid ${kid}`);
    this.active = undefined;
    return rotated;
  }

  /** The JWKS: the active key and retired keys that may still verify unexpired tokens. */
  async publishedKeys(): Promise<JSONWebKeySet> {
    return {
      keys: await this.keys.publicKeys(this.config.ACCESS_TOKEN_TTL_SECONDS + PUBLISH_MARGIN_SECONDS),
    };
  }

  private isDue(createdAt: Date): boolean {
    return Date.now() - createdAt.getTime() > this.config.SIGNING_KEY_ROTATION_DAYS * 86_400_000;
  }

  private async loadActive(): Promise<ActiveKey | undefined> {
    const key = await this.keys.active();
    if (!key) return undefined;
    const pem = unseal(key.privateKeySealed, this.encryptionKey, key.kid);
    return {
      kid: key.kid,
      privateKey: await importPKCS8(pem, 'EdDSA'),
      createdAt: key.createdAt,
      loadedAt: Date.now(),
    };
  }
}
