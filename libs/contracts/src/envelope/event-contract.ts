import { type z } from 'zod';
import { EVENT_TYPE_PATTERN } from './cloud-event.js';
import { type ServiceName, type TopicName } from './topics.js';

/** Turns the data of the previous version of an event into this version's data. */
export interface Upcaster<From, To> {
  readonly from: EventContract<From>;
  apply(previous: From, envelope: UpcastContext): To;
}

/** Envelope facts an upcaster may need: old data alone cannot always say when something happened. */
export interface UpcastContext {
  readonly id: string;
  readonly subject: string;
  readonly time: string;
}

/** One event type: its name, version, topic, data schema and how to find its aggregate id. */
export interface EventContract<Data> {
  readonly type: string;
  /** The type without its version: all versions of one event share it. */
  readonly family: string;
  readonly version: number;
  readonly service: ServiceName;
  readonly topic: TopicName;
  readonly description: string;
  readonly schema: z.ZodType<Data>;
  /** The aggregate id: the CloudEvent `subject` and the Kafka message key. */
  subjectOf(data: Data): string;
  readonly upcaster?: Upcaster<unknown, Data>;
}

export type DataOf<Contract> = Contract extends EventContract<infer Data> ? Data : never;

export interface EventSpec<Schema extends z.ZodType> {
  readonly type: string;
  readonly topic: TopicName;
  readonly description: string;
  readonly schema: Schema;
  readonly subjectOf: (data: z.output<Schema>) => string;
}

export function defineEvent<Schema extends z.ZodType>(
  spec: EventSpec<Schema>,
): EventContract<z.output<Schema>>;
export function defineEvent<Schema extends z.ZodType, From>(
  spec: EventSpec<Schema>,
  upcaster: Upcaster<From, z.output<Schema>>,
): EventContract<z.output<Schema>>;
export function defineEvent<Schema extends z.ZodType, From>(
  spec: EventSpec<Schema>,
  upcaster?: Upcaster<From, z.output<Schema>>,
): EventContract<z.output<Schema>> {
  const match = EVENT_TYPE_PATTERN.exec(spec.type);
  if (!match) throw new Error(`event type ${spec.type} is not onecommons.<service>.<entity>.<action>.v<N>`);
  const version = Number(match[4]);
  const family = spec.type.slice(0, spec.type.lastIndexOf('.v'));
  if (upcaster) {
    if (upcaster.from.family !== family || upcaster.from.version !== version - 1) {
      throw new Error(
        `${spec.type} can only upcast from ${family}.v${version - 1}, not ${upcaster.from.type}`,
      );
    }
  }
  return Object.freeze({
    type: spec.type,
    family,
    version,
    service: match[1] as ServiceName,
    topic: spec.topic,
    description: spec.description,
    schema: spec.schema as z.ZodType<z.output<Schema>>,
    subjectOf: spec.subjectOf,
    ...(upcaster ? { upcaster: upcaster as Upcaster<unknown, z.output<Schema>> } : {}),
  });
}
