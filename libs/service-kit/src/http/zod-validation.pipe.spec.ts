import { z } from 'zod';
import { DomainError } from '../errors/domain-error.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';

const schema = z.strictObject({
  email: z.string().transform((value) => value.trim().toLowerCase()),
  address: z.strictObject({ city: z.string({ error: 'must be a string' }) }),
});

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('the value was accepted');
}

describe('ZodValidationPipe', () => {
  const pipe = new ZodValidationPipe();

  it('validates and transforms a parameter declared with a schema (`@Body({ schema })`)', async () => {
    const value = { email: '  Alice@Example.ORG ', address: { city: 'Lyon' } };
    await expect(pipe.transform(value, { type: 'body', schema })).resolves.toEqual({
      email: 'alice@example.org',
      address: { city: 'Lyon' },
    });
  });

  it('names the failing field with its dotted path', async () => {
    const error = await failure(
      pipe.transform({ email: 'a', address: { city: 7 } }, { type: 'body', schema }),
    );
    expect({ kind: error.kind, code: error.code, field: error.field, message: error.message }).toEqual({
      kind: 'invalid',
      code: 'validation_failed',
      field: 'address.city',
      message: 'must be a string',
    });
  });

  it('names an unknown key as the field', async () => {
    const error = await failure(
      pipe.transform({ email: 'a', address: { city: 'Lyon', zip: '69001' } }, { type: 'body', schema }),
    );
    expect(error.field).toBe('address.zip');
  });

  it('refuses a NUL anywhere in the input, naming where (Postgres stores none)', async () => {
    const error = await failure(
      pipe.transform({ email: 'a', address: { city: 'Ly\u0000on' } }, { type: 'body', schema }),
    );
    expect({ kind: error.kind, code: error.code, field: error.field }).toEqual({
      kind: 'invalid',
      code: 'validation_failed',
      field: 'address.city',
    });
    expect((await failure(pipe.transform({ 'k\u0000': 1 }, { type: 'query', schema }))).field).toBe(
      'k\u0000',
    );
    expect((await failure(pipe.transform('\u0000', { type: 'query', schema }))).field).toBeUndefined();
  });

  it('passes parameters without a schema through untouched', async () => {
    const value = { anything: true };
    await expect(pipe.transform(value, { type: 'custom' })).resolves.toBe(value);
  });

  it('validates with the schema it was built with, when given one', async () => {
    const explicit = new ZodValidationPipe(z.strictObject({ n: z.int() }));
    await expect(explicit.transform({ n: 1 }, { type: 'body' })).resolves.toEqual({ n: 1 });
    expect((await failure(explicit.transform({ n: 'x' }, { type: 'body' }))).field).toBe('n');
  });
});
