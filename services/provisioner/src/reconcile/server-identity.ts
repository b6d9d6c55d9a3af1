/**
 * How the provisioner recognises its own servers: a name and labels derived from the deployment id alone,
 * so that after a crash the next reconcile finds (and adopts) the server an earlier call may have made.
 */
export const MANAGED_BY = 'onecommons';

export interface ServerIdentity {
  /** Unique per deployment; Hetzner refuses a second server of one name in a project. */
  readonly name: string;
  /** Hetzner labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** DigitalOcean tags (DigitalOcean has no labels): the one to select by comes first. */
  readonly tags: readonly string[];
}

export const DEPLOYMENT_LABEL = 'onecommons.org/deployment';
export const SERVICE_LABEL = 'onecommons.org/service';
export const MANAGED_BY_LABEL = 'managed-by';

export function serverIdentityOf(deploymentId: string, serviceId: string): ServerIdentity {
  const deployment = deploymentId.toLowerCase();
  return {
    name: `oc-${deployment}`,
    labels: {
      [MANAGED_BY_LABEL]: MANAGED_BY,
      [DEPLOYMENT_LABEL]: deployment,
      [SERVICE_LABEL]: serviceId.toLowerCase(),
    },
    tags: [
      `onecommons-deployment:${deployment}`,
      `onecommons-service:${serviceId.toLowerCase()}`,
      MANAGED_BY,
    ],
  };
}

/** The Hetzner label selector of a deployment's servers. */
export const labelSelectorOf = (identity: ServerIdentity) =>
  Object.entries(identity.labels)
    .map(([key, value]) => `${key}==${value}`)
    .join(',');

/** Whether an observed server carries every mark of this deployment: only such a server is ever deleted. */
export function isOurs(
  identity: ServerIdentity,
  server: { readonly name: string; readonly labels: Readonly<Record<string, string>> },
): boolean {
  return Object.entries(identity.labels).every(([key, value]) => server.labels[key] === value);
}
