import { z } from 'zod';
import { normaliseEmail } from '../email-address.js';

/** An email address as an account holds it (normalised). */
export const emailAddressSchema = z
  .string({ error: 'must be a string' })
  .transform(normaliseEmail)
  .pipe(z.email({ error: 'must be an email address' }).max(254, { error: 'must be at most 254 characters' }))
  // Documents what the pipe checks: a transform's input would otherwise show as any string.
  .meta({ format: 'email', maxLength: 254 });

/** A password an account may choose (at registration, reset and change). */
export const newPasswordSchema = z
  .string({ error: 'must be a string' })
  .min(12, { error: 'must be at least 12 characters' })
  .max(256, { error: 'must be at most 256 characters' });

export const registerAccountSchema = z.strictObject({
  email: emailAddressSchema,
  password: newPasswordSchema,
});

export type RegisterAccountDto = z.output<typeof registerAccountSchema>;

/** An account as the API shows it (documents the responses; the type follows from it). */
export const accountSchema = z.strictObject({
  id: z.uuid(),
  email: z.email(),
  emailVerified: z.boolean(),
  createdAt: z.iso.datetime(),
});

export type AccountDto = Readonly<z.output<typeof accountSchema>>;
