import { at, type RenderedObject } from './rendered-overlay.js';

interface Container {
  readonly name: string;
  readonly image?: string;
  readonly securityContext?: {
    readonly allowPrivilegeEscalation?: boolean;
    readonly readOnlyRootFilesystem?: boolean;
    readonly capabilities?: { readonly drop?: readonly string[] };
    readonly runAsNonRoot?: boolean;
  };
  readonly resources?: {
    readonly requests?: Record<string, string>;
    readonly limits?: Record<string, string>;
  };
  readonly livenessProbe?: unknown;
  readonly readinessProbe?: unknown;
}

export const containersOf = (workload: RenderedObject): Container[] =>
  at<Container[]>(workload, 'spec.template.spec.containers') ?? [];

/**
 * What a Deployment's or Job's pod does against the platform's rules: non-root, read-only root filesystem,
 * no privilege escalation, every capability dropped, CPU and memory requested and limited.
 */
export function podRuleViolations(workload: RenderedObject): string[] {
  const owner = `${workload.kind} ${workload.metadata.name}`;
  const podNonRoot = at<boolean>(workload, 'spec.template.spec.securityContext.runAsNonRoot');
  return containersOf(workload).flatMap((container) => {
    const where = `${owner}/${container.name}`;
    const context = container.securityContext ?? {};
    const violations: string[] = [];
    if (podNonRoot !== true && context.runAsNonRoot !== true) violations.push(`${where}: may run as root`);
    if (context.readOnlyRootFilesystem !== true) violations.push(`${where}: writable root filesystem`);
    if (context.allowPrivilegeEscalation !== false) violations.push(`${where}: privilege escalation allowed`);
    if (!context.capabilities?.drop?.includes('ALL'))
      violations.push(`${where}: capabilities not all dropped`);
    for (const kind of ['requests', 'limits'] as const)
      for (const resource of ['cpu', 'memory'])
        if (!container.resources?.[kind]?.[resource]) violations.push(`${where}: no ${resource} ${kind}`);
    return violations;
  });
}

/** Long-running containers must say when they are alive and when they take traffic. */
export function probeViolations(deployment: RenderedObject): string[] {
  return containersOf(deployment).flatMap((container) => [
    ...(container.livenessProbe
      ? []
      : [`Deployment ${deployment.metadata.name}/${container.name}: no liveness probe`]),
    ...(container.readinessProbe
      ? []
      : [`Deployment ${deployment.metadata.name}/${container.name}: no readiness probe`]),
  ]);
}
