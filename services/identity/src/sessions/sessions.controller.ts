import { Public } from '@onecommons/auth';
import { Body, Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse } from '@nestjs/swagger';
import { ApiErrors, RateLimited } from '@onecommons/service-kit';
import { type JSONWebKeySet } from 'jose';
import {
  type LoginDto,
  loginSchema,
  type RefreshDto,
  refreshSchema,
  type TokenPairDto,
  tokenPairSchema,
} from './dto.js';
import { LOGIN_LIMITS, TOKEN_REFRESH_LIMITS } from '../rate-limits/identity-rate-limits.js';
import { SessionsService } from './sessions.service.js';
import { SigningKeyStore } from './signing-key-store.js';

@Controller('v1/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  /** Login: email + password → access token and refresh token. */
  @Post()
  @HttpCode(201)
  @Public()
  @Header('Cache-Control', 'no-store')
  @RateLimited(...LOGIN_LIMITS)
  @ApiCreatedResponse({ description: 'A new session', standardSchema: tokenPairSchema })
  @ApiErrors(400, 401)
  login(@Body({ schema: loginSchema }) body: LoginDto): Promise<TokenPairDto> {
    return this.sessions.login(body);
  }

  /** Spends a refresh token for a new pair. */
  @Post('refresh')
  @HttpCode(200)
  @Public()
  @Header('Cache-Control', 'no-store')
  @RateLimited(...TOKEN_REFRESH_LIMITS)
  @ApiOkResponse({
    description: 'The next pair; the spent token no longer works',
    standardSchema: tokenPairSchema,
  })
  @ApiErrors(400, 401)
  refresh(@Body({ schema: refreshSchema }) body: RefreshDto): Promise<TokenPairDto> {
    return this.sessions.refresh(body.refreshToken);
  }

  /** Logout: revokes the refresh token's whole family. */
  @Post('logout')
  @HttpCode(204)
  @Public()
  @ApiNoContentResponse({ description: 'Signed out (also when already signed out)' })
  @ApiErrors(400)
  logout(@Body({ schema: refreshSchema }) body: RefreshDto): Promise<void> {
    return this.sessions.logout(body.refreshToken);
  }
}

/** The public keys every service verifies access tokens with (RFC 7517). */
@Controller('v1/.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeyStore) {}

  @Get('jwks.json')
  @Public()
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): Promise<JSONWebKeySet> {
    return this.keys.publishedKeys();
  }
}
