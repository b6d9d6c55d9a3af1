import { Controller, Get, Header, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@onecommons/auth';
import { RateLimited } from '@onecommons/service-kit';
import { type Request, type Response } from 'express';
import { accountTokenPattern, type AccountTokenPurpose } from '../accounts/account-tokens.js';
import { newPasswordSchema } from '../accounts/dto/register-account.dto.js';
import { EmailVerification } from '../accounts/email-verification.js';
import { AccountTokens } from '../accounts/account-tokens.js';
import { IdentityError } from '../identity-errors.js';
import { ACCOUNT_PAGES } from '../pages/account-links.js';
import { formField } from '../pages/form-body.js';
import { ACCOUNT_LINK_LIMITS } from '../rate-limits/identity-rate-limits.js';
import {
  brokenLinkPage,
  emailVerifiedPage,
  passwordResetDonePage,
  resetPasswordPage,
  verifyEmailPage,
} from './account-pages.js';
import { PasswordReset } from './password-reset.js';

/** A token as a page receives it: a well-formed one of the purpose, or undefined. */
function tokenOf(value: unknown, purpose: AccountTokenPurpose): string | undefined {
  return typeof value === 'string' && accountTokenPattern(purpose).test(value) ? value : undefined;
}

const isTokenRefusal = (error: unknown) =>
  error instanceof IdentityError &&
  (error.code === 'invalid_verification_token' || error.code === 'invalid_reset_token');

/**
 * The pages emailed links open (`/api/identity/account/…`, HTML; forms post urlencoded). Opening a link uses
 * nothing (mail scanners fetch links): only the form's POST does. Answers 400 with a page for a bad link or form.
 */
@ApiExcludeController() // pages for people, not part of the JSON API
@Controller('account')
export class AccountPagesController {
  constructor(
    private readonly tokens: AccountTokens,
    private readonly verification: EmailVerification,
    private readonly reset: PasswordReset,
  ) {}

  @Get(ACCOUNT_PAGES.verifyEmail)
  @Public()
  @RateLimited(...ACCOUNT_LINK_LIMITS)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async showVerifyEmail(
    @Query('token') raw: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const token = tokenOf(raw, 'email_verification');
    if (token && (await this.tokens.isLive(token, 'email_verification'))) return verifyEmailPage(token);
    response.status(400);
    return brokenLinkPage('verify');
  }

  @Post(ACCOUNT_PAGES.verifyEmail)
  @HttpCode(200)
  @Public()
  @RateLimited(...ACCOUNT_LINK_LIMITS)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async verifyEmail(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const token = tokenOf(formField(request.body, 'token'), 'email_verification');
    try {
      if (!token) throw this.tokens.refusal('email_verification');
      await this.verification.confirm(token);
      return emailVerifiedPage();
    } catch (error) {
      if (!isTokenRefusal(error)) throw error;
      response.status(400);
      return brokenLinkPage('verify');
    }
  }

  @Get(ACCOUNT_PAGES.resetPassword)
  @Public()
  @RateLimited(...ACCOUNT_LINK_LIMITS)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async showResetPassword(
    @Query('token') raw: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const token = tokenOf(raw, 'password_reset');
    if (token && (await this.reset.isLive(token))) return resetPasswordPage(token);
    response.status(400);
    return brokenLinkPage('reset');
  }

  @Post(ACCOUNT_PAGES.resetPassword)
  @HttpCode(200)
  @Public()
  @RateLimited(...ACCOUNT_LINK_LIMITS)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async resetPassword(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const token = tokenOf(formField(request.body, 'token'), 'password_reset');
    const password = formField(request.body, 'password') ?? '';
    const confirmation = formField(request.body, 'confirmation') ?? '';
    try {
      if (!token) throw this.tokens.refusal('password_reset');
      const checked = newPasswordSchema.safeParse(password);
      if (!checked.success) {
        response.status(400);
        const message = `The password ${checked.error.issues[0]?.message ?? 'is not acceptable'}.`;
        return resetPasswordPage(token, { field: 'password', message });
      }
      if (password !== confirmation) {
        response.status(400);
        return resetPasswordPage(token, { field: 'confirmation', message: 'The two passwords differ.' });
      }
      await this.reset.confirm(token, password);
      return passwordResetDonePage();
    } catch (error) {
      if (!isTokenRefusal(error)) throw error;
      response.status(400);
      return brokenLinkPage('reset');
    }
  }
}
