import { dlqTopicOf } from '@onecommons/contracts';
import { type IHeaders, type KafkaMessage, type Producer } from 'kafkajs';
import { DLQ_HEADERS } from './dead-letter-headers.js';

export interface DeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
  readonly consumerGroup: string;
  /** Machine-readable: `invalid_json`, `invalid_envelope`, `unknown_type`, `invalid_data`, `handler_failed`. */
  readonly reason: string;
  readonly error: string;
  readonly attempts: number;
}

/** Where the consumer puts a message it gave up on: the DLQ topic when serving, a tally during a replay. */
export interface DeadLetterSink {
  publish(letter: DeadLetter): Promise<void>;
}

/** Sends a message the consumer gave up on to `<topic>.dlq`, unchanged, with why and where it failed. */
export class DeadLetterPublisher implements DeadLetterSink {
  constructor(private readonly producer: Producer) {}

  async publish(letter: DeadLetter): Promise<void> {
    const headers: IHeaders = {
      ...letter.message.headers,
      [DLQ_HEADERS.originalTopic]: letter.topic,
      [DLQ_HEADERS.originalPartition]: String(letter.partition),
      [DLQ_HEADERS.originalOffset]: letter.message.offset,
      [DLQ_HEADERS.consumerGroup]: letter.consumerGroup,
      [DLQ_HEADERS.reason]: letter.reason,
      [DLQ_HEADERS.error]: letter.error.slice(0, 2_000),
      [DLQ_HEADERS.attempts]: String(letter.attempts),
      [DLQ_HEADERS.failedAt]: new Date().toISOString(),
    };
    await this.producer.send({
      topic: dlqTopicOf(letter.topic),
      acks: -1,
      messages: [{ key: letter.message.key, value: letter.message.value, headers }],
    });
  }
}
