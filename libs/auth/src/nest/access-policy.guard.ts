import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  Optional,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { UUID_PATTERN } from '@onecommons/service-kit';
import { type Request } from 'express';
import { InvalidTokenError, type Principal } from '../access-token.js';
import { type AccessTokenVerifier } from '../access-token-verifier.js';
import { API_KEY_PREFIX, type ApiKeyPrincipal, type ApiKeySource, isWellFormedApiKey } from '../api-key.js';
import { AuthError } from '../auth-errors.js';
import { INTERNAL_TOKEN_HEADER, type InternalCredential } from '../internal-credential.js';
import { ApiKeySourceUnavailableError } from '../remote-api-key-source.js';
import { ACCESS_POLICY, type AccessPolicy, type OrganizationRequirement } from './access-policy.js';
import { type AccessDirectory } from './access-directory.js';
import { ACCESS_TOKEN_VERIFIER, API_KEY_SOURCE, ACCESS_DIRECTORY, INTERNAL_CREDENTIAL } from './tokens.js';

type AccountRules = Omit<Extract<AccessPolicy, { kind: 'account' }>, 'kind'>;

export type AuthenticatedRequest = Request & { principal?: Principal | ApiKeyPrincipal };

const BEARER = /^Bearer (\S+)$/;

const invalidToken = () =>
  new AuthError('unauthenticated', 'invalid_token', 'The access token is invalid or expired.');
const invalidApiKey = () =>
  new AuthError('unauthenticated', 'invalid_api_key', 'The API key is invalid, expired or revoked.');

/**
 * Enforces an endpoint's declared AccessPolicy: authenticates the bearer credential the policy asks for
 * (an access token or an API key), then checks platform role, organization membership and ownership.
 */
@Injectable()
export class AccessPolicyGuard implements CanActivate {
  private readonly logger = new Logger('AccessPolicyGuard');

  constructor(
    private readonly reflector: Reflector,
    @Inject(ACCESS_TOKEN_VERIFIER) private readonly tokens: AccessTokenVerifier,
    @Inject(ACCESS_DIRECTORY) private readonly directory: AccessDirectory,
    @Optional() @Inject(API_KEY_SOURCE) private readonly apiKeys?: ApiKeySource,
    @Optional() @Inject(INTERNAL_CREDENTIAL) private readonly internal?: InternalCredential,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!policy)
      throw new Error(`${context.getClass().name}.${context.getHandler().name} declares no access policy`);
    if (policy.kind === 'public') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (policy.kind === 'internal') return this.authenticateInternalCall(request);
    const credential = bearerCredential(request);
    if (
      policy.kind === 'api_key' ||
      ((policy.kind === 'self_or_api_key' || policy.kind === 'admin_or_api_key') &&
        credential.startsWith(API_KEY_PREFIX))
    ) {
      const principal = await this.authenticateApiKey(credential);
      if (policy.scope !== 'any' && !principal.scopes.includes(policy.scope))
        throw AuthError.forbidden('insufficient_scope', `This API key lacks the ${policy.scope} scope.`);
      request.principal = principal;
      return true;
    }
    const principal = await this.authenticateAccount(credential);
    request.principal = principal;
    const rules: AccountRules = accountRulesOf(policy);
    const platformRoles = await this.directory.platformRolesOf(principal);
    const isAdmin = platformRoles.includes('admin');
    if (rules.platformRole && !platformRoles.includes(rules.platformRole))
      throw AuthError.forbidden('forbidden', `This needs the platform role ${rules.platformRole}.`);
    if (
      rules.selfParam !== undefined &&
      !isAdmin &&
      accountParam(request, rules.selfParam) !== principal.subject
    )
      throw AuthError.forbidden('forbidden', 'An account may act only on itself.');
    if (rules.organization) await this.checkOrganization(request, principal, isAdmin, rules.organization);
    return true;
  }

  /** A platform service's call: the internal credential, never an account's or an API key's. */
  private authenticateInternalCall(request: Request): true {
    if (!this.internal)
      throw new Error('an internal policy needs the internal credential (AuthModule.forRoot internalToken)');
    const presented = request.headers[INTERNAL_TOKEN_HEADER];
    if (typeof presented !== 'string' || presented === '')
      throw new AuthError(
        'unauthenticated',
        'internal_credential_required',
        `This endpoint is for the platform's services (${INTERNAL_TOKEN_HEADER}).`,
      );
    if (!this.internal.matches(presented))
      throw new AuthError(
        'unauthenticated',
        'invalid_internal_credential',
        'The internal credential is wrong.',
      );
    return true;
  }

  private async authenticateAccount(credential: string): Promise<Principal> {
    if (credential.startsWith(API_KEY_PREFIX))
      throw new AuthError(
        'unauthenticated',
        'access_token_required',
        'This endpoint takes an access token, not an API key.',
      );
    try {
      return await this.tokens.verify(credential);
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) throw error;
      this.logger.warn(`rejected an access token: ${error.reason}`);
      // One answer for every failure: a client learns nothing about which check it failed.
      throw invalidToken();
    }
  }

  private async authenticateApiKey(credential: string): Promise<ApiKeyPrincipal> {
    if (!this.apiKeys)
      throw new Error('an api_key policy needs an ApiKeySource (AuthModule.forRoot apiKeys)');
    if (!credential.startsWith(API_KEY_PREFIX))
      throw new AuthError(
        'unauthenticated',
        'api_key_required',
        'This endpoint takes an API key (Authorization: Bearer ock_…).',
      );
    if (!isWellFormedApiKey(credential)) throw invalidApiKey();
    try {
      const principal = await this.apiKeys.resolve(credential);
      if (!principal) throw invalidApiKey();
      return principal;
    } catch (error) {
      if (!(error instanceof ApiKeySourceUnavailableError)) throw error;
      this.logger.error(error.message);
      throw new AuthError(
        'unavailable',
        'auth_unavailable',
        'The API key cannot be checked right now; retry later.',
      );
    }
  }

  private async checkOrganization(
    request: AuthenticatedRequest,
    principal: Principal,
    isAdmin: boolean,
    requirement: OrganizationRequirement,
  ): Promise<void> {
    if (isAdmin && requirement.admins !== false) return;
    const organizationId = routeParam(request, requirement.param);
    const membership = await this.directory.membershipOf(principal, organizationId);
    if (!membership)
      throw AuthError.forbidden('not_a_member', 'The account is not a member of this organization.');
    if (requirement.roles && !requirement.roles.includes(membership.role))
      throw AuthError.forbidden(
        'forbidden',
        `This needs the organization role ${requirement.roles.join(' or ')}.`,
      );
    if (requirement.kinds && !requirement.kinds.includes(membership.kind))
      throw AuthError.forbidden(
        'wrong_organization_kind',
        `This is for ${requirement.kinds.join(' or ')} organizations only.`,
      );
  }
}

/** What an account must satisfy under a policy that lets accounts in. */
function accountRulesOf(
  policy: Exclude<AccessPolicy, { kind: 'public' } | { kind: 'api_key' } | { kind: 'internal' }>,
): AccountRules {
  if (policy.kind === 'account') return policy;
  if (policy.kind === 'admin_or_api_key') return { platformRole: 'admin' };
  return { selfParam: policy.selfParam };
}

function bearerCredential(request: Request): string {
  const header = request.headers.authorization;
  if (!header)
    throw new AuthError(
      'unauthenticated',
      'unauthenticated',
      'Credentials are required (Authorization: Bearer).',
    );
  const credential = BEARER.exec(header)?.[1];
  if (!credential) throw invalidToken();
  return credential;
}

/** An account id in the route: anything but a UUID is bad input (400), not someone else's account. */
function accountParam(request: Request, name: string): string {
  const value = routeParam(request, name);
  if (!UUID_PATTERN.test(value)) throw AuthError.invalid('validation_failed', 'must be a UUID', name);
  return value.toLowerCase();
}

function routeParam(request: Request, name: string): string {
  const value = request.params[name];
  if (typeof value !== 'string')
    throw new Error(`access policy names route parameter :${name}, which the route lacks`);
  return value;
}
