import { type z } from 'zod';
import { cloudEventEnvelopeSchema, type CloudEvent } from './cloud-event.js';
import { type EventContract, type UpcastContext } from './event-contract.js';
import { uuidV7 } from './uuid-v7.js';

export type AnyEventContract = EventContract<never> | EventContract<unknown>;

export const EVENT_DECODE_ERROR_CODES = [
  'invalid_json',
  'invalid_envelope',
  'unknown_type',
  'invalid_data',
] as const;

/** Why a message could not be turned into an event: a code, the failing field and a reason. */
export interface EventDecodeError {
  readonly code: (typeof EVENT_DECODE_ERROR_CODES)[number];
  readonly field: string;
  readonly message: string;
}

export type DecodeResult =
  | {
      readonly ok: true;
      readonly event: CloudEvent;
      readonly contract: EventContract<unknown>;
      readonly receivedType: string;
    }
  | { readonly ok: false; readonly error: EventDecodeError };

export class EventValidationError extends Error {
  constructor(
    readonly type: string,
    readonly field: string,
    reason: string,
  ) {
    super(`invalid ${type} event: ${field}: ${reason}`);
    this.name = 'EventValidationError';
  }
}

/**
 * Every event contract of the platform. Decodes messages (validating envelope and data) and upcasts
 * older versions to the newest one, so a consumer only ever handles the latest shape of an event.
 */
export class EventCatalogue {
  private readonly byType = new Map<string, EventContract<unknown>>();
  private readonly newestByFamily = new Map<string, EventContract<unknown>>();

  constructor(contracts: readonly EventContract<unknown>[]) {
    for (const contract of contracts) {
      if (this.byType.has(contract.type)) throw new Error(`event type ${contract.type} is defined twice`);
      this.byType.set(contract.type, contract);
      const newest = this.newestByFamily.get(contract.family);
      if (!newest || newest.version < contract.version) this.newestByFamily.set(contract.family, contract);
    }
    for (const newest of this.newestByFamily.values()) this.assertChainComplete(newest);
  }

  get contracts(): readonly EventContract<unknown>[] {
    return [...this.byType.values()];
  }

  contractOf(type: string): EventContract<unknown> | undefined {
    return this.byType.get(type);
  }

  newestOf(contract: EventContract<unknown>): EventContract<unknown> {
    return this.newestByFamily.get(contract.family) ?? contract;
  }

  /** Parses and validates a raw message value and upcasts it to the newest version of its event. */
  decode(value: Buffer | string | null): DecodeResult {
    let parsed: unknown;
    try {
      parsed = JSON.parse(typeof value === 'string' ? value : (value ?? Buffer.alloc(0)).toString('utf8'));
    } catch {
      return failure('invalid_json', '$', 'message value is not JSON');
    }
    const envelope = cloudEventEnvelopeSchema.safeParse(parsed);
    if (!envelope.success) {
      const issue = envelope.error.issues[0];
      return failure('invalid_envelope', issue?.path.join('.') || '$', issue?.message ?? 'invalid envelope');
    }
    const received = this.byType.get(envelope.data.type);
    if (!received) return failure('unknown_type', 'type', `no contract for ${envelope.data.type}`);
    const data = received.schema.safeParse(envelope.data.data);
    if (!data.success) {
      const issue = data.error.issues[0];
      return failure(
        'invalid_data',
        ['data', ...(issue?.path ?? [])].join('.'),
        issue?.message ?? 'invalid data',
      );
    }
    const { contract, data: upcast } = this.upcastToNewest(received, data.data, envelope.data);
    return {
      ok: true,
      contract,
      receivedType: received.type,
      event: { ...envelope.data, type: contract.type, data: upcast } as CloudEvent,
    };
  }

  private upcastToNewest(
    contract: EventContract<unknown>,
    data: unknown,
    envelope: UpcastContext,
  ): { contract: EventContract<unknown>; data: unknown } {
    const chain: EventContract<unknown>[] = [];
    for (let step = this.newestOf(contract); step.type !== contract.type;) {
      chain.unshift(step);
      const previous = step.upcaster?.from;
      if (!previous) break;
      step = previous;
    }
    let current = data;
    for (const step of chain) current = step.schema.parse(step.upcaster!.apply(current, envelope));
    return { contract: chain.at(-1) ?? contract, data: current };
  }

  private assertChainComplete(newest: EventContract<unknown>): void {
    for (let step = newest; step.version > 1;) {
      const previous = step.upcaster?.from;
      if (!previous) return; // older versions are simply not readable anymore
      if (!this.byType.has(previous.type))
        throw new Error(`${step.type} upcasts from unregistered ${previous.type}`);
      step = previous;
    }
  }
}

function failure(code: EventDecodeError['code'], field: string, message: string): DecodeResult {
  return { ok: false, error: { code, field, message } };
}

export interface NewEventOptions {
  /** The producing service, e.g. `/onecommons/identity`. */
  readonly source: string;
  readonly id?: string;
  readonly time?: Date;
}

/** Builds a validated CloudEvent for a contract; throws EventValidationError on bad data (produce-side check). */
export function createEvent<Data>(
  contract: EventContract<Data>,
  data: z.input<EventContract<Data>['schema']>,
  options: NewEventOptions,
): CloudEvent<Data> {
  const parsed = contract.schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EventValidationError(
      contract.type,
      ['data', ...(issue?.path ?? [])].join('.'),
      issue?.message ?? '',
    );
  }
  return {
    specversion: '1.0',
    id: options.id ?? uuidV7(),
    source: options.source,
    type: contract.type,
    subject: contract.subjectOf(parsed.data),
    time: (options.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    data: parsed.data,
  };
}
