import { type NextFunction, type Request, type Response } from 'express';
import { Counter, Histogram, register } from 'prom-client';

// Not started at zero: the route and the status are open sets, known per request (the alerts on them are ratios
// over minutes of traffic, not a first occurrence).
const requests =
  (register.getSingleMetric('onecommons_http_requests_total') as
    Counter<'method' | 'route' | 'status'> | undefined) ??
  new Counter({
    name: 'onecommons_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
  });

const duration =
  (register.getSingleMetric('onecommons_http_request_duration_seconds') as
    Histogram<'method' | 'route' | 'status'> | undefined) ??
  new Histogram({
    name: 'onecommons_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });

/** The route pattern, not the raw path, so ids in URLs do not explode the label set. */
export function routeOf(request: Request): string {
  const pattern = (request.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? `${request.baseUrl}${pattern}` : 'unmatched';
}

/** Express middleware recording every request's count and duration once the response is sent. */
export function recordHttpMetrics(request: Request, response: Response, next: NextFunction): void {
  const stop = process.hrtime.bigint();
  response.on('finish', () => {
    const labels = { method: request.method, route: routeOf(request), status: String(response.statusCode) };
    requests.inc(labels);
    duration.observe(labels, Number(process.hrtime.bigint() - stop) / 1e9);
  });
  next();
}
