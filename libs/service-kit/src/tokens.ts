/** The service's validated configuration (its own schema's output type). */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
/** A shared ioredis connection for commands (not for BullMQ workers, which block). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
/** Prefix of the service's Redis keys (`oc:<schema>`): replicas of one service share it, test instances do not. */
export const REDIS_KEY_PREFIX = Symbol('REDIS_KEY_PREFIX');
