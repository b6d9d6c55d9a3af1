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

  /**
   * The account an email and password name. One answer for an unknown email and a wrong password, in the
   * same time: neither the API nor the sign-in page reveals who has an account.
   */
  async authenticate(input: LoginDto): Promise<string> {
    const account = await this.accounts.credentialsByEmail(input.email);
    const matches = await this.hasher.verify(account?.passwordHash ?? (await this.decoyHash), input.password);
    if (!account || !matches) {
      countLogin('invalid_credentials');
      throw invalidCredentials();
    }
    countLogin('succeeded');
    return account.id;
  }

  async login(input: LoginDto): Promise<TokenPairDto> {
    const accountId = await this.authenticate(input);
    const refreshToken = await this.dataSource.transaction((manager) =>
      this.refreshTokens.startFamily(manager, accountId),
    );
    return this.tokenPair(accountId, refreshToken);
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
