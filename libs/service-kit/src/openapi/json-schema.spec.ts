import { z } from 'zod';
import { openApiSchemaOf } from './json-schema.js';

describe('openApiSchemaOf', () => {
  const email = z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.email());

  it('gives JSON Schema 2020-12 without the dialect marker, for what a client sends', () => {
    const converted = openApiSchemaOf(z.strictObject({ email, age: z.int().min(0).optional() }), {
      schemaType: 'input',
    });
    expect(converted?.schema).toEqual({
      type: 'object',
      properties: {
        email: { type: 'string' },
        age: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
      },
      required: ['email'],
      additionalProperties: false,
    });
    expect(converted?.components).toEqual({});
  });

  it('describes the output side for responses', () => {
    const converted = openApiSchemaOf(z.object({ email }), { schemaType: 'output' });
    expect(converted?.schema).toMatchObject({ properties: { email: { type: 'string', format: 'email' } } });
  });

  it('turns named sub-schemas into components and points at them', () => {
    const money = z.object({ amount: z.string() }).meta({ id: 'Money' });
    const converted = openApiSchemaOf(z.object({ price: money }), { schemaType: 'output' });
    expect(converted?.schema).toMatchObject({
      properties: { price: { $ref: '#/components/schemas/Money' } },
    });
    expect(converted?.components).toMatchObject({ Money: { type: 'object' } });
    z.globalRegistry.remove(money);
  });

  it('leaves things that are not schemas alone', () => {
    expect(openApiSchemaOf({ type: 'object' }, { schemaType: 'input' })).toBeUndefined();
  });
});
