import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { type ApiKeyPrincipal, CurrentApiKey, RequireApiKey } from '@onecommons/auth';
import { ApiError } from '@onecommons/service-kit';
import { type Request, type Response } from 'express';
import { type Outcome, RETRY_AFTER_SECONDS, UsageIngestion } from './ingestion-rules.js';

const SINGLE = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
export const MAX_BATCH_EVENTS = 1_000;

/** Refusals of a key that may not report for the service at all. */
const FORBIDDEN = new Set(['service_not_allowed', 'service_not_operated', 'service_inactive']);

/**
 * Status of a refused single event: a retryable refusal (metering has not heard of the subscriber or service
 * yet) is a 409 with Retry-After, reporting for a service the key may not report for is forbidden, the rest
 * is bad input. So `period_closed` is a 400: a 409 says "send it again later", and a closed period stays closed.
 */
const statusOfRejection = (outcome: { code: string; retryable: boolean }) =>
  outcome.retryable ? 409 : FORBIDDEN.has(outcome.code) ? 403 : 400;

@Controller('v1/events')
export class IngestController {
  constructor(private readonly ingestion: UsageIngestion) {}

  /**
   * CloudEvents in structured mode: one event (202, accepted or duplicate) or a batch of 1–1000 (200, one
   * result per event, the good ones kept; a rejected one says whether it is `retryable`). Authenticated by the
   * service's `metering:write` API key; its organization must operate the service.
   */
  @Post()
  @HttpCode(200)
  @RequireApiKey('metering:write')
  async ingest(
    @CurrentApiKey() key: ApiKeyPrincipal,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const mediaType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (mediaType === SINGLE) {
      const [outcome] = (await this.ingestion.ingest(key, [request.body])) as [Outcome];
      if (outcome.status === 'rejected') {
        if (outcome.retryable) response.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
        throw new ApiError(statusOfRejection(outcome), outcome.code, outcome.message, outcome.field);
      }
      response.status(202);
      return outcome;
    }
    if (mediaType === BATCH) {
      const batch: unknown = request.body;
      if (!Array.isArray(batch))
        throw ApiError.badRequest('invalid_batch', 'a batch is a JSON array of CloudEvents', 'body');
      if (batch.length === 0)
        throw ApiError.badRequest('empty_batch', 'a batch holds 1 to 1000 events', 'body');
      if (batch.length > MAX_BATCH_EVENTS)
        throw new ApiError(
          413,
          'batch_too_large',
          `a batch holds at most ${MAX_BATCH_EVENTS} events`,
          'body',
        );
      const results = await this.ingestion.ingest(key, batch);
      return {
        accepted: results.filter((result) => result.status === 'accepted').length,
        duplicate: results.filter((result) => result.status === 'duplicate').length,
        rejected: results.filter((result) => result.status === 'rejected').length,
        results,
      };
    }
    throw new ApiError(
      415,
      'unsupported_media_type',
      `send ${SINGLE} (one event) or ${BATCH} (an array)`,
      'content-type',
    );
  }
}
