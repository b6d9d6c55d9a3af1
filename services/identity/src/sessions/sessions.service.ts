import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccountsRepository } from '../accounts/accounts.repository.js';
import { PasswordHasher } from '../accounts/password-hasher.js';
import { IdentityError } from '../identity-errors.js';
import { AccessTokenIssuer } from './access-token-issuer.js';
import { type LoginDto, type TokenPairDto } from './dto.js';
import { countLogin } from './login-metrics.js';
import { RefreshTokens } from './refresh-tokens.js';

const invalidCredentials = () =>
  new IdentityError('unauthenticated', 'invalid_credentials', 'The email or password is incorrect.');

@Injectable()
export class SessionsService {
  /** Verified against when the email is unknown, so both failures take the same time. */
  private readonly decoyHash: Promise<string>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly hasher: PasswordHasher,
    private readonly accessTokens: AccessTokenIssuer,
    private readonly refreshTokens: RefreshTokens,
  ) {
    this.decoyHash = hasher.hash('decoy password that matches no account');
  }

  /** One answer for an unknown email and a wrong password: the endpoint does not reveal who has an account. */
  async login(input: LoginDto): Promise<TokenPairDto> {
    const account = await this.accounts.credentialsByEmail(input.email);
    const matches = await this.hasher.verify(account?.passwordHash ?? (await this.decoyHash), input.password);
    if (!account || !matches) {
      countLogin('invalid_credentials');
      throw invalidCredentials();
    }
    countLogin('succeeded');
    const refreshToken = await this.dataSource.transaction((manager) =>
      this.refreshTokens.startFamily(manager, account.id),
    );
    return this.tokenPair(account.id, refreshToken);
  }

  async refresh(refreshToken: string): Promise<TokenPairDto> {
    const rotated = await this.refreshTokens.rotate(refreshToken);
    return this.tokenPair(rotated.accountId, rotated.refreshToken);
  }

  /** The pair a client gets for a session whose refresh token is `refreshToken`: a fresh access token with it. */
  async tokenPair(accountId: string, refreshToken: string): Promise<TokenPairDto> {
    return { tokenType: 'Bearer', ...(await this.accessTokens.issue(accountId)), refreshToken };
  }

  logout(refreshToken: string): Promise<void> {
    return this.refreshTokens.revokeFamily(refreshToken);
  }
}
