import { SERVICE_DEPLOYMENTS, type ServiceDeployment } from './service-deployments.js';
import { COMPONENT, type KubernetesObject, PART_OF } from './service-resources.js';

/** The namespace the monitoring stack (Prometheus) runs in; it scrapes /metrics on each service's port. */
export const MONITORING_NAMESPACE = 'monitoring';
export const POSTGRES_CLUSTER = 'onecommons-postgres';
export const KAFKA_CLUSTER = 'onecommons';

const podsOf = (component: string) => ({
  podSelector: { matchLabels: { 'app.kubernetes.io/component': component, ...PART_OF } },
});

/** Egress every platform pod needs: cluster DNS and the datastores. */
export const DNS_EGRESS = {
  to: [
    {
      namespaceSelector: {},
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    },
  ],
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};

export const POSTGRES_EGRESS = {
  to: [{ podSelector: { matchLabels: { 'cnpg.io/cluster': POSTGRES_CLUSTER } } }],
  ports: [{ protocol: 'TCP', port: 5432 }],
};

/** Public addresses only: no private ranges, no cloud metadata endpoint (169.254.169.254). */
const PUBLIC_INTERNET = {
  ipBlock: {
    cidr: '0.0.0.0/0',
    except: [
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
      '100.64.0.0/10',
      '169.254.0.0/16',
      '127.0.0.0/8',
    ],
  },
};

/** Identity also submits mail to an SMTP server (submission 587 with STARTTLS, or 465 with TLS). */
const SMTP_SUBMISSION_PORTS = [587, 465];

function internetEgress(spec: ServiceDeployment) {
  if (!spec.reachesInternet) return [];
  // Partners' webhook endpoints may listen on any port; Stripe and the cloud APIs are HTTPS.
  if (spec.service === 'webhooks') return [{ to: [PUBLIC_INTERNET] }];
  const ports = [443, ...(spec.service === 'identity' ? SMTP_SUBMISSION_PORTS : [])];
  return [{ to: [PUBLIC_INTERNET], ports: ports.map((port) => ({ protocol: 'TCP', port })) }];
}

const IDENTITY_PORT = SERVICE_DEPLOYMENTS.find((spec) => spec.service === 'identity')?.httpPort;

/**
 * Who may reach a service's one port (its API, /health and /metrics): the gateway, Prometheus from the
 * monitoring namespace, and for identity the other services (JWKS, API-key introspection, live access).
 * What it may reach: DNS, Postgres, Redis, Kafka, identity, and the internet where it must.
 */
export function serviceNetworkPolicy(spec: ServiceDeployment): KubernetesObject {
  const port = [{ protocol: 'TCP', port: spec.httpPort }];
  const from = [
    podsOf(COMPONENT.gateway),
    { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': MONITORING_NAMESPACE } } },
    ...(spec.service === 'identity' ? [podsOf(COMPONENT.service)] : []),
  ];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: spec.service, labels: { 'app.kubernetes.io/name': spec.service, ...PART_OF } },
    spec: {
      podSelector: {
        matchLabels: {
          'app.kubernetes.io/name': spec.service,
          'app.kubernetes.io/component': COMPONENT.service,
        },
      },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from, ports: port }],
      egress: [
        DNS_EGRESS,
        POSTGRES_EGRESS,
        {
          to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'redis', ...PART_OF } } }],
          ports: [{ protocol: 'TCP', port: 6379 }],
        },
        {
          to: [
            {
              podSelector: {
                matchLabels: { 'strimzi.io/cluster': KAFKA_CLUSTER, 'strimzi.io/kind': 'Kafka' },
              },
            },
          ],
          ports: [{ protocol: 'TCP', port: 9092 }],
        },
        {
          to: [
            {
              podSelector: {
                matchLabels: {
                  'app.kubernetes.io/name': 'identity',
                  'app.kubernetes.io/component': COMPONENT.service,
                },
              },
            },
          ],
          ports: [{ protocol: 'TCP', port: IDENTITY_PORT }],
        },
        ...internetEgress(spec),
      ],
    },
  };
}
