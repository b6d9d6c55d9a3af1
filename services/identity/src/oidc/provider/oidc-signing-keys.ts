import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { queryExists, queryRows } from '@onecommons/persistence';
import { seal, SERVICE_CONFIG, unseal } from '@onecommons/service-kit';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { DataSource, type EntityManager } from 'typeorm';
import { z } from 'zod';
import { type IdentityConfig, sealingKeyOf } from '../../config.js';

const sealedKeyRow = z.object({ kid: z.string(), private_jwk_sealed: z.string() });

/** The oidc_signing_keys table. */
@Injectable()
export class OidcSigningKeysRepository {
  async lockCreation(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('identity:oidc-signing-key'))`);
  }

  /** Newest first: the provider signs with the first and publishes them all. */
  all(manager: EntityManager): Promise<z.output<typeof sealedKeyRow>[]> {
    return queryRows(
      manager,
      {
        name: 'oidcSigningKeys.all',
        row: sealedKeyRow,
        sql: 'SELECT kid, private_jwk_sealed FROM oidc_signing_keys ORDER BY created_at DESC, kid',
      },
      [],
    );
  }

  async insert(manager: EntityManager, kid: string, sealed: string): Promise<void> {
    await queryExists(
      manager,
      {
        name: 'oidcSigningKeys.insert',
        sql: 'INSERT INTO oidc_signing_keys (kid, private_jwk_sealed) VALUES ($1, $2) RETURNING 1',
      },
      [kid, sealed],
    );
  }
}

/**
 * The ID tokens' signing keys (RS256, which every relying party must support), as private JWKs for the
 * provider. The first replica to boot makes one, under a lock, so every replica signs with the same key.
 */
@Injectable()
export class OidcSigningKeys {
  private readonly sealingKey: Buffer;

  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: OidcSigningKeysRepository,
    @Inject(SERVICE_CONFIG) config: IdentityConfig,
  ) {
    this.sealingKey = sealingKeyOf(config);
  }

  async privateJwks(): Promise<JWK[]> {
    const stored = await this.dataSource.transaction(async (manager) => {
      const existing = await this.keys.all(manager);
      if (existing.length > 0) return existing;
      await this.keys.lockCreation(manager);
      const afterLock = await this.keys.all(manager);
      if (afterLock.length > 0) return afterLock;
      const kid = randomUUID();
      const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
      const jwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
      const sealed = seal(JSON.stringify(jwk), this.sealingKey, kid);
      await this.keys.insert(manager, kid, sealed);
      return [{ kid, private_jwk_sealed: sealed }];
    });
    return stored.map(
      ({ kid, private_jwk_sealed }) => JSON.parse(unseal(private_jwk_sealed, this.sealingKey, kid)) as JWK,
    );
  }
}
