import { type RequestParams } from './request-params.js';
import { StripeApiError } from './stripe-error.js';
import { type ListObject } from './stripe-objects.js';

export interface PageRequest {
  readonly limit?: number | undefined;
  readonly startingAfter?: string | undefined;
  readonly endingBefore?: string | undefined;
}

/**
 * One page of a Stripe list, newest first, with `has_more` and cursor pagination by object id
 * (`starting_after` the last id of a page, `ending_before` the first), as the SDK's auto-pagination expects.
 */
export function listPage<Item extends { id: string }>(
  newestFirst: readonly Item[],
  request: PageRequest,
  url: string,
): ListObject<Item> {
  const limit = request.limit ?? 10;
  if (limit < 1 || limit > 100)
    throw StripeApiError.invalid('limit', 'Invalid limit: must be between 1 and 100');
  if (request.startingAfter !== undefined && request.endingBefore !== undefined) {
    throw StripeApiError.invalid(
      'starting_after',
      'You may only specify one of these parameters: ending_before, starting_after.',
    );
  }
  const cursorOf = (id: string, param: string) => {
    const index = newestFirst.findIndex((item) => item.id === id);
    if (index < 0) throw StripeApiError.missing('object', id, param);
    return index;
  };
  if (request.endingBefore !== undefined) {
    const end = cursorOf(request.endingBefore, 'ending_before');
    const start = Math.max(0, end - limit);
    return { object: 'list', data: newestFirst.slice(start, end), has_more: start > 0, url };
  }
  const start =
    request.startingAfter === undefined ? 0 : cursorOf(request.startingAfter, 'starting_after') + 1;
  const data = newestFirst.slice(start, start + limit);
  return { object: 'list', data, has_more: start + limit < newestFirst.length, url };
}

/** A list endpoint's cursor parameters. */
export function pageOf(params: RequestParams): PageRequest {
  return {
    limit: params.integer('limit'),
    startingAfter: params.string('starting_after'),
    endingBefore: params.string('ending_before'),
  };
}
