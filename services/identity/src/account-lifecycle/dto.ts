import { z } from 'zod';
import { accountTokenPattern } from '../accounts/account-tokens.js';
import { emailAddressSchema, newPasswordSchema } from '../accounts/dto/register-account.dto.js';
import { presentedPasswordSchema } from '../sessions/dto.js';

const tokenOf = (purpose: 'email_verification' | 'password_reset') =>
  z
    .string({ error: 'must be a string' })
    .regex(accountTokenPattern(purpose), { error: 'is malformed' })
    .meta({ description: 'The token of the emailed link (its `token` query parameter)' });

export const emailVerificationSchema = z.strictObject({ token: tokenOf('email_verification') });
export type EmailVerificationDto = z.output<typeof emailVerificationSchema>;

export const passwordResetRequestSchema = z.strictObject({ email: emailAddressSchema });
export type PasswordResetRequestDto = z.output<typeof passwordResetRequestSchema>;

export const passwordResetSchema = z.strictObject({
  token: tokenOf('password_reset'),
  password: newPasswordSchema,
});
export type PasswordResetDto = z.output<typeof passwordResetSchema>;

export const passwordChangeSchema = z.strictObject({
  currentPassword: presentedPasswordSchema,
  newPassword: newPasswordSchema,
});
export type PasswordChangeDto = z.output<typeof passwordChangeSchema>;

export const accountDeletionSchema = z.strictObject({ password: presentedPasswordSchema });
export type AccountDeletionDto = z.output<typeof accountDeletionSchema>;

export const passwordResetRequestedSchema = z.strictObject({
  status: z.literal('accepted'),
  message: z.string(),
});
export type PasswordResetRequestedDto = z.output<typeof passwordResetRequestedSchema>;
