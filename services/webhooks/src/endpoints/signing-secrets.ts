import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { seal, SERVICE_CONFIG, unseal } from '@onecommons/service-kit';
import { Webhook } from 'standardwebhooks';
import { type WebhooksConfig } from '../config.js';

const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32; // Standard Webhooks asks for 24 to 64

/** A new endpoint secret as Standard Webhooks writes it: `whsec_` and the base64 of random bytes. */
export function generateSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/**
 * The `webhook-signature` header: the Standard Webhooks signature (`v1,<base64 HMAC-SHA256>` of
 * "id.timestamp.body") under each secret, space-separated, so that during a rotation's grace a receiver
 * holding either secret verifies.
 */
export function signatureHeader(
  secrets: readonly string[],
  webhookId: string,
  timestampSeconds: number,
  body: string,
): string {
  const sentAt = new Date(timestampSeconds * 1000);
  return secrets.map((secret) => new Webhook(secret).sign(webhookId, sentAt, body)).join(' ');
}

/**
 * Seals endpoint secrets at rest (AES-256-GCM, `v1.<iv>.<tag>.<ciphertext>`), bound to their endpoint so a
 * sealed secret copied to another row does not open. The service must sign, so it cannot keep only a hash.
 */
@Injectable()
export class SecretSealer {
  private readonly key: Buffer;

  constructor(@Inject(SERVICE_CONFIG) config: WebhooksConfig) {
    this.key = Buffer.from(config.WEBHOOKS_SECRET_ENCRYPTION_KEY, 'base64');
  }

  seal(secret: string, endpointId: string): string {
    return seal(secret, this.key, endpointId);
  }

  unseal(sealed: string, endpointId: string): string {
    return unseal(sealed, this.key, endpointId);
  }
}
