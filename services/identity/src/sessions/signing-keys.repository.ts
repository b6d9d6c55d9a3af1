import { Injectable } from '@nestjs/common';
import { type JWK } from 'jose';
import { DataSource, type EntityManager } from 'typeorm';
import { z } from 'zod';
import { queryRows } from '@onecommons/persistence';

/** The active key as signing needs it: its private key still sealed. */
export interface SealedSigningKey {
  readonly kid: string;
  readonly privateKeySealed: string;
  readonly createdAt: Date;
}

export interface NewSigningKey {
  readonly kid: string;
  readonly publicJwk: JWK;
  readonly privateKeySealed: string;
}

/** An Ed25519 public key as stored (and published): what exportJWK gives, with its kid, alg and use. */
const publicJwkColumn = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string(),
  kid: z.string(),
  alg: z.literal('EdDSA'),
  use: z.literal('sig'),
});

const publicJwkRow = z.object({ public_jwk: publicJwkColumn });

const keyAgeRow = z
  .object({ kid: z.string(), created_at: z.date() })
  .transform((row) => ({ kid: row.kid, createdAt: row.created_at }));

const sealedKeyRow = z
  .object({ kid: z.string(), private_key_sealed: z.string(), created_at: z.date() })
  .transform((row): SealedSigningKey => ({
    kid: row.kid,
    privateKeySealed: row.private_key_sealed,
    createdAt: row.created_at,
  }));

const createdEpochRow = z.object({ created: z.number() });

/** The signing_keys table: one active key (not retired) and the retired ones. */
@Injectable()
export class SigningKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Rotations go one at a time until the transaction ends. */
  async lockRotation(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('identity:signing-key-rotation'))`);
  }

  /** The active key's kid and creation time; null when there is none. */
  async activeAge(
    manager: EntityManager,
  ): Promise<{ readonly kid: string; readonly createdAt: Date } | null> {
    const [current] = await queryRows(
      manager,
      {
        name: 'signingKeys.activeAge',
        row: keyAgeRow,
        sql: 'SELECT kid, created_at FROM signing_keys WHERE retired_at IS NULL',
      },
      [],
    );
    return current ?? null;
  }

  async retireActive(manager: EntityManager): Promise<void> {
    await manager.query('UPDATE signing_keys SET retired_at = now() WHERE retired_at IS NULL');
  }

  async insert(manager: EntityManager, key: NewSigningKey): Promise<void> {
    await manager.query(
      `INSERT INTO signing_keys (kid, algorithm, public_jwk, private_key_sealed) VALUES ($1, 'EdDSA', $2, $3)`,
      [key.kid, key.publicJwk, key.privateKeySealed],
    );
  }

  /** The active key and the keys retired less than `retiredWithinSeconds` ago, newest first. */
  async publicKeys(retiredWithinSeconds: number): Promise<JWK[]> {
    const rows = await queryRows(
      this.dataSource,
      {
        name: 'signingKeys.publicKeys',
        row: publicJwkRow,
        sql: `SELECT public_jwk FROM signing_keys
       WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => $1)
       ORDER BY created_at DESC`,
      },
      [retiredWithinSeconds],
    );
    return rows.map((row) => row.public_jwk);
  }

  /** Null when there is no active key. */
  async active(): Promise<SealedSigningKey | null> {
    const [row] = await queryRows(
      this.dataSource,
      {
        name: 'signingKeys.active',
        row: sealedKeyRow,
        sql: 'SELECT kid, private_key_sealed, created_at FROM signing_keys WHERE retired_at IS NULL',
      },
      [],
    );
    return row ?? null;
  }

  /** When the active key was made (Unix time, fractional); null when there is no active key. */
  async activeCreatedAtSeconds(): Promise<number | null> {
    const [row] = await queryRows(
      this.dataSource,
      {
        name: 'signingKeys.activeCreatedAtSeconds',
        row: createdEpochRow,
        sql: `SELECT extract(epoch FROM created_at)::float8 AS created FROM signing_keys WHERE retired_at IS NULL`,
      },
      [],
    );
    return row?.created ?? null;
  }
}
