import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import {
  ACCESS_TOKEN_ALGORITHMS,
  ACCESS_TOKEN_TYPE,
  InvalidTokenError,
  type Principal,
} from './access-token.js';
import { organizationsClaim, platformRolesClaim } from './claims.js';

export interface VerifierSettings {
  readonly issuer: string;
  readonly audience: string;
  /** Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. */
  readonly clockToleranceSeconds?: number;
}

/** Where the verification keys come from: identity's JWKS over HTTP (cached), or a key set in hand. */
export type KeySource =
  | { readonly kind: 'remote'; readonly jwksUrl: string; readonly cacheMaxAgeMs?: number }
  | { readonly kind: 'local'; readonly keys: () => Promise<JSONWebKeySet> };

/**
 * Verifies access tokens locally: signature against identity's published keys, algorithm from the
 * allowlist only, `typ`, `iss`, `aud`, `exp`, and the claims a principal needs. Never calls identity per
 * request: the JWKS is cached and refetched only for an unknown `kid` (rate limited by jose's cooldown).
 */
export class AccessTokenVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(
    source: KeySource,
    private readonly settings: VerifierSettings,
  ) {
    this.keys =
      source.kind === 'remote'
        ? createRemoteJWKSet(new URL(source.jwksUrl), {
            cacheMaxAge: source.cacheMaxAgeMs ?? 10 * 60_000,
            cooldownDuration: 30_000,
            timeoutDuration: 5_000,
          })
        : async (header, token) => createLocalJWKSet(await source.keys())(header, token);
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        algorithms: [...ACCESS_TOKEN_ALGORITHMS],
        typ: ACCESS_TOKEN_TYPE,
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        clockTolerance: this.settings.clockToleranceSeconds ?? 5,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      }));
    } catch (error) {
      throw new InvalidTokenError(reasonOf(error));
    }
    return {
      kind: 'account',
      subject: payload.sub as string,
      tokenId: payload.jti as string,
      expiresAt: new Date((payload.exp as number) * 1000),
      scopes: typeof payload['scope'] === 'string' ? payload['scope'].split(' ').filter(Boolean) : [],
      roles: platformRolesClaim(payload['roles']),
      organizations: organizationsClaim(payload['orgs']),
    };
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim ${error.claim}: ${error.reason}`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof errors.JWKSNoMatchingKey) return 'unknown signing key';
  if (error instanceof errors.JOSEError) return error.code;
  return 'malformed';
}
