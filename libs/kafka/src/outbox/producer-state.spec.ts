import { describe, expect, it } from '@jest/globals';
import { KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { producerStateLost } from './producer-state.js';

const protocolError = (type: string) => Object.assign(new KafkaJSProtocolError('broker said no'), { type });

describe('producerStateLost', () => {
  it('recognises the broker forgetting the producer, also wrapped by kafkajs', () => {
    expect(producerStateLost(protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER'))).toBe(true);
    expect(producerStateLost(protocolError('UNKNOWN_PRODUCER_ID'))).toBe(true);
    // As kafkajs' retrier gives up on it: the protocol error as the cause.
    const lost = protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER');
    const wrapped = Object.assign(new KafkaJSNonRetriableError(lost), { cause: lost });
    expect(producerStateLost(wrapped)).toBe(true);
    expect(producerStateLost({ errors: [new Error('x'), protocolError('INVALID_PRODUCER_EPOCH')] })).toBe(
      true,
    );
  });

  it('leaves other failures to the ordinary retry', () => {
    expect(producerStateLost(protocolError('NOT_LEADER_FOR_PARTITION'))).toBe(false);
    expect(producerStateLost(new Error('connection refused'))).toBe(false);
    expect(producerStateLost(undefined)).toBe(false);
  });
});
