import { clientAddressOf, principalKeyOf, type RateLimitPolicy } from '@onecommons/service-kit';
import { type Request } from 'express';
import { normaliseEmail } from '../accounts/email-address.js';
import { type IdentityConfig } from '../config.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * Login is limited three ways: per (address, email), so one client guessing one password is stopped fast;
 * per address, so one client trying many accounts (credential stuffing) is; per email from anywhere, so
 * guessing spread over many addresses is too, with a short block so an attacker cannot lock the owner
 * out for long. Successful logins count as well: the limits are generous enough for real people.
 */
export const LOGIN_LIMITS = ['login', 'login-address', 'login-account'] as const;
export const TOKEN_REFRESH_LIMITS = ['token-refresh'] as const;
export const REGISTRATION_LIMITS = ['registration'] as const;
/**
 * Reset mail is limited per email from anywhere (nobody's inbox is flooded) and per address (one client
 * cannot mail many people); both count whether the account exists, so a 429 tells nothing either.
 */
export const PASSWORD_RESET_LIMITS = ['password-reset', 'password-reset-address'] as const;
export const EMAIL_VERIFICATION_LIMITS = ['email-verification'] as const;
/** Emailed links' tokens are not guessable (256 bits); the limit keeps a client from trying anyway. */
export const ACCOUNT_LINK_LIMITS = ['account-link'] as const;
/** A stolen access token must not guess the current password (password change, deletion). */
export const REAUTHENTICATION_LIMITS = ['reauthentication'] as const;

/** The email a login names, as the service compares it; undefined when the body has none (a 400 follows). */
function emailOf(request: Request): string | undefined {
  const email = (request.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? normaliseEmail(email) : undefined;
}

export function byAddressAndEmail(request: Request): string {
  return `address:${clientAddressOf(request)} email:${emailOf(request) ?? ''}`;
}

export function byEmail(request: Request): string {
  const email = emailOf(request);
  return email === undefined ? `address:${clientAddressOf(request)}` : `email:${email}`;
}

/** The signed-in account (the access policy ran first); the address for a request without one. */
export function byPrincipal(request: Request): string {
  return principalKeyOf(request) ?? `address:${clientAddressOf(request)}`;
}

export function identityRateLimits(config: IdentityConfig): RateLimitPolicy[] {
  return [
    {
      name: 'login',
      limit: config.LOGIN_RATE_LIMIT_PER_MINUTE,
      ttlMs: MINUTE_MS,
      tracker: byAddressAndEmail,
    },
    { name: 'login-address', limit: config.LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE, ttlMs: MINUTE_MS },
    {
      name: 'login-account',
      limit: config.LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR,
      ttlMs: HOUR_MS,
      blockMs: 15 * MINUTE_MS,
      tracker: byEmail,
    },
    { name: 'token-refresh', limit: config.TOKEN_REFRESH_RATE_LIMIT_PER_MINUTE, ttlMs: MINUTE_MS },
    { name: 'registration', limit: config.REGISTRATION_RATE_LIMIT_PER_MINUTE, ttlMs: MINUTE_MS },
    {
      name: 'password-reset',
      limit: config.PASSWORD_RESET_RATE_LIMIT_PER_HOUR,
      ttlMs: HOUR_MS,
      tracker: byEmail,
    },
    {
      name: 'password-reset-address',
      limit: config.PASSWORD_RESET_ADDRESS_RATE_LIMIT_PER_HOUR,
      ttlMs: HOUR_MS,
    },
    {
      name: 'email-verification',
      limit: config.EMAIL_VERIFICATION_RATE_LIMIT_PER_HOUR,
      ttlMs: HOUR_MS,
      tracker: byPrincipal,
    },
    { name: 'account-link', limit: config.ACCOUNT_LINK_RATE_LIMIT_PER_MINUTE, ttlMs: MINUTE_MS },
    {
      name: 'reauthentication',
      limit: config.REAUTHENTICATION_RATE_LIMIT_PER_HOUR,
      ttlMs: HOUR_MS,
      tracker: byPrincipal,
    },
  ];
}
