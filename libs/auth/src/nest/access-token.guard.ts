import { type CanActivate, type ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { ApiError } from '@onecommons/service-kit';
import { type Request } from 'express';
import { InvalidTokenError, type Principal } from '../access-token.js';
import { type AccessTokenVerifier } from '../access-token-verifier.js';
import { ACCESS_TOKEN_VERIFIER } from './tokens.js';

export type AuthenticatedRequest = Request & { principal?: Principal };

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/;

/** Admits a request only with a valid access token, which becomes the request's principal. */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  private readonly logger = new Logger('AccessTokenGuard');

  constructor(@Inject(ACCESS_TOKEN_VERIFIER) private readonly verifier: AccessTokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (!header)
      throw new ApiError(401, 'unauthenticated', 'An access token is required (Authorization: Bearer).');
    const token = BEARER.exec(header)?.[1];
    if (!token) throw new ApiError(401, 'invalid_token', 'The access token is invalid or expired.');
    try {
      request.principal = await this.verifier.verify(token);
      return true;
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      this.logger.warn(`rejected an access token: ${error.reason}`);
      // One answer for every failure: a client learns nothing about which check it failed.
      throw new ApiError(401, 'invalid_token', 'The access token is invalid or expired.');
    }
  }
}
