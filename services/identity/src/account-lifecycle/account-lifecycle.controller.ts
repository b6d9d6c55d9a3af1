import { Body, Controller, Delete, Header, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOkResponse } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, type Principal, Public } from '@onecommons/auth';
import { ApiErrors, RateLimited } from '@onecommons/service-kit';
import { EmailVerification } from '../accounts/email-verification.js';
import {
  ACCOUNT_LINK_LIMITS,
  EMAIL_VERIFICATION_LIMITS,
  PASSWORD_RESET_LIMITS,
  REAUTHENTICATION_LIMITS,
} from '../rate-limits/identity-rate-limits.js';
import { type TokenPairDto, tokenPairSchema } from '../sessions/dto.js';
import { AccountDeletion } from './account-deletion.js';
import { AccountSecurity } from './account-security.js';
import {
  type AccountDeletionDto,
  accountDeletionSchema,
  type EmailVerificationDto,
  emailVerificationSchema,
  type PasswordChangeDto,
  passwordChangeSchema,
  type PasswordResetDto,
  passwordResetSchema,
  type PasswordResetRequestDto,
  type PasswordResetRequestedDto,
  passwordResetRequestedSchema,
  passwordResetRequestSchema,
} from './dto.js';
import { PasswordReset } from './password-reset.js';

/**
 * The account lifecycle as JSON (the emailed links open pages, AccountPagesController, that do the same):
 * email verification, password reset and change, signing out everywhere, deletion.
 */
@Controller('v1/accounts')
export class AccountLifecycleController {
  constructor(
    private readonly verification: EmailVerification,
    private readonly reset: PasswordReset,
    private readonly security: AccountSecurity,
    private readonly deletion: AccountDeletion,
  ) {}

  /** Mails the caller a new verification link (older ones stop working). */
  @Post('me/email-verification')
  @HttpCode(202)
  // Above @Authenticated: its guard runs first, so the limit counts the signed-in account (byPrincipal).
  @RateLimited(...EMAIL_VERIFICATION_LIMITS)
  @Authenticated()
  @ApiAcceptedResponse({ description: 'A verification mail is on its way' })
  @ApiErrors(401, 409)
  async resendVerification(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.verification.resend(principal.subject);
  }

  /** Verifies the email with the token of the mailed link. */
  @Post('email-verification')
  @HttpCode(204)
  @Public()
  @RateLimited(...ACCOUNT_LINK_LIMITS)
  @ApiNoContentResponse({ description: 'The email is verified' })
  @ApiErrors(400)
  async verifyEmail(@Body({ schema: emailVerificationSchema }) body: EmailVerificationDto): Promise<void> {
    await this.verification.confirm(body.token);
  }

  /**
   * Mails a reset link if an account has this email. The answer is the same, as late, either way: it tells no
   * one who has an account.
   */
  @Post('password-reset')
  @HttpCode(202)
  @Public()
  @RateLimited(...PASSWORD_RESET_LIMITS)
  @ApiAcceptedResponse({
    description: 'If an account has this email, a reset link is on its way',
    standardSchema: passwordResetRequestedSchema,
  })
  @ApiErrors(400)
  async requestPasswordReset(
    @Body({ schema: passwordResetRequestSchema }) body: PasswordResetRequestDto,
  ): Promise<PasswordResetRequestedDto> {
    await this.reset.request(body.email);
    return {
      status: 'accepted',
      message: 'If an account has this email, a link to reset its password is on its way.',
    };
  }

  /** Sets a new password with the token of the mailed link; every session of the account ends. */
  @Post('password-reset/confirm')
  @HttpCode(204)
  @Public()
  @RateLimited(...ACCOUNT_LINK_LIMITS)
  @ApiNoContentResponse({ description: 'The password is changed; sign in with it' })
  @ApiErrors(400)
  async confirmPasswordReset(@Body({ schema: passwordResetSchema }) body: PasswordResetDto): Promise<void> {
    await this.reset.confirm(body.token, body.password);
  }

  /** Changes the password with the current one: every session ends, the caller gets a fresh pair. */
  @Post('me/password')
  @HttpCode(200)
  // Above @Authenticated: its guard runs first, so the limit counts the signed-in account (byPrincipal).
  @RateLimited(...REAUTHENTICATION_LIMITS)
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ description: 'A new session; every other one ended', standardSchema: tokenPairSchema })
  @ApiErrors(400, 401, 403)
  changePassword(
    @CurrentPrincipal() principal: Principal,
    @Body({ schema: passwordChangeSchema }) body: PasswordChangeDto,
  ): Promise<TokenPairDto> {
    return this.security.changePassword(principal.subject, body);
  }

  /** Ends every session of the account; access tokens already issued run out within their lifetime. */
  @Post('me/sign-out-everywhere')
  @HttpCode(204)
  @Authenticated()
  @ApiNoContentResponse({ description: 'Every refresh token of the account is revoked' })
  @ApiErrors(401)
  async signOutEverywhere(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.security.signOutEverywhere(principal.subject);
  }

  /** Deletes the caller's account, with its password: personal data erased, every session ended. */
  @Delete('me')
  @HttpCode(204)
  // Above @Authenticated: its guard runs first, so the limit counts the signed-in account (byPrincipal).
  @RateLimited(...REAUTHENTICATION_LIMITS)
  @Authenticated()
  @ApiNoContentResponse({ description: 'The account is deleted' })
  @ApiErrors(400, 401, 403, 409)
  async deleteOwn(
    @CurrentPrincipal() principal: Principal,
    @Body({ schema: accountDeletionSchema }) body: AccountDeletionDto,
  ): Promise<void> {
    await this.deletion.delete(principal.subject, body.password);
  }
}
