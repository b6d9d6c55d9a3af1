import { InputProblem, within } from './allocation-input-error.js';
import { BPS_SCALE } from './allocation-input.js';

/** Readers of one JSON value each: they return typed data or throw an `InputProblem` naming what is wrong. */

export type JsonRecord = Readonly<Record<string, unknown>>;

export function readRecord(value: unknown): JsonRecord {
  if (value === undefined) throw new InputProblem('is required');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputProblem('must be an object');
  }
  return value as JsonRecord;
}

export function readArray(value: unknown): readonly unknown[] {
  if (value === undefined) throw new InputProblem('is required');
  if (!Array.isArray(value)) throw new InputProblem('must be an array');
  return value;
}

/** An absent list counts as empty. */
export function readOptionalArray(value: unknown): readonly unknown[] {
  return value === undefined ? [] : readArray(value);
}

/** Refuses fields the format does not define: a misspelt policy knob must not be silently ignored. */
export function rejectUnknownFields(record: JsonRecord, known: ReadonlySet<string>): void {
  for (const name in record) {
    if (!known.has(name)) throw new InputProblem('unknown field').under(name);
  }
}

export function readString(value: unknown): string {
  if (value === undefined) throw new InputProblem('is required');
  if (typeof value !== 'string') throw new InputProblem('must be a string');
  return value;
}

export function readId(value: unknown): string {
  if (value === undefined) throw new InputProblem('is required');
  if (typeof value !== 'string' || value === '') throw new InputProblem('must be a non-empty string');
  return value;
}

export function readOptionalId(value: unknown): string | null {
  return value === undefined || value === null ? null : readId(value);
}

export function readBoolean(value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InputProblem('must be true or false');
  return value;
}

const DECIMAL_DIGITS = /^\d+$/;
const NEGATIVE_DECIMAL = /^-\d+$/;

/** A JSON safe-integer number or a decimal string of any size, at least 0. */
export function readCount(value: unknown): bigint {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new InputProblem('must be an integer');
    if (value < 0) throw new InputProblem('must not be negative');
    if (!Number.isSafeInteger(value)) {
      throw new InputProblem('must be a safe integer (write larger values as decimal strings)');
    }
    return BigInt(value);
  }
  if (typeof value === 'string') {
    if (DECIMAL_DIGITS.test(value)) return BigInt(value);
    if (NEGATIVE_DECIMAL.test(value)) throw new InputProblem('must not be negative');
    throw new InputProblem('must be an integer (a decimal string)');
  }
  if (value === undefined) throw new InputProblem('is required');
  throw new InputProblem('must be an integer (a JSON number or a decimal string)');
}

export function readOptionalCount(value: unknown): bigint | null {
  return value === undefined || value === null ? null : readCount(value);
}

export function readBps(value: unknown): bigint {
  const bps = readCount(value);
  if (bps > BPS_SCALE) throw new InputProblem('must be between 0 and 10000 (basis points)');
  return bps;
}

export function readOptionalBps(value: unknown): bigint | null {
  return value === undefined || value === null ? null : readBps(value);
}

/** Reads `record[name]`, naming the field in the path of any problem. */
export function readField<T>(record: JsonRecord, name: string, read: (value: unknown) => T): T {
  try {
    return read(record[name]);
  } catch (error) {
    throw error instanceof InputProblem ? error.under(name) : error;
  }
}

/** Reads each element of a list, naming its index in the path of any problem. */
export function readEach<T>(items: readonly unknown[], read: (item: unknown) => T): T[] {
  return items.map((item, index) => within(index, () => read(item)));
}

/** Remembers ids seen in one list and refuses the second occurrence of any. */
export class UniqueIds {
  private readonly seen = new Set<string>();

  constructor(private readonly what: string) {}

  claim(id: string): void {
    if (this.seen.has(id)) throw new InputProblem(`duplicate ${this.what} ${id}`);
    this.seen.add(id);
  }
}
