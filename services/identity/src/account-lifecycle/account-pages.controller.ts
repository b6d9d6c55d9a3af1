import { Controller, Get, Header, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@onecommons/auth';
import { RateLimited } from '@onecommons/service-kit';
import { type Request, type Response } from 'express';
import { accountTokenPattern, type AccountTokenPurpose, AccountTokens } from '../accounts/account-tokens.js';
import { emailAddressSchema, newPasswordSchema } from '../accounts/dto/register-account.dto.js';
import { EmailVerification } from '../accounts/email-verification.js';
import { IdentityError } from '../identity-errors.js';
import { ACCOUNT_PAGES } from '../pages/account-links.js';
import { formField } from '../pages/form-body.js';
import { ACCOUNT_LINK_LIMITS, PASSWORD_RESET_LIMITS } from '../rate-limits/identity-rate-limits.js';
import {
  brokenLinkPage,
  emailVerifiedPage,
  forgotPasswordPage,
  passwordResetDonePage,
  resetMailedPage,
  resetPasswordPage,
  verifyEmailPage,
} from './account-pages.js';
import { PasswordReset } from './password-reset.js';

/** A token as a page receives it: a well-formed one of the purpose, or undefined. */
function tokenOf(value: unknown, purpose: AccountTokenPurpose): string | undefined {
  return typeof value === 'string' && accountTokenPattern(purpose).test(value) ? value : undefined;
}

const BROKEN_LINK = { email_verification: 'verify', password_reset: 'reset' } as const;

/** What a page answers: its HTML, with 400 when the link or form was refused. */
interface PageAnswer {
  readonly html: string;
  readonly refused?: boolean;
}

/** A page's answer on the response; a refused token (used, replaced, expired…) shows the broken-link page. */
async function answered(
  response: Response,
  purpose: AccountTokenPurpose,
  answer: () => Promise<PageAnswer>,
): Promise<string> {
  try {
    const { html, refused } = await answer();
    if (refused) response.status(400);
    return html;
  } catch (error) {
    if (!(error instanceof IdentityError) || error.field !== 'token') throw error;
    response.status(400);
    return brokenLinkPage(BROKEN_LINK[purpose]);
  }
}

/**
 * The pages emailed links open (`/api/identity/account/…`, HTML; forms post urlencoded). Opening a link uses
 * nothing (mail scanners fetch links): only the form's POST does. A bad link or form answers 400 with a page.
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
  showVerifyEmail(
    @Query('token') raw: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    return answered(response, 'email_verification', async () => ({
      html: verifyEmailPage(await this.liveToken(raw, 'email_verification')),
    }));
  }

  @Post(ACCOUNT_PAGES.verifyEmail)
  @HttpCode(200)
  @Public()
  @RateLimited(...ACCOUNT_LINK_LIMITS)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  verifyEmail(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<string> {
    return answered(response, 'email_verification', async () => {
      await this.verification.confirm(this.formToken(request, 'email_verification'));
      return { html: emailVerifiedPage() };
    });
  }

  @Get(ACCOUNT_PAGES.resetPassword)
  @Public()
  @RateLimited(...ACCOUNT_LINK_LIMITS)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  showResetPassword(
    @Query('token') raw: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    return answered(response, 'password_reset', async () => ({
      html: resetPasswordPage(await this.liveToken(raw, 'password_reset')),
    }));
  }

  @Post(ACCOUNT_PAGES.resetPassword)
  @HttpCode(200)
  @Public()
  @RateLimited(...ACCOUNT_LINK_LIMITS)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  resetPassword(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<string> {
    return answered(response, 'password_reset', async () => {
      const token = this.formToken(request, 'password_reset');
      const password = formField(request.body, 'password') ?? '';
      const checked = newPasswordSchema.safeParse(password);
      if (!checked.success) {
        const message = `The password ${checked.error.issues[0]?.message ?? 'is not acceptable'}.`;
        return { html: resetPasswordPage(token, { field: 'password', message }), refused: true };
      }
      if (password !== formField(request.body, 'confirmation')) {
        const message = 'The two passwords differ.';
        return { html: resetPasswordPage(token, { field: 'confirmation', message }), refused: true };
      }
      await this.reset.confirm(token, password);
      return { html: passwordResetDonePage() };
    });
  }

  /** Where the sign-in page sends someone who forgot their password. */
  @Get(ACCOUNT_PAGES.forgotPassword)
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  showForgotPassword(): string {
    return forgotPasswordPage();
  }

  /** As `POST v1/accounts/password-reset`: the same answer, as late, whether or not an account has the email. */
  @Post(ACCOUNT_PAGES.forgotPassword)
  @HttpCode(200)
  @Public()
  @RateLimited(...PASSWORD_RESET_LIMITS)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async forgotPassword(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const email = emailAddressSchema.safeParse(formField(request.body, 'email') ?? '');
    if (!email.success) {
      response.status(400);
      return forgotPasswordPage(`The email ${email.error.issues[0]?.message ?? 'is not acceptable'}.`);
    }
    await this.reset.request(email.data);
    return resetMailedPage();
  }

  /** The link's token when it would be accepted now (nothing is used); else the purpose's refusal. */
  private async liveToken(raw: unknown, purpose: AccountTokenPurpose): Promise<string> {
    const token = tokenOf(raw, purpose);
    if (token && (await this.tokens.isLive(token, purpose))) return token;
    throw this.tokens.refusal(purpose);
  }

  /** The form's token when well-formed (the POST then decides whether it is live); else the refusal. */
  private formToken(request: Request, purpose: AccountTokenPurpose): string {
    const token = tokenOf(formField(request.body, 'token'), purpose);
    if (!token) throw this.tokens.refusal(purpose);
    return token;
  }
}
