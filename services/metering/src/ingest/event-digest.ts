import { hash } from 'node:crypto';
import { type UsageEvent } from './usage-event.js';

/** Bytes of an event digest: the unique key of `usage_events` (and what a correction names its original by). */
export const EVENT_DIGEST_BYTES = 16;

/**
 * A usage event's identity in 16 bytes: the first half of SHA-256 over its service (the UUID's 16 bytes), its
 * source's length in UTF-8 bytes (4, big-endian), then source and id in UTF-8. The length prefix keeps
 * ("/a", "b1") and ("/ab", "1") apart. Two distinct events sharing a digest would make the second a
 * "duplicate"; with 128 bits that takes about 2^64 events of one service to become likely (birthday bound:
 * a trillion events collide with probability ~1.5e-15), far beyond what a platform stores, so the narrow key
 * is accepted as exact. The recorder still compares the full identity whenever a digest is found stored, so
 * a collision would fail loudly instead of dropping an event. The migration that introduced the digest
 * computes the same bytes in SQL (`usage_event_digest`); a test checks the two agree.
 */
export function eventDigest({
  serviceId,
  source,
  id,
}: Pick<UsageEvent, 'serviceId' | 'source' | 'id'>): Buffer {
  const sourceBytes = Buffer.byteLength(source, 'utf8');
  const input = Buffer.allocUnsafe(20 + sourceBytes + Buffer.byteLength(id, 'utf8'));
  input.write(serviceId.replaceAll('-', ''), 0, 16, 'hex');
  input.writeUInt32BE(sourceBytes, 16);
  input.write(source, 20, 'utf8');
  input.write(id, 20 + sourceBytes, 'utf8');
  return hash('sha256', input, 'buffer').subarray(0, EVENT_DIGEST_BYTES);
}
