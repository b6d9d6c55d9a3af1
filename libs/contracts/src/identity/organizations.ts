import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';

const organizationKind = z.enum(['developer', 'operator', 'provider', 'partner']);

export const OrganizationCreatedV1 = defineEvent({
  type: 'onecommons.identity.organization.created.v1',
  topic: TOPICS.identityEvents.name,
  description: 'An organization was created; its creator is its first owner (a role.granted event follows).',
  schema: z.object({
    organizationId: z.uuid(),
    name: z.string().min(1),
    kind: organizationKind,
    createdBy: z.uuid(),
    createdAt: z.iso.datetime(),
  }),
  subjectOf: (data) => data.organizationId,
});

/**
 * A role was granted: `organizationId` set for an organization role (owner, member; a new role replaces
 * the account's previous one there), null for a platform role (admin).
 */
export const RoleGrantedV1 = defineEvent({
  type: 'onecommons.identity.role.granted.v1',
  topic: TOPICS.identityEvents.name,
  description: 'An account was given an organization role (owner, member) or a platform role (admin).',
  schema: z.object({
    accountId: z.uuid(),
    organizationId: z.uuid().nullable(),
    organizationKind: organizationKind.nullable(),
    role: z.enum(['owner', 'member', 'admin']),
    grantedBy: z.uuid().nullable(),
    grantedAt: z.iso.datetime(),
  }),
  // Keyed by the organization so its membership history stays in order; platform roles by the account.
  subjectOf: (data) => data.organizationId ?? data.accountId,
});

export const RoleRevokedV1 = defineEvent({
  type: 'onecommons.identity.role.revoked.v1',
  topic: TOPICS.identityEvents.name,
  description: 'An account lost its role in an organization (it left or was removed) or a platform role.',
  schema: z.object({
    accountId: z.uuid(),
    organizationId: z.uuid().nullable(),
    role: z.enum(['owner', 'member', 'admin']),
    revokedBy: z.uuid().nullable(),
    revokedAt: z.iso.datetime(),
  }),
  subjectOf: (data) => data.organizationId ?? data.accountId,
});

const apiKeyFacts = {
  keyId: z.uuid(),
  organizationId: z.uuid(),
};

export const ApiKeyCreatedV1 = defineEvent({
  type: 'onecommons.identity.api-key.created.v1',
  topic: TOPICS.identityEvents.name,
  description: 'An organization created an API key (the key itself and its hash never leave identity).',
  schema: z.object({
    ...apiKeyFacts,
    name: z.string(),
    scopes: z.array(z.string()),
    serviceId: z.uuid().nullable(),
    createdBy: z.uuid(),
    createdAt: z.iso.datetime(),
  }),
  subjectOf: (data) => data.organizationId,
});

export const ApiKeyRevokedV1 = defineEvent({
  type: 'onecommons.identity.api-key.revoked.v1',
  topic: TOPICS.identityEvents.name,
  description: 'An API key was revoked; identity refuses it from this moment.',
  schema: z.object({ ...apiKeyFacts, revokedBy: z.uuid(), revokedAt: z.iso.datetime() }),
  subjectOf: (data) => data.organizationId,
});
