import {
  type ContainerSize,
  INTERNAL_API_SECRET,
  PLATFORM_CONFIG,
  type ServiceDeployment,
  serviceConfigName,
  serviceSecretName,
} from './service-deployments.js';

/** A Kubernetes object as plain data, in the order its YAML is written. */
export type KubernetesObject = Readonly<Record<string, unknown>>;

export const PART_OF = { 'app.kubernetes.io/part-of': 'onecommons' } as const;

/** Pods of the platform's services, migrations and gateway, for selectors and NetworkPolicies. */
export const COMPONENT = { service: 'service', migration: 'migration', gateway: 'gateway' } as const;

function labelsOf(name: string, component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': component, ...PART_OF };
}

/** The image of every service is one Dockerfile built with `--build-arg SERVICE`; overlays pin the tag. */
export const imageOf = (service: string) => `onecommons/${service}`;

const secretVariable = (name: string, secret: string, optional = false) => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key: name, ...(optional ? { optional: true } : {}) } },
});

/** Non-root, read-only, no privilege: the rules every container of the platform follows. */
export const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
} as const;

/** The node user of node:24-bookworm-slim (the Dockerfile's `USER 1000:1000`). */
export const NON_ROOT_POD = {
  runAsNonRoot: true,
  runAsUser: 1000,
  runAsGroup: 1000,
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

function resourcesOf(size: ContainerSize) {
  return {
    requests: { cpu: `${size.cpuRequestMillis}m`, memory: `${size.memoryRequestMiB}Mi` },
    limits: { cpu: `${size.cpuLimitMillis}m`, memory: `${size.memoryLimitMiB}Mi` },
  };
}

const TMP_VOLUME = { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } };
const TMP_MOUNT = { name: 'tmp', mountPath: '/tmp' };

const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
  httpGet: { path, port: 'http' },
  periodSeconds,
  timeoutSeconds: 5,
  failureThreshold,
});

/**
 * A pod of the platform: no API token, no service-link variables (every Service in the namespace would add
 * some, such as IDENTITY_PORT), non-root, and its one container read-only with a writable /tmp.
 */
function restrictedPodSpec(
  container: Readonly<Record<string, unknown>>,
  extra: Readonly<Record<string, unknown>> = {},
) {
  return {
    ...extra,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: NON_ROOT_POD,
    containers: [{ ...container, securityContext: RESTRICTED_CONTAINER, volumeMounts: [TMP_MOUNT] }],
    volumes: [TMP_VOLUME],
  };
}

function deployment(spec: ServiceDeployment): KubernetesObject {
  const { service, httpPort } = spec;
  const labels = labelsOf(service, COMPONENT.service);
  const container = {
    name: service,
    image: imageOf(service),
    ports: [{ name: 'http', containerPort: httpPort }],
    envFrom: [
      { configMapRef: { name: PLATFORM_CONFIG } },
      { configMapRef: { name: serviceConfigName(service) } },
    ],
    env: [
      { name: 'HTTP_PORT', value: String(httpPort) },
      secretVariable('DATABASE_URL', serviceSecretName(service)),
      secretVariable('INTERNAL_API_TOKEN', INTERNAL_API_SECRET),
      ...spec.secrets.map((variable) =>
        secretVariable(variable.name, serviceSecretName(service), variable.optional),
      ),
    ],
    // Boot (Kafka group join, schema checks) may take a while; liveness starts after it.
    startupProbe: probe('/health/live', 2, 60),
    livenessProbe: probe('/health/live', 10, 3),
    // Ready = Postgres, Kafka and Redis answer, and not draining: the Service stops sending then.
    readinessProbe: probe('/health/ready', 5, 3),
    resources: resourcesOf(spec.size),
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: service, labels },
    // No replica count: the HorizontalPodAutoscaler owns it, and `kubectl apply` would reset it on every run.
    spec: {
      revisionHistoryLimit: 5,
      selector: { matchLabels: labels },
      // A new pod is ready before an old one goes: the replicas never drop below the PDB's floor.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels },
        spec: restrictedPodSpec(container, {
          // The service drains within SHUTDOWN_TIMEOUT_MS (10 s by default) after SIGTERM.
          terminationGracePeriodSeconds: 30,
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: labels },
            },
          ],
        }),
      },
    },
  };
}

/** An object of a service's pods, named after the service, with the pods' labels. */
function ofServicePods(
  spec: ServiceDeployment,
  apiVersion: string,
  kind: string,
  body: Readonly<Record<string, unknown>>,
): KubernetesObject {
  return {
    apiVersion,
    kind,
    metadata: { name: spec.service, labels: labelsOf(spec.service, COMPONENT.service) },
    ...body,
  };
}

function service(spec: ServiceDeployment): KubernetesObject {
  return ofServicePods(spec, 'v1', 'Service', {
    spec: {
      selector: labelsOf(spec.service, COMPONENT.service),
      ports: [{ name: 'http', port: spec.httpPort, targetPort: 'http' }],
    },
  });
}

function podDisruptionBudget(spec: ServiceDeployment): KubernetesObject {
  return ofServicePods(spec, 'policy/v1', 'PodDisruptionBudget', {
    spec: { maxUnavailable: 1, selector: { matchLabels: labelsOf(spec.service, COMPONENT.service) } },
  });
}

function horizontalPodAutoscaler(spec: ServiceDeployment): KubernetesObject {
  return ofServicePods(spec, 'autoscaling/v2', 'HorizontalPodAutoscaler', {
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: spec.service },
      minReplicas: 2,
      // Not beyond the partitions of the topics the service consumes: an extra consumer would sit idle.
      maxReplicas: 6,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
      // Each scale-down costs a consumer-group rebalance: wait for the load to stay low.
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  });
}

const MIGRATION_SIZE: ContainerSize = {
  cpuRequestMillis: 100,
  cpuLimitMillis: 500,
  memoryRequestMiB: 192,
  memoryLimitMiB: 384,
};

/**
 * The schema migration, run to completion before the Deployment rolls out (docs/deploy/kubernetes.md):
 * `node service/migrate.js` as the database owner. Argo CD runs it as a pre-sync hook.
 */
function migrationJob(spec: ServiceDeployment): KubernetesObject {
  const labels = labelsOf(spec.service, COMPONENT.migration);
  const secret = serviceSecretName(spec.service);
  const container = {
    name: 'migrate',
    image: imageOf(spec.service),
    command: ['node', 'service/migrate.js'],
    env: [
      { name: 'NODE_ENV', value: 'production' },
      secretVariable('DATABASE_URL', secret),
      secretVariable('MIGRATIONS_DATABASE_URL', secret),
    ],
    resources: resourcesOf(MIGRATION_SIZE),
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${spec.service}-migrate`,
      labels,
      annotations: {
        'argocd.argoproj.io/hook': 'PreSync',
        'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      },
    },
    spec: {
      backoffLimit: 4,
      activeDeadlineSeconds: 900,
      template: { metadata: { labels }, spec: restrictedPodSpec(container, { restartPolicy: 'Never' }) },
    },
  };
}

/** The service's own settings; an overlay patches this ConfigMap to change them. */
function serviceConfig(spec: ServiceDeployment): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: serviceConfigName(spec.service), labels: labelsOf(spec.service, COMPONENT.service) },
    data: spec.config,
  };
}

/** Every object of one service, in the order `kubectl apply` should meet them. */
export function serviceResources(spec: ServiceDeployment): KubernetesObject[] {
  return [
    serviceConfig(spec),
    migrationJob(spec),
    deployment(spec),
    service(spec),
    podDisruptionBudget(spec),
    horizontalPodAutoscaler(spec),
  ];
}
