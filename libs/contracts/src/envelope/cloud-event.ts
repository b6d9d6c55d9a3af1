import { z } from 'zod';

/** `onecommons.<service>.<entity>.<action>.v<N>` */
export const EVENT_TYPE_PATTERN = /^onecommons\.([a-z]+)\.([a-z][a-z-]*)\.([a-z][a-z-]*)\.v([1-9]\d*)$/;

/** The CloudEvents 1.0 envelope of every Kafka message on the platform (data still unchecked). */
export const cloudEventEnvelopeSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.uuid(),
  source: z.string().min(1).max(256),
  type: z
    .string()
    .regex(EVENT_TYPE_PATTERN, { error: 'must be onecommons.<service>.<entity>.<action>.v<N>' }),
  subject: z.string().min(1).max(256),
  time: z.iso.datetime({ offset: true }),
  datacontenttype: z.literal('application/json'),
  data: z.unknown(),
});

export type RawCloudEvent = z.output<typeof cloudEventEnvelopeSchema>;

export interface CloudEvent<Data = unknown> {
  readonly specversion: '1.0';
  /** UUIDv7; with `source`, identifies the event: a resend reuses both. */
  readonly id: string;
  readonly source: string;
  readonly type: string;
  /** The aggregate the event is about; also the Kafka message key. */
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: Data;
}
