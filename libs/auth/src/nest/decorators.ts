import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { ApiAccessToken, ApiErrors, ApiKeyAuth } from '@onecommons/service-kit';
import { type PlatformRole, type Principal } from '../access-token.js';
import { type ApiKeyPrincipal, type ApiKeyScope } from '../api-key.js';
import { ACCESS_POLICY, type AccessPolicy, type OrganizationRequirement } from './access-policy.js';
import { AccessPolicyGuard, type AuthenticatedRequest } from './access-policy.guard.js';

/** The credentials a policy takes, as the OpenAPI document shows them. */
function documentedCredentials(policy: AccessPolicy): (MethodDecorator & ClassDecorator)[] {
  if (policy.kind === 'public') return [];
  if (policy.kind === 'account') return [ApiAccessToken(), ApiErrors(401, 403)];
  if (policy.kind === 'api_key') return [ApiKeyAuth(), ApiErrors(401, 403)];
  if (policy.kind === 'internal') return [ApiErrors(401)];
  return [ApiAccessToken(), ApiKeyAuth(), ApiErrors(401, 403)];
}

const withPolicy = (policy: AccessPolicy) =>
  applyDecorators(
    SetMetadata(ACCESS_POLICY, policy),
    UseGuards(AccessPolicyGuard),
    ...documentedCredentials(policy),
  );

/** Anyone may call the endpoint, without credentials. */
export const Public = () => withPolicy({ kind: 'public' });

/** Any account with a valid access token. Handlers scope what they read to the principal. */
export const Authenticated = () => withPolicy({ kind: 'account' });

/** Accounts holding a platform role (e.g. `admin`). */
export const RequirePlatformRole = (role: PlatformRole) =>
  withPolicy({ kind: 'account', platformRole: role });

/** Members of the organization named by a route parameter (admins pass unless `admins: false`). */
export const RequireOrganization = (requirement: OrganizationRequirement) =>
  withPolicy({ kind: 'account', organization: requirement });

/** Only the account named by a route parameter, or an admin. */
export const RequireSelf = (param: string) => withPolicy({ kind: 'account', selfParam: param });

/** The account named by a route parameter (or an admin), or a service's API key with the scope. */
export const RequireSelfOrApiKey = (param: string, scope: ApiKeyScope) =>
  withPolicy({ kind: 'self_or_api_key', selfParam: param, scope });

/** A platform admin (access token), or an organization's API key with the scope. */
export const RequireAdminOrApiKey = (scope: ApiKeyScope) => withPolicy({ kind: 'admin_or_api_key', scope });

/** Only the platform's own services, by the internal credential (`x-onecommons-internal-token`). */
export const InternalOnly = () => withPolicy({ kind: 'internal' });

/** A valid API key with the scope (or any valid key with `'any'`). */
export const RequireApiKey = (scope: ApiKeyScope | 'any') => withPolicy({ kind: 'api_key', scope });

function principalOf(context: ExecutionContext) {
  return context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
}

/** The verified account of an account-policy request. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = principalOf(context);
    if (principal?.kind !== 'account')
      throw new Error('@CurrentPrincipal() used on an endpoint without an account policy');
    return principal;
  },
);

/** The verified API key of an `@RequireApiKey()` request. */
export const CurrentApiKey = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ApiKeyPrincipal => {
    const principal = principalOf(context);
    if (principal?.kind !== 'api_key')
      throw new Error('@CurrentApiKey() used on an endpoint without @RequireApiKey()');
    return principal;
  },
);

/** The verified caller of an endpoint that takes an access token or an API key (either kind). */
export const CurrentCaller = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal | ApiKeyPrincipal => {
    const principal = principalOf(context);
    if (!principal) throw new Error('@CurrentCaller() used on an endpoint without credentials');
    return principal;
  },
);
