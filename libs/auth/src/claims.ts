import {
  type OrganizationGrant,
  ORGANIZATION_KINDS,
  ORGANIZATION_ROLES,
  PLATFORM_ROLES,
  type PlatformRole,
} from './access-token.js';

const isOneOf = <T extends string>(values: readonly T[], value: unknown): value is T =>
  typeof value === 'string' && (values as readonly string[]).includes(value);

/** The `roles` claim, keeping only roles this code knows (an unknown role grants nothing). */
export function platformRolesClaim(value: unknown): PlatformRole[] {
  return Array.isArray(value) ? value.filter((role) => isOneOf(PLATFORM_ROLES, role)) : [];
}

/** The `orgs` claim: `[{id, kind, role}]`; malformed entries grant nothing. */
export function organizationsClaim(value: unknown): OrganizationGrant[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { id, kind, role } = entry as Record<string, unknown>;
    if (typeof id !== 'string' || !isOneOf(ORGANIZATION_KINDS, kind) || !isOneOf(ORGANIZATION_ROLES, role))
      return [];
    return [{ id, kind, role }];
  });
}
