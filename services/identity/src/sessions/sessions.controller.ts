import { Body, Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { ZodValidationPipe } from '@onecommons/service-kit';
import { type JSONWebKeySet } from 'jose';
import { type LoginDto, loginSchema, type RefreshDto, refreshSchema, type TokenPairDto } from './dto.js';
import { SessionsService } from './sessions.service.js';
import { SigningKeyStore } from './signing-key-store.js';

@Controller('v1/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  /** Login: email + password → access token and refresh token. */
  @Post()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  login(@Body(new ZodValidationPipe(loginSchema)) body: LoginDto): Promise<TokenPairDto> {
    return this.sessions.login(body);
  }

  /** Spends a refresh token for a new pair. */
  @Post('refresh')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  refresh(@Body(new ZodValidationPipe(refreshSchema)) body: RefreshDto): Promise<TokenPairDto> {
    return this.sessions.refresh(body.refreshToken);
  }

  /** Logout: revokes the refresh token's whole family. */
  @Post('logout')
  @HttpCode(204)
  logout(@Body(new ZodValidationPipe(refreshSchema)) body: RefreshDto): Promise<void> {
    return this.sessions.logout(body.refreshToken);
  }
}

/** The public keys every service verifies access tokens with (RFC 7517). */
@Controller('v1/.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeyStore) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): Promise<JSONWebKeySet> {
    return this.keys.publishedKeys();
  }
}
