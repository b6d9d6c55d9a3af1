/**
 * Errors that say "the database is unreachable or busy right now", not "this input is wrong": callers
 * retry them without counting an attempt, so an outage never dead-letters good messages.
 */
const TRANSIENT_SQLSTATE_CLASSES = ['08', '53', '57P']; // connection, resources, operator intervention
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03']); // serialization, deadlock, lock timeout
const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
const TRANSIENT_MESSAGES = [
  'Connection terminated',
  'connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection is closed',
];

export function isTransientDatabaseError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const candidate = current as {
      code?: unknown;
      message?: unknown;
      driverError?: unknown;
      cause?: unknown;
    };
    const code = typeof candidate.code === 'string' ? candidate.code : '';
    if (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_NODE_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && TRANSIENT_SQLSTATE_CLASSES.some((prefix) => code.startsWith(prefix)))
      return true;
    const message = typeof candidate.message === 'string' ? candidate.message : '';
    if (TRANSIENT_MESSAGES.some((fragment) => message.includes(fragment))) return true;
    current = candidate.driverError ?? candidate.cause;
  }
  return false;
}
