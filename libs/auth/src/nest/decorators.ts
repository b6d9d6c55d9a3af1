import { applyDecorators, createParamDecorator, type ExecutionContext, UseGuards } from '@nestjs/common';
import { type Principal } from '../access-token.js';
import { AccessTokenGuard, type AuthenticatedRequest } from './access-token.guard.js';

/** The endpoint needs a valid access token; checks on what the principal may do stay declarative too. */
export const Authenticated = () => applyDecorators(UseGuards(AccessTokenGuard));

/** The verified principal of an `@Authenticated()` request. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) throw new Error('@CurrentPrincipal() used on an endpoint without @Authenticated()');
    return principal;
  },
);
