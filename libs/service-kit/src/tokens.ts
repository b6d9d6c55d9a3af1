/** The service's validated configuration (its own schema's output type). */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
/** A shared ioredis connection for commands (not for BullMQ workers, which block). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
