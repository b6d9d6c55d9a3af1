import { ORGANIZATION_ROLES, type OrganizationKind, type OrganizationRole } from '@onecommons/auth';
import { z } from 'zod';

export const createInvitationSchema = z.strictObject({
  /** By account id: the API never looks accounts up by email. */
  accountId: z.uuid({ error: 'must be an account id (UUID)' }),
  role: z.enum(ORGANIZATION_ROLES, { error: `must be one of ${ORGANIZATION_ROLES.join(', ')}` }),
});
export type CreateInvitationDto = z.output<typeof createInvitationSchema>;

export const INVITATION_STATES = ['pending', 'accepted', 'declined', 'cancelled'] as const;
export type InvitationState = (typeof INVITATION_STATES)[number];

export interface InvitationDto {
  readonly id: string;
  readonly organizationId: string;
  readonly organizationName: string;
  readonly organizationKind: OrganizationKind;
  readonly accountId: string;
  readonly role: OrganizationRole;
  readonly invitedBy: string;
  readonly createdAt: string;
  readonly state: InvitationState;
  readonly decidedAt: string | null;
}
