import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { type ApiKeyPrincipal, CurrentApiKey, RequireApiKey } from '@onecommons/auth';
import { type DomainErrorKind } from '@onecommons/service-kit';
import { type Request, type Response } from 'express';
import { MeteringError } from '../metering-errors.js';
import {
  BATCH_CONTENT_TYPE,
  contentModeOf,
  eventOfBinaryMessage,
  STRUCTURED_CONTENT_TYPE,
} from './content-modes.js';
import { type Outcome, RETRY_AFTER_SECONDS, UsageIngestion } from './ingestion-rules.js';

export const MAX_BATCH_EVENTS = 1_000;

/** Refusals of a key that may not report for the service at all. */
const FORBIDDEN = new Set(['service_not_allowed', 'service_not_operated', 'service_inactive']);

/**
 * What a refused single event is: a retryable refusal (metering has not heard of the subscriber or service yet)
 * is a conflict (409) with Retry-After, reporting for a service the key may not report for is forbidden, the rest
 * is bad input. So `period_closed` is a 400: a 409 says "send it again later", and a closed period stays closed.
 */
const kindOfRejection = (outcome: { code: string; retryable: boolean }): DomainErrorKind =>
  outcome.retryable ? 'conflict' : FORBIDDEN.has(outcome.code) ? 'forbidden' : 'invalid';

@Controller('v1/events')
export class IngestController {
  constructor(private readonly ingestion: UsageIngestion) {}

  /**
   * CloudEvents in any content mode of the HTTP binding: one event, structured
   * (`application/cloudevents+json`) or binary (`ce-*` headers, `application/json` data), answered 202
   * (accepted or duplicate); or a batch (`application/cloudevents-batch+json`) of 1–1000, answered 200 with one
   * result per event, the good ones kept (a rejected one says whether it is `retryable`). Authenticated by the
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
    switch (contentModeOf(request.headers)) {
      case 'structured':
        return this.ingestOne(key, request.body, response);
      case 'binary':
        return this.ingestOne(key, eventOfBinaryMessage(request.headers, request.body), response);
      case 'batch':
        return this.ingestBatch(key, request.body);
      case null:
        throw new MeteringError(
          'unsupported_format',
          'unsupported_media_type',
          `send ${STRUCTURED_CONTENT_TYPE} (one event), ${BATCH_CONTENT_TYPE} (an array), or one event in binary mode (ce-* headers, application/json data)`,
          { field: 'content-type' },
        );
    }
  }

  private async ingestOne(key: ApiKeyPrincipal, event: unknown, response: Response) {
    const [outcome] = (await this.ingestion.ingest(key, [event])) as [Outcome];
    if (outcome.status === 'rejected')
      throw new MeteringError(kindOfRejection(outcome), outcome.code, outcome.message, {
        field: outcome.field,
        retryAfterSeconds: outcome.retryable ? RETRY_AFTER_SECONDS : undefined,
      });
    response.status(202);
    return outcome;
  }

  private async ingestBatch(key: ApiKeyPrincipal, batch: unknown) {
    if (!Array.isArray(batch))
      throw MeteringError.invalid('invalid_batch', 'a batch is a JSON array of CloudEvents', 'body');
    if (batch.length === 0)
      throw MeteringError.invalid('empty_batch', 'a batch holds 1 to 1000 events', 'body');
    if (batch.length > MAX_BATCH_EVENTS)
      throw new MeteringError(
        'too_large',
        'batch_too_large',
        `a batch holds at most ${MAX_BATCH_EVENTS} events`,
        { field: 'body' },
      );
    const results = await this.ingestion.ingest(key, batch);
    return {
      accepted: results.filter((result) => result.status === 'accepted').length,
      duplicate: results.filter((result) => result.status === 'duplicate').length,
      rejected: results.filter((result) => result.status === 'rejected').length,
      results,
    };
  }
}
