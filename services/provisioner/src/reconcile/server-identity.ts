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
/** Which rollout of the app a server runs (Hetzner label; DigitalOcean tag `onecommons-generation:<n>`). */
export const GENERATION_LABEL = 'onecommons.org/generation';
export const GENERATION_TAG_PREFIX = 'onecommons-generation:';

/**
 * The server of one generation of the deployment: the first keeps the deployment's name (servers made before
 * generations are the first), each later one gets a name of its own, so old and new can exist side by side.
 */
export function generationServerOf(identity: ServerIdentity, generation: number): ServerIdentity {
  return {
    name: generation === 1 ? identity.name : `${identity.name}-g${generation}`,
    labels: { ...identity.labels, [GENERATION_LABEL]: String(generation) },
    tags: [...identity.tags, `${GENERATION_TAG_PREFIX}${generation}`],
  };
}

/** The generation a server of ours runs; one without the mark was made before generations, by the first. */
export function generationOf(server: { readonly labels: Readonly<Record<string, string>> }): number {
  const marked = Number(server.labels[GENERATION_LABEL] ?? '1');
  return Number.isInteger(marked) && marked >= 1 ? marked : 1;
}

/** Which of the deployment's volumes a provider volume is (Hetzner label; DigitalOcean: its name's suffix). */
export const VOLUME_LABEL = 'onecommons.org/volume';

/** A volume's name at the provider: the server's name and the deployment's name for it (at most 60 characters). */
export const volumeNameOf = (identity: ServerIdentity, volume: string) => `${identity.name}-${volume}`;

/** The deployment's name for a provider volume of ours, or null if the name is not one of ours. */
export function volumeOfName(identity: ServerIdentity, providerName: string): string | null {
  const prefix = `${identity.name}-`;
  return providerName.startsWith(prefix) ? providerName.slice(prefix.length) : null;
}

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
