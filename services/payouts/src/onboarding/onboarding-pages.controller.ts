import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@onecommons/auth';
import { DomainError } from '@onecommons/service-kit';
import { knownRefusal, refusalPage, returnPage } from './onboarding-pages.js';
import { ONBOARDING_PAGES } from './onboarding-sessions.js';
import { PayeeOnboarding } from './payee-onboarding.js';

/** The parts of the HTTP response a page sets (Express's response has them). */
interface PageResponse {
  status(code: number): unknown;
  setHeader(name: string, value: string): unknown;
}

const STATUS_OF: Readonly<Record<string, number>> = {
  invalid: 400,
  gone: 410,
  conflict: 409,
  unavailable: 503,
};

/** A page's HTML; a refusal (bad, expired or replaced link, Stripe unavailable) answers its status with a page. */
async function answered(response: PageResponse, render: () => Promise<string>): Promise<string> {
  try {
    return await render();
  } catch (error) {
    if (!(error instanceof DomainError) || !knownRefusal(error.code)) throw error;
    response.status(STATUS_OF[error.kind] ?? 400);
    return refusalPage(error.code);
  }
}

/**
 * Where Stripe sends a payee's browser during onboarding (`/api/payouts/onboarding/…`, HTML): `refresh` when
 * Stripe's link expired or was used (a new link, by redirect), `return` when the payee left or finished Stripe's
 * pages (where it stands). The browser carries no credentials: the sealed session in the URL says whose onboarding
 * it is (OnboardingSessions).
 */
@ApiExcludeController() // pages for people, not part of the JSON API
@Controller('onboarding')
export class OnboardingPagesController {
  constructor(private readonly onboarding: PayeeOnboarding) {}

  @Get(ONBOARDING_PAGES.refresh)
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  refresh(
    @Query('session') session: unknown,
    @Res({ passthrough: true }) response: PageResponse,
  ): Promise<string> {
    return answered(response, async () => {
      const outcome = await this.onboarding.refresh(session);
      response.status(303);
      response.setHeader('Location', outcome.kind === 'link' ? outcome.url : outcome.returnUrl);
      return '';
    });
  }

  @Get(ONBOARDING_PAGES.return)
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  returned(
    @Query('session') session: unknown,
    @Res({ passthrough: true }) response: PageResponse,
  ): Promise<string> {
    return answered(response, async () => {
      const { account, continueUrl } = await this.onboarding.returned(session);
      return returnPage(account, continueUrl);
    });
  }
}
