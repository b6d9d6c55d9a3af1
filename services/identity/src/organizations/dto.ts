import {
  ORGANIZATION_KINDS,
  ORGANIZATION_ROLES,
  type OrganizationKind,
  type OrganizationRole,
} from '@onecommons/auth';
import { z } from 'zod';

export const createOrganizationSchema = z.strictObject({
  name: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(100, { error: 'must be at most 100 characters' }),
  kind: z.enum(ORGANIZATION_KINDS, { error: `must be one of ${ORGANIZATION_KINDS.join(', ')}` }),
});
export type CreateOrganizationDto = z.output<typeof createOrganizationSchema>;

export const setMemberSchema = z.strictObject({
  role: z.enum(ORGANIZATION_ROLES, { error: `must be one of ${ORGANIZATION_ROLES.join(', ')}` }),
});
export type SetMemberDto = z.output<typeof setMemberSchema>;

export interface OrganizationDto {
  readonly id: string;
  readonly name: string;
  readonly kind: OrganizationKind;
  readonly createdBy: string;
  readonly createdAt: string;
  /** The caller's role in it; null when the caller sees it as a platform admin without being a member. */
  readonly role: OrganizationRole | null;
}

export interface MemberDto {
  readonly accountId: string;
  readonly role: OrganizationRole;
  readonly grantedBy: string | null;
  readonly grantedAt: string;
}
