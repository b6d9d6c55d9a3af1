import { type ApiKeyScope } from '../api-key.js';
import { type OrganizationKind, type OrganizationRole, type PlatformRole } from '../access-token.js';

/** Who may call an endpoint. Every endpoint of a service declares one (the authorization matrix checks it). */
export type AccessPolicy =
  | { readonly kind: 'public' }
  | {
      readonly kind: 'account';
      /** A platform role the account must hold. */
      readonly platformRole?: PlatformRole;
      /** Object-level: the route parameter naming an organization the account must belong to. */
      readonly organization?: OrganizationRequirement;
      /** Object-level: the route parameter naming the only account (besides admins) allowed. */
      readonly selfParam?: string;
    }
  | { readonly kind: 'api_key'; readonly scope: ApiKeyScope | 'any' }
  /** An account acting on itself (or an admin), or a service's API key with the scope. */
  | { readonly kind: 'self_or_api_key'; readonly selfParam: string; readonly scope: ApiKeyScope }
  /** A platform admin (access token), or an organization's API key with the scope. */
  | { readonly kind: 'admin_or_api_key'; readonly scope: ApiKeyScope }
  /** Another platform service, holding the platform-internal credential (no account, no API key). */
  | { readonly kind: 'internal' };

export interface OrganizationRequirement {
  readonly param: string;
  /** Roles that pass; omitted: any member. */
  readonly roles?: readonly OrganizationRole[];
  /** Kinds of organization the endpoint is for; omitted: any. */
  readonly kinds?: readonly OrganizationKind[];
  /** Whether a platform admin passes without being a member (default true). */
  readonly admins?: boolean;
}

export const ACCESS_POLICY = Symbol('onecommons:access-policy');
