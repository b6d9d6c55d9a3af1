import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';

export const DEPLOYMENT_PHASES = [
  'Pending',
  'Provisioning',
  'Running',
  'Failed',
  'Deleting',
  'Absent',
] as const;
export type DeploymentPhase = (typeof DEPLOYMENT_PHASES)[number];

/**
 * A deployment (a service on a provider account, with a size) changed phase or readiness. Carries the
 * deployment's whole status, so the newest event per deployment is its current state.
 */
export const DeploymentStatusChangedV1 = defineEvent({
  type: 'onecommons.provisioner.deployment.status-changed.v1',
  topic: TOPICS.provisionerEvents.name,
  description: 'A deployment of a service onto a provider changed phase or readiness.',
  schema: z.object({
    deploymentId: z.uuid(),
    serviceId: z.uuid(),
    operatorId: z.uuid(),
    /** The provider organization, the payee of the provider share. */
    providerId: z.uuid(),
    providerAccountId: z.uuid(),
    region: z.string(),
    size: z.string(),
    desired: z.enum(['present', 'absent']),
    phase: z.enum(DEPLOYMENT_PHASES),
    ready: z.enum(['True', 'False', 'Unknown']),
    reason: z.string(),
    changedAt: z.iso.datetime(),
  }),
  subjectOf: (data) => data.deploymentId,
});
