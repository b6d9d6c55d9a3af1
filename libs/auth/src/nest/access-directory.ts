import { type OrganizationGrant, type PlatformRole, type Principal } from '../access-token.js';

/** Answers what an account is on the platform and in an organization, for role and object-level checks. */
export interface AccessDirectory {
  platformRolesOf(principal: Principal): Promise<readonly PlatformRole[]>;
  membershipOf(principal: Principal, organizationId: string): Promise<OrganizationGrant | null>;
}

/** The default: what the access token carries (no call to identity per request). */
export const accessFromClaims: AccessDirectory = {
  platformRolesOf: (principal) => Promise.resolve(principal.roles),
  membershipOf: (principal, organizationId) =>
    Promise.resolve(principal.organizations.find((grant) => grant.id === organizationId) ?? null),
};

/**
 * The principal with what the directory says now instead of its token's claims: its platform roles and (when
 * asked about one) its membership of one organization. For rules written against a Principal that must not
 * go by a token issued before a revocation, e.g. who may change where a payee's money goes.
 */
export async function currentPrincipal(
  directory: AccessDirectory,
  principal: Principal,
  organizationId?: string,
): Promise<Principal> {
  const [roles, membership] = await Promise.all([
    directory.platformRolesOf(principal),
    organizationId === undefined ? Promise.resolve(null) : directory.membershipOf(principal, organizationId),
  ]);
  return { ...principal, roles: [...roles], organizations: membership ? [membership] : [] };
}
