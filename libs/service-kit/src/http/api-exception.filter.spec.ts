import { describe, expect, it, jest } from '@jest/globals';
import { type ArgumentsHost, Logger } from '@nestjs/common';
import { DomainError } from '../errors/domain-error.js';
import { ApiExceptionFilter, isDatabaseUnavailable } from './api-exception.filter.js';

describe('isDatabaseUnavailable', () => {
  it('recognises a database that went away under the request', () => {
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(
      true,
    );
    expect(isDatabaseUnavailable({ driverError: { code: '08006', message: 'connection failure' } })).toBe(
      true,
    );
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      ),
    ).toBe(true);
  });

  it('leaves every other failure a 500', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});

describe('ApiExceptionFilter', () => {
  function answerTo(exception: unknown) {
    const answer = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown };
    const response = {
      headersSent: false,
      setHeader: (name: string, value: string) => (answer.headers[name] = value),
      status(status: number) {
        answer.status = status;
        return this;
      },
      json: (body: unknown) => (answer.body = body),
    };
    const host = {
      getType: () => 'http',
      switchToHttp: () => ({
        getRequest: () => ({ id: 'req-1', method: 'POST', url: '/api/ledger/v1/periods' }),
        getResponse: () => response,
      }),
    } as unknown as ArgumentsHost;
    new ApiExceptionFilter().catch(exception, host);
    return answer;
  }

  it('answers a domain error with the status of its kind, in the platform’s error shape', () => {
    expect(answerTo(DomainError.invalid('validation_failed', 'must be a period', 'period'))).toEqual({
      status: 400,
      headers: {},
      body: {
        error: {
          code: 'validation_failed',
          message: 'must be a period',
          field: 'period',
          requestId: 'req-1',
        },
      },
    });
    expect(answerTo(DomainError.notFound('no_tokens', 'none')).status).toBe(404);
    expect(answerTo(new DomainError('gone', 'usage_archived', 'archived')).status).toBe(410);
    expect(answerTo(new DomainError('payment_required', 'payment_declined', 'declined')).status).toBe(402);
  });

  it('sends Retry-After and details of a retryable refusal', () => {
    const refusal = new DomainError('conflict', 'usage_not_consumed', 'not yet', {
      field: 'period',
      retryAfterSeconds: 5,
      details: { behind: '2' },
    });
    expect(answerTo(refusal)).toMatchObject({
      status: 409,
      headers: { 'retry-after': '5' },
      body: { error: { code: 'usage_not_consumed', field: 'period', details: { behind: '2' } } },
    });
    expect(answerTo(new DomainError('unavailable', 'auth_unavailable', 'later')).headers).toEqual({
      'retry-after': '1',
    });
  });

  it('logs a domain refusal of 5xx by its code, not as a lost database or an unhandled error', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      answerTo(new DomainError('unavailable', 'billing_unavailable', 'Stripe is not answering'));
      answerTo(new DomainError('upstream_failed', 'payment_provider_error', 'Stripe failed'));
      expect(warn.mock.calls.map(([message]) => message)).toEqual([
        'billing_unavailable on POST /api/ledger/v1/periods: Stripe is not answering',
        'payment_provider_error on POST /api/ledger/v1/periods: Stripe failed',
      ]);
      expect(error).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  });
});
