import { hkdfSync } from 'node:crypto';
import { type AdapterFactory, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { type JWK } from 'jose';
import { type IdentityConfig, sealingKeyOf } from '../../config.js';
import { html, Html, page } from '../../pages/html.js';
import { type AccountClaims } from './account-claims.repository.js';

/** Where identity serves the provider, behind the gateway's /api/identity/. */
export const OIDC_MOUNT_PATH = '/api/identity/oidc';
export const interactionPath = (uid: string) => `${OIDC_MOUNT_PATH}/interaction/${uid}`;

/** What an app may ask for: `email` (email, email_verified) and `plan` (free or premium, and its status). */
export const OIDC_SCOPE_CLAIMS = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  plan: ['plan'],
} as const;

export interface ProviderDependencies {
  readonly config: IdentityConfig;
  readonly adapter: AdapterFactory;
  readonly signingKeys: JWK[];
  readonly claimsOf: (accountId: string) => Promise<AccountClaims | null>;
}

const DAY_SECONDS = 86_400;

/** The cookies' signing key, derived from the key that seals identity's secrets (one secret to keep). */
function cookieKey(config: IdentityConfig): string {
  const secret = sealingKeyOf(config);
  return Buffer.from(hkdfSync('sha256', secret, '', 'onecommons oidc-provider cookies', 32)).toString(
    'base64url',
  );
}

/**
 * The provider's rules: authorization code with PKCE (S256) for every client, exact redirect URIs (the
 * library compares them exactly), refresh tokens rotated on every use (a reused one revokes its grant),
 * confidential clients only, and a token may be introspected or revoked only by the client it was issued to.
 */
export function providerConfiguration(dependencies: ProviderDependencies): Configuration {
  const { config } = dependencies;
  const refreshSeconds = config.REFRESH_TOKEN_TTL_DAYS * DAY_SECONDS;
  const ownToken = (_ctx: KoaContextWithOIDC, client: { clientId: string }, token: { clientId?: string }) =>
    token.clientId === client.clientId;
  return {
    adapter: dependencies.adapter,
    jwks: { keys: dependencies.signingKeys },
    cookies: { keys: [cookieKey(config)] },
    async findAccount(_ctx, sub) {
      const claims = await dependencies.claimsOf(sub);
      if (!claims) return undefined;
      return { accountId: sub, claims: () => ({ sub, ...claims }) };
    },
    claims: Object.fromEntries(
      Object.entries(OIDC_SCOPE_CLAIMS).map(([scope, claims]) => [scope, [...claims]]),
    ),
    scopes: [
      'openid',
      'offline_access',
      ...Object.keys(OIDC_SCOPE_CLAIMS).filter((scope) => scope !== 'openid'),
    ],
    // The claims an app was granted are in the ID token too, not only at userinfo.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    issueRefreshToken: (_ctx, client) => Promise.resolve(client.grantTypeAllowed('refresh_token')),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: config.ACCESS_TOKEN_TTL_SECONDS,
      AuthorizationCode: 60,
      IdToken: 3_600,
      Interaction: 3_600,
      Session: 14 * DAY_SECONDS,
      Grant: refreshSeconds,
      RefreshToken: refreshSeconds,
    },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      revocation: {
        enabled: true,
        allowedPolicy: (ctx, client, token) => Promise.resolve(ownToken(ctx, client, token)),
      },
      introspection: {
        enabled: true,
        allowedPolicy: (ctx, client, token) => Promise.resolve(ownToken(ctx, client, token)),
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          ctx.body = page(
            'Sign out of OneCommons?',
            html`${new Html(form)}
              <button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">
                Yes, sign me out
              </button>
              <button type="submit" form="op.logoutForm" class="secondary">No, stay signed in</button>`,
          );
          return Promise.resolve();
        },
        postLogoutSuccessSource(ctx) {
          ctx.body = page('Signed out', html`<p class="notice">You are signed out of OneCommons.</p>`);
          return Promise.resolve();
        },
      },
    },
    interactions: { url: (_ctx, interaction) => Promise.resolve(interactionPath(interaction.uid)) },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page(
        'Sign-in could not continue',
        html`<p class="error">
            ${out.error}${out.error_description ? `: ${String(out.error_description)}` : ''}
          </p>
          <p>Go back to the app and start again.</p>`,
      );
      return Promise.resolve();
    },
  };
}
