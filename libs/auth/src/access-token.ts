/** The JOSE `typ` of an access token (RFC 9068): a refresh token or an ID token is not accepted as one. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Only asymmetric signatures: `none` and HMAC (the classic key-confusion attack) are never accepted. */
export const ACCESS_TOKEN_ALGORITHMS = ['EdDSA'] as const;

/** What an organization does on the platform. */
export const ORGANIZATION_KINDS = ['developer', 'operator', 'provider', 'partner'] as const;
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number];

/** A member's role inside one organization. */
export const ORGANIZATION_ROLES = ['owner', 'member'] as const;
export type OrganizationRole = (typeof ORGANIZATION_ROLES)[number];

/** Platform-wide roles, held by accounts rather than organizations. */
export const PLATFORM_ROLES = ['admin'] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

/** One organization an account belongs to, as the `orgs` claim carries it. */
export interface OrganizationGrant {
  readonly id: string;
  readonly kind: OrganizationKind;
  readonly role: OrganizationRole;
}

/**
 * Who a verified access token speaks for. Roles and memberships are as of the token's issue: a change
 * reaches other services with the next token (at most ACCESS_TOKEN_TTL_SECONDS later).
 */
export interface Principal {
  readonly kind: 'account';
  /** The account id (`sub`). */
  readonly subject: string;
  /** `scope` claim, space-separated in the token. */
  readonly scopes: readonly string[];
  /** Platform roles, e.g. `admin`. */
  readonly roles: readonly PlatformRole[];
  /** `orgs` claim: the organizations the account belongs to and its role in each. */
  readonly organizations: readonly OrganizationGrant[];
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
