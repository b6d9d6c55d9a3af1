export {
  ACCESS_TOKEN_ALGORITHMS,
  ACCESS_TOKEN_TYPE,
  InvalidTokenError,
  type OrganizationGrant,
  type OrganizationKind,
  type OrganizationRole,
  type PlatformRole,
  type Principal,
  ORGANIZATION_KINDS,
  ORGANIZATION_ROLES,
  PLATFORM_ROLES,
} from './access-token.js';
export { AUTH_ERROR_CODES, AuthError, type AuthErrorCode } from './auth-errors.js';
export { AccessTokenVerifier, type KeySource, type VerifierSettings } from './access-token-verifier.js';
export {
  API_KEY_PREFIX,
  API_KEY_SCOPES,
  apiKeyDisplayPrefix,
  apiKeyHash,
  type ApiKeyPrincipal,
  type ApiKeyScope,
  type ApiKeySource,
  generateApiKey,
  isWellFormedApiKey,
  SERVICE_BOUND_SCOPES,
} from './api-key.js';
export {
  API_KEY_REVOCATION_EPOCH_KEY,
  ApiKeyRevocationEpoch,
  type RevocationEpochStore,
} from './api-key-revocations.js';
export { type ApiKeyCacheSettings, CachedApiKeySource } from './cached-api-key-source.js';
export {
  apiKeyCacheConfigShape,
  apiKeyConfigShape,
  authConfigShape,
  internalCallConfigShape,
  liveAccessConfigShape,
} from './auth-config.js';
export { INTERNAL_TOKEN_HEADER, InternalCredential } from './internal-credential.js';
export {
  ApiKeySourceUnavailableError,
  type IntrospectedApiKey,
  RemoteApiKeySource,
} from './remote-api-key-source.js';
export {
  type LiveAccessAnswer,
  liveAccessAnswer,
  RemoteAccessDirectory,
} from './nest/remote-access-directory.js';
export { ACCESS_POLICY, type AccessPolicy, type OrganizationRequirement } from './nest/access-policy.js';
export { AccessPolicyGuard, type AuthenticatedRequest } from './nest/access-policy.guard.js';
export {
  AuthModule,
  type AuthModuleOptions,
  type AuthSetup,
  type RemoteAuthConfig,
  remoteAuthSetup,
} from './nest/auth.module.js';
export {
  Authenticated,
  CurrentApiKey,
  CurrentCaller,
  CurrentPrincipal,
  InternalOnly,
  Public,
  RequireAdminOrApiKey,
  RequireApiKey,
  RequireOrganization,
  RequirePlatformRole,
  RequireSelf,
  RequireSelfOrApiKey,
} from './nest/decorators.js';
export { type AccessDirectory, accessFromClaims, currentPrincipal } from './nest/access-directory.js';
export {
  ACCESS_TOKEN_VERIFIER,
  API_KEY_SOURCE,
  ACCESS_DIRECTORY,
  INTERNAL_CREDENTIAL,
} from './nest/tokens.js';
