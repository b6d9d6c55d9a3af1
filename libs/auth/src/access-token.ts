/** The JOSE `typ` of an access token (RFC 9068): a refresh token or an ID token is not accepted as one. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Only asymmetric signatures: `none` and HMAC (the classic key-confusion attack) are never accepted. */
export const ACCESS_TOKEN_ALGORITHMS = ['EdDSA'] as const;

/** Who a verified access token speaks for. */
export interface Principal {
  /** The account id (`sub`). */
  readonly subject: string;
  /** `scope` claim, space-separated in the token. */
  readonly scopes: readonly string[];
  /** Platform roles, e.g. `admin`. */
  readonly roles: readonly string[];
  /** `jti`: this token's id. */
  readonly tokenId: string;
  readonly expiresAt: Date;
}

/** A token that must not be trusted; `reason` is for logs, clients only ever see `invalid_token`. */
export class InvalidTokenError extends Error {
  constructor(readonly reason: string) {
    super(`invalid access token: ${reason}`);
    this.name = 'InvalidTokenError';
  }
}
