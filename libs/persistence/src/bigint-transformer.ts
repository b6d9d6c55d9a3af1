import { type ValueTransformer } from 'typeorm';

/** Postgres bigint/numeric columns arrive as strings; money is `bigint` in TypeScript, never a float. */
export const bigintColumn: ValueTransformer = {
  to: (value: bigint | null | undefined) =>
    value === null || value === undefined ? value : value.toString(),
  from: (value: string | null) => (value === null ? null : BigInt(value)),
};
