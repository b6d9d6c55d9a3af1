import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Params } from 'nestjs-pino';
import pino from 'pino';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * JSON logs with the service name, the gateway's request id, and no credentials. On stdout when serving;
 * one-shot commands whose stdout is their result (replay) log to stderr.
 */
export function loggerParams(
  service: string,
  level: string,
  destination: 'stdout' | 'stderr' = 'stdout',
): Params {
  return {
    pinoHttp: {
      level,
      stream: pino.destination(destination === 'stdout' ? 1 : 2),
      base: { service },
      messageKey: 'msg',
      genReqId: (request: IncomingMessage, response: ServerResponse) => {
        const given = request.headers['x-request-id'];
        const id = typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
        response.setHeader('x-request-id', id);
        return id;
      },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-api-key"]',
          // The platform-internal credential services send identity (libs/auth INTERNAL_TOKEN_HEADER).
          'req.headers["x-onecommons-internal-token"]',
          'res.headers["set-cookie"]',
        ],
        censor: '[redacted]',
      },
      autoLogging: { ignore: (request) => /^\/(health|metrics)/.test(request.url ?? '') },
      customLogLevel: (_request, response, error) =>
        error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
    },
  };
}
