export {
  ACCESS_TOKEN_ALGORITHMS,
  ACCESS_TOKEN_TYPE,
  InvalidTokenError,
  type Principal,
} from './access-token.js';
export { AccessTokenVerifier, type KeySource, type VerifierSettings } from './access-token-verifier.js';
export { authConfigShape } from './auth-config.js';
export { AccessTokenGuard, type AuthenticatedRequest } from './nest/access-token.guard.js';
export { AuthModule, type AuthModuleOptions } from './nest/auth.module.js';
export { Authenticated, CurrentPrincipal } from './nest/decorators.js';
export { ACCESS_TOKEN_VERIFIER } from './nest/tokens.js';
