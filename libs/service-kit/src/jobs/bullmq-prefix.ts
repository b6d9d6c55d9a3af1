import { z } from 'zod';
import { hashTagOf } from './redis-cluster-slot.js';

/**
 * BullMQ's Lua scripts touch several keys of a queue at once, which Redis Cluster allows only when they share a
 * slot: a prefix with a hash tag puts every key of every queue of a service in one slot.
 */
export function bullmqPrefixVar() {
  return z.string().refine((value) => hashTagOf(value) !== undefined && !/[\s:]$/.test(value), {
    error: 'must hold a Redis Cluster hash tag, e.g. {onecommons:ledger}, and not end in ":" or a space',
  });
}

/** `BULLMQ_PREFIX` if set, else one hash tag per schema: per service in production, per test run in tests. */
export function bullmqPrefixOf(configured: string | undefined, schema: string): string {
  return configured ?? `{onecommons:${schema}}`;
}
