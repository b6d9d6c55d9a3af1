import { z } from 'zod';
import { normaliseEmail } from '../accounts/email-address.js';

/** A password presented to prove who one is (login, re-authentication): whatever it was set to. */
export const presentedPasswordSchema = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'is required' })
  .max(256, { error: 'is too long' });

export const loginSchema = z.strictObject({
  email: z.string({ error: 'must be a string' }).max(320, { error: 'is too long' }).transform(normaliseEmail),
  password: presentedPasswordSchema,
});

export const refreshSchema = z.strictObject({
  refreshToken: z
    .string({ error: 'must be a string' })
    .regex(/^ocr_[A-Za-z0-9_-]{43}$/, { error: 'is malformed' }),
});

export type LoginDto = z.output<typeof loginSchema>;
export type RefreshDto = z.output<typeof refreshSchema>;

/** RFC 6749 §5.1 field names, in camelCase like the rest of the API. */
export const tokenPairSchema = z.strictObject({
  tokenType: z.literal('Bearer'),
  accessToken: z.string().meta({ description: 'An EdDSA-signed JWT (`typ` at+jwt)' }),
  expiresIn: z.int().positive().meta({ description: 'Seconds until the access token expires' }),
  refreshToken: z
    .string()
    .regex(/^ocr_[A-Za-z0-9_-]{43}$/)
    .meta({ description: 'Single use; rotates' }),
});

export type TokenPairDto = Readonly<z.output<typeof tokenPairSchema>>;
