import { createRequire } from 'node:module';
import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

// Client spans for Postgres (pg, under TypeORM) and Redis (ioredis, under BullMQ and the rate limiter).
// Both are CommonJS packages: patching the prototypes of the one copy Node loads covers every importer,
// ESM or not, without a loader hook (which a static `import './instrumentation.js'` comes too late for).
// Spans are made only inside a trace (an HTTP request, a Kafka message): pollers such as the outbox relay
// would otherwise start a root trace per query.

const tracer = trace.getTracer('onecommons-clients');
const MAX_STATEMENT = 2_000;
const require = createRequire(import.meta.url);

/** A CLIENT span under the current one; none outside a trace. */
export function childSpan(name: string, attributes: Record<string, string | number>): Span | undefined {
  if (!trace.getSpan(context.active())) return undefined;
  return tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes });
}

/** Ends a span made by `childSpan`, marked failed with the error when there is one. */
export function endSpan(span: Span, error: unknown): void {
  if (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
  }
  span.end();
}

interface PgConnectionFacts {
  readonly database?: string;
  readonly host?: string;
  readonly port?: number;
}
type PgQuery = (this: PgConnectionFacts, ...args: unknown[]) => unknown;

/** The statement text of pg's `query(text | {text}, values?, callback?)`; undefined for a Submittable. */
function statementOf(first: unknown): string | undefined {
  if (typeof first === 'string') return first;
  if (typeof first === 'object' && first !== null && !('submit' in first)) {
    const text = (first as { text?: unknown }).text;
    return typeof text === 'string' ? text : undefined;
  }
  return undefined;
}

const patched = new WeakSet<object>();

/** Wraps `pg.Client.prototype.query`: one CLIENT span per statement, ended with its result or error. */
export function instrumentPostgres(pg: { Client: { prototype: object } } = require('pg')): void {
  const prototype = pg.Client.prototype as { query: PgQuery };
  if (patched.has(prototype)) return;
  patched.add(prototype);
  const original = prototype.query;
  prototype.query = function query(this: PgConnectionFacts, ...args: unknown[]): unknown {
    const statement = statementOf(args[0]);
    const span =
      statement === undefined
        ? undefined
        : childSpan(
            `${statement.trimStart().split(/\s+/, 1)[0]?.toUpperCase() ?? 'QUERY'} ${this.database ?? ''}`.trim(),
            {
              'db.system.name': 'postgresql',
              'db.namespace': this.database ?? '',
              'db.query.text': statement.slice(0, MAX_STATEMENT),
              'server.address': this.host ?? '',
              'server.port': this.port ?? 0,
            },
          );
    if (!span) return original.apply(this, args);
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = function finished(this: unknown, error: unknown, ...rest: unknown[]) {
        endSpan(span, error);
        return (callback as (...values: unknown[]) => unknown).call(this, error, ...rest);
      };
      return context.with(trace.setSpan(context.active(), span), () => original.apply(this, args));
    }
    const result = context.with(trace.setSpan(context.active(), span), () => original.apply(this, args));
    if (result instanceof Promise) {
      result.then(
        () => endSpan(span, undefined),
        (error: unknown) => endSpan(span, error),
      );
    } else {
      endSpan(span, undefined);
    }
    return result;
  };
}

interface RedisCommand {
  readonly name: string;
  readonly promise: Promise<unknown>;
}
interface RedisConnectionFacts {
  readonly options?: { readonly host?: string; readonly port?: number; readonly db?: number };
}
type SendCommand = (this: RedisConnectionFacts, command: RedisCommand, ...rest: unknown[]) => unknown;

/** Wraps `Redis.prototype.sendCommand`: one CLIENT span per command, ended when its reply arrives. */
export function instrumentRedis(ioredis: { Redis: { prototype: object } } = require('ioredis')): void {
  const prototype = ioredis.Redis.prototype as { sendCommand: SendCommand };
  if (patched.has(prototype)) return;
  patched.add(prototype);
  const original = prototype.sendCommand;
  prototype.sendCommand = function sendCommand(
    this: RedisConnectionFacts,
    command: RedisCommand,
    ...rest: unknown[]
  ): unknown {
    const span = childSpan(`${command.name.toUpperCase()}`, {
      'db.system.name': 'redis',
      'db.operation.name': command.name,
      'db.namespace': String(this.options?.db ?? 0),
      'server.address': this.options?.host ?? '',
      'server.port': this.options?.port ?? 0,
    });
    if (span)
      command.promise.then(
        () => endSpan(span, undefined),
        (error: unknown) => endSpan(span, error),
      );
    return original.call(this, command, ...rest);
  };
}
