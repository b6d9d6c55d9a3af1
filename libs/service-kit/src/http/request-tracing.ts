import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { type NextFunction, type Request, type Response } from 'express';
import { routeOf } from '../metrics/http-metrics.js';

const tracer = trace.getTracer('onecommons-http');

/**
 * Continues the caller's W3C trace (or starts one) for each request and runs the rest of the request in
 * that span's context, so events written to the outbox carry it on to Kafka.
 */
export function traceHttpRequest(request: Request, response: Response, next: NextFunction): void {
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const span = tracer.startSpan(
    `${request.method} ${request.path}`,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': request.method, 'url.path': request.path },
    },
    parent,
  );
  response.on('finish', () => {
    const route = routeOf(request);
    span.updateName(`${request.method} ${route}`);
    span.setAttribute('http.route', route);
    span.setAttribute('http.response.status_code', response.statusCode);
    if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  context.with(trace.setSpan(parent, span), next);
}
