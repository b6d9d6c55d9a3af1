import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@onecommons/auth';
import { RateLimited } from '@onecommons/service-kit';
import { type Request, type Response } from 'express';
import { type InteractionResults } from 'oidc-provider';
import { IdentityError } from '../../identity-errors.js';
import { formField } from '../../pages/form-body.js';
import { LOGIN_LIMITS } from '../../rate-limits/identity-rate-limits.js';
import { loginSchema } from '../../sessions/dto.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import { OidcClientsRepository } from '../clients/oidc-clients.repository.js';
import { OidcProviderHost } from '../provider/oidc-provider-host.js';
import { type AppShown, consentPage, interactionGonePage, loginPage } from './interaction-pages.js';
import { DataSource } from 'typeorm';

type Details = Awaited<ReturnType<OidcProviderHost['provider']['interactionDetails']>>;

/**
 * The sign-in and consent pages of "Sign in with OneCommons". The provider's interaction cookie (SameSite,
 * scoped to this path) binds each POST to the browser that started the sign-in, so another site cannot post
 * these forms for a visitor.
 */
@ApiExcludeController()
@Controller('oidc/interaction/:uid')
export class InteractionController {
  constructor(
    private readonly host: OidcProviderHost,
    private readonly sessions: SessionsService,
    private readonly clients: OidcClientsRepository,
    private readonly dataSource: DataSource,
  ) {}

  @Get()
  @Public()
  async show(@Param('uid') uid: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const details = await this.details(uid, request, response);
    if (!details) return;
    const app = await this.appOf(details);
    if (details.prompt.name === 'login') return sendPage(response, 200, loginPage(uid, app));
    const { scopes, claims } = consentAskedIn(details);
    sendPage(response, 200, consentPage(uid, app, scopes, claims));
  }

  @Post('login')
  @HttpCode(303)
  @Public()
  @RateLimited(...LOGIN_LIMITS)
  async login(@Param('uid') uid: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const details = await this.details(uid, request, response);
    if (!details) return;
    const email = formField(request.body, 'email') ?? '';
    const credentials = loginSchema.safeParse({ email, password: formField(request.body, 'password') ?? '' });
    if (details.prompt.name !== 'login' || !credentials.success)
      return sendPage(
        response,
        400,
        loginPage(uid, await this.appOf(details), { email, message: 'Enter your email and password.' }),
      );
    let accountId: string;
    try {
      accountId = await this.sessions.authenticate(credentials.data);
    } catch (error) {
      if (!(error instanceof IdentityError)) throw error;
      return sendPage(
        response,
        401,
        loginPage(uid, await this.appOf(details), { email, message: error.message }),
      );
    }
    await this.finish(request, response, { login: { accountId } }, false);
  }

  /** Grants what the app asked for and the subscriber has just been shown. */
  @Post('confirm')
  @HttpCode(303)
  @Public()
  async confirm(
    @Param('uid') uid: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const details = await this.details(uid, request, response);
    if (!details) return;
    if (details.prompt.name !== 'consent' || !details.session?.accountId)
      return sendPage(response, 400, interactionGonePage());
    const { Grant } = this.host.provider;
    const grant =
      (details.grantId ? await Grant.find(details.grantId) : undefined) ??
      new Grant({ accountId: details.session.accountId, clientId: String(details.params['client_id']) });
    const { scopes, claims } = consentAskedIn(details);
    if (scopes.length > 0) grant.addOIDCScope(scopes.join(' '));
    if (claims.length > 0) grant.addOIDCClaims(claims);
    const grantId = await grant.save();
    await this.finish(request, response, { consent: { grantId } }, true);
  }

  @Post('abort')
  @HttpCode(303)
  @Public()
  async abort(@Param('uid') uid: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    if (!(await this.details(uid, request, response))) return;
    await this.finish(
      request,
      response,
      { error: 'access_denied', error_description: 'The subscriber did not allow it.' },
      false,
    );
  }

  /** The interaction this browser is in, or null after answering with the "expired" page. */
  private async details(uid: string, request: Request, response: Response): Promise<Details | null> {
    try {
      const details = await this.host.provider.interactionDetails(request, response);
      if (details.uid === uid) return details;
    } catch {
      // No interaction cookie, an expired interaction, or one of another browser: all the same to the visitor.
    }
    sendPage(response, 400, interactionGonePage());
    return null;
  }

  private async finish(
    request: Request,
    response: Response,
    result: InteractionResults,
    mergeWithLastSubmission: boolean,
  ): Promise<void> {
    await this.host.provider.interactionFinished(request, response, result, { mergeWithLastSubmission });
  }

  private async appOf(details: Details): Promise<AppShown> {
    const clientId = String(details.params['client_id']);
    return (
      (await this.clients.shownOnPages(this.dataSource.manager, clientId)) ?? {
        name: clientId,
        operator: null,
      }
    );
  }
}

/** What the consent prompt asks the subscriber to grant: the scopes and claims the client lacks. */
function consentAskedIn(details: Details): { scopes: string[]; claims: string[] } {
  const asked = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  return { scopes: asked.missingOIDCScope ?? [], claims: asked.missingOIDCClaims ?? [] };
}

function sendPage(response: Response, status: number, body: string): void {
  response.status(status).set('Cache-Control', 'no-store').type('html').send(body);
}
