import { containersOf } from './pod-rules.js';
import { at, named, type RenderedObject } from './rendered-overlay.js';

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly secretKeyRef?: { readonly name: string; readonly key: string; readonly optional?: boolean };
    readonly configMapKeyRef?: { readonly name: string; readonly key: string };
  };
}

interface EnvSource {
  readonly configMapRef?: { readonly name: string };
  readonly secretRef?: { readonly name: string };
}

/** What a container's environment will hold: values known from the manifests, and names a Secret must fill. */
export interface ContainerEnvironment {
  readonly values: ReadonlyMap<string, string>;
  /** Set from a Secret key the pod cannot start without (`optional` refs are not counted). */
  readonly fromSecrets: ReadonlySet<string>;
  /** Set on the container itself or from a ConfigMap of its own (not the platform-wide one). */
  readonly ownVariables: ReadonlySet<string>;
}

/** Whether the ConfigMap is `name`, or kustomize's generated `name-<hash>`. */
export const isGeneratedConfigMap = (configMap: RenderedObject, name: string) =>
  configMap.metadata.name === name || configMap.metadata.name.startsWith(`${name}-`);

/** The environment of a workload's first container, with ConfigMaps resolved from the rendered objects. */
export function environmentOf(
  objects: readonly RenderedObject[],
  workload: RenderedObject,
  sharedConfigMap: string,
): ContainerEnvironment {
  const container = containersOf(workload)[0] as { env?: EnvVar[]; envFrom?: EnvSource[] } | undefined;
  const values = new Map<string, string>();
  const fromSecrets = new Set<string>();
  const ownVariables = new Set<string>();
  for (const source of container?.envFrom ?? []) {
    if (!source.configMapRef) continue;
    const configMap = named(objects, 'ConfigMap', source.configMapRef.name);
    const shared = isGeneratedConfigMap(configMap, sharedConfigMap);
    for (const [name, value] of Object.entries(at<Record<string, string>>(configMap, 'data') ?? {})) {
      values.set(name, value);
      if (!shared) ownVariables.add(name);
    }
  }
  for (const variable of container?.env ?? []) {
    ownVariables.add(variable.name);
    const secret = variable.valueFrom?.secretKeyRef;
    const configMapKey = variable.valueFrom?.configMapKeyRef;
    if (variable.value !== undefined) values.set(variable.name, variable.value);
    else if (secret && secret.optional !== true) fromSecrets.add(variable.name);
    else if (configMapKey) {
      const data = at<Record<string, string>>(named(objects, 'ConfigMap', configMapKey.name), 'data') ?? {};
      const value = data[configMapKey.key];
      if (value !== undefined) values.set(variable.name, value);
    }
  }
  return { values, fromSecrets, ownVariables };
}
