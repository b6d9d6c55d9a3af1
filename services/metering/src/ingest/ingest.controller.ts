import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { type ApiKeyPrincipal, CurrentApiKey, RequireApiKey } from '@onecommons/auth';
import { ApiError } from '@onecommons/service-kit';
import { type Request, type Response } from 'express';
import { type Outcome, UsageIngestion } from './ingestion-rules.js';

const SINGLE = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
export const MAX_BATCH_EVENTS = 1_000;

/** Status of a refused single event: reporting for another service is forbidden, the rest is bad input. */
const statusOfRejection = (code: string) => (code === 'service_not_allowed' ? 403 : 400);

@Controller('v1/events')
export class IngestController {
  constructor(private readonly ingestion: UsageIngestion) {}

  /**
   * CloudEvents in structured mode: one event (202, accepted or duplicate) or a batch of 1–1000 (200, one
   * result per event, the good ones kept). Authenticated by the service's `metering:write` API key.
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
      if (outcome.status === 'rejected')
        throw new ApiError(statusOfRejection(outcome.code), outcome.code, outcome.message, outcome.field);
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
