import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { allTopicNamesWithDlq, SERVICE_NAMES } from '@onecommons/contracts';
import { platformTopicCatalogue, topicSettingsFromEnvironment } from '@onecommons/kafka';
import { isGeneratedConfigMap } from './container-environment.js';
import { schemaErrorsOf } from './kubernetes-schemas.js';
import {
  egressReaches,
  egressRulesFor,
  ingressAdmitsPods,
  ingressRulesFor,
  isRestricted,
  peersAllowedOn,
} from './network-rules.js';
import { containersOf, podRuleViolations, probeViolations } from './pod-rules.js';
import { PLATFORM_CONFIG } from './service-deployments.js';
import { at, named, ofKind, overlayNames, renderOverlay, type RenderedObject } from './rendered-overlay.js';

// Renders every overlay with `kubectl kustomize` and checks what a cluster would get.

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const overlays = overlayNames(REPO_ROOT);
const rendered = new Map(overlays.map((overlay) => [overlay, renderOverlay(REPO_ROOT, overlay)]));
const objectsOf = (overlay: string): RenderedObject[] => rendered.get(overlay) ?? [];

const podLabelsOf = (workload: RenderedObject) =>
  at<Record<string, string>>(workload, 'spec.template.metadata.labels') ?? {};

/** `onecommons-metering` → `onecommons-<service>`, as the guide's table names the per-service Secrets. */
const genericSecretName = (name: string) =>
  SERVICE_NAMES.reduce(
    (generic, service) => generic.replace(`onecommons-${service}`, 'onecommons-<service>'),
    name,
  );

const byName = (a: { name?: string }, b: { name?: string }) => (a.name ?? '').localeCompare(b.name ?? '');

const envOf = (workload: RenderedObject) =>
  containersOf(workload).flatMap(
    (container) => (container as { env?: { name: string; value?: string }[] }).env ?? [],
  );

it('has the overlays the deployment guide describes', () => {
  expect(overlays).toEqual(expect.arrayContaining(['local', 'production']));
});

describe.each(overlays)('overlay %s', (overlay) => {
  const objects = objectsOf(overlay);
  const workloads = [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'Job')];

  it('validates every object against the OpenAPI schema of its kind', async () => {
    const errors = (await Promise.all(objects.map(schemaErrorsOf))).filter((error) => error !== '');

    expect(objects.length).toBeGreaterThan(50);
    expect(errors).toEqual([]);
  });

  it('runs every pod non-root, read-only, unprivileged, with CPU and memory requests and limits', () => {
    expect(workloads.flatMap(podRuleViolations)).toEqual([]);
  });

  it('gives every Deployment liveness and readiness probes', () => {
    expect(ofKind(objects, 'Deployment').flatMap(probeViolations)).toEqual([]);
  });

  it('puts every object in one namespace', () => {
    const namespaces = new Set(
      objects
        .filter((object) => object.kind !== 'Namespace')
        .map((object) => at<string>(object, 'metadata.namespace')),
    );

    expect([...namespaces]).toEqual(['onecommons']);
  });

  describe.each(SERVICE_NAMES)('%s', (service) => {
    const deployment = () => named(objects, 'Deployment', service);

    it('has a Deployment probing /health/live and /health/ready on the port of its HTTP_PORT', () => {
      const [container] = containersOf(deployment());
      const port = Number(envOf(deployment()).find((variable) => variable.name === 'HTTP_PORT')?.value);

      expect(container).toMatchObject({
        ports: [{ name: 'http', containerPort: port }],
        livenessProbe: { httpGet: { path: '/health/live', port: 'http' } },
        readinessProbe: { httpGet: { path: '/health/ready', port: 'http' } },
      });
    });

    it('has a Service, a PodDisruptionBudget and an HorizontalPodAutoscaler for those pods', () => {
      const labels = podLabelsOf(deployment());

      expect(at(named(objects, 'Service', service), 'spec.selector')).toEqual(labels);
      expect(at(named(objects, 'PodDisruptionBudget', service), 'spec.selector.matchLabels')).toEqual(labels);
      expect(at(named(objects, 'HorizontalPodAutoscaler', service), 'spec.scaleTargetRef')).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: service,
      });
    });

    it('has a migration Job running the same image', () => {
      const [migration] = containersOf(named(objects, 'Job', `${service}-migrate`));

      expect(migration?.image).toBe(containersOf(deployment())[0]?.image);
      expect(migration).toMatchObject({ command: ['node', 'service/migrate.js'] });
    });

    it('is reached only by the gateway and the monitoring namespace (and, for identity, the services)', () => {
      const labels = podLabelsOf(deployment());
      const port = Number(envOf(deployment()).find((variable) => variable.name === 'HTTP_PORT')?.value);
      const allowed = [
        'pods component=gateway,part-of=onecommons',
        'namespace kubernetes.io/metadata.name=monitoring',
        ...(service === 'identity' ? ['pods component=service,part-of=onecommons'] : []),
      ];

      const rules = ingressRulesFor(objects, labels);

      expect(isRestricted(objects, labels, 'Ingress')).toBe(true);
      expect(peersAllowedOn(rules, port).sort()).toEqual(allowed.sort());
      expect(ingressAdmitsPods(rules, podLabelsOf(named(objects, 'Deployment', 'gateway')), port)).toBe(true);
    });

    it('reaches Postgres, Redis and Kafka', () => {
      const egress = egressRulesFor(objects, podLabelsOf(deployment()));
      const kafka = ofKind(objects, 'Kafka')[0]?.metadata.name ?? '';
      const postgres = ofKind(objects, 'Cluster')[0]?.metadata.name ?? '';

      expect(isRestricted(objects, podLabelsOf(deployment()), 'Egress')).toBe(true);
      expect(egressReaches(egress, { 'cnpg.io/cluster': postgres }, 5432)).toBe(true);
      expect(egressReaches(egress, podLabelsOf(named(objects, 'Deployment', 'redis')), 6379)).toBe(true);
      expect(egressReaches(egress, { 'strimzi.io/cluster': kafka, 'strimzi.io/kind': 'Kafka' }, 9092)).toBe(
        true,
      );
    });
  });

  it('sets every variable of the gateway template on the gateway (the nginx image renders it with envsubst)', () => {
    const template = readFileSync(
      path.join(REPO_ROOT, 'deploy/gateway/templates/default.conf.template'),
      'utf8',
    );
    const used = new Set([...template.matchAll(/\$\{([A-Z_]+)\}/g)].map((match) => match[1]));
    const set = new Set(envOf(named(objects, 'Deployment', 'gateway')).map((variable) => variable.name));

    expect(used.size).toBeGreaterThan(0);
    expect([...used].filter((name) => !set.has(name as string))).toEqual([]);
  });

  it('names every Secret and key its pods read in docs/deploy/kubernetes.md', () => {
    const guide = readFileSync(path.join(REPO_ROOT, 'docs/deploy/kubernetes.md'), 'utf8');
    const references = workloads.flatMap((workload) =>
      containersOf(workload).flatMap((container) =>
        (
          (container as { env?: { valueFrom?: { secretKeyRef?: { name: string; key: string } } }[] }).env ??
          []
        )
          .map((variable) => variable.valueFrom?.secretKeyRef)
          .filter((reference) => reference !== undefined),
      ),
    );
    const undocumented = references
      .filter(
        (reference) =>
          !guide.includes(`\`${reference.key}\``) ||
          !(
            guide.includes(`\`${reference.name}\``) ||
            guide.includes(`\`${genericSecretName(reference.name)}\``)
          ),
      )
      .map((reference) => `${reference.name}/${reference.key}`);

    expect(references.length).toBeGreaterThan(0);
    expect([...new Set(undocumented)]).toEqual([]);
  });

  it('has a KafkaTopic for each topic of the catalogue and its dead-letter twin, on the Kafka cluster', () => {
    const topics = ofKind(objects, 'KafkaTopic');
    const [kafka] = ofKind(objects, 'Kafka');

    expect(topics.map((topic) => at<string>(topic, 'spec.topicName')).sort()).toEqual(
      allTopicNamesWithDlq().sort(),
    );
    expect(new Set(topics.map((topic) => topic.metadata.labels?.['strimzi.io/cluster']))).toEqual(
      new Set([kafka?.metadata.name]),
    );
  });

  it('declares each KafkaTopic as a service would create it from the platform ConfigMap', () => {
    const settings = topicSettingsFromEnvironment(
      at<Record<string, string>>(
        ofKind(objects, 'ConfigMap').find((map) =>
          isGeneratedConfigMap(map, PLATFORM_CONFIG),
        ) as RenderedObject,
        'data',
      ),
    );
    const declared = ofKind(objects, 'KafkaTopic').map((topic) => ({
      name: at<string>(topic, 'spec.topicName'),
      partitions: at<number>(topic, 'spec.partitions'),
      replicationFactor: at<number>(topic, 'spec.replicas'),
      config: at<Record<string, string>>(topic, 'spec.config'),
    }));
    const created = platformTopicCatalogue(settings).map((spec) => ({
      name: spec.name,
      partitions: spec.partitions,
      replicationFactor: spec.replicationFactor,
      config: expect.objectContaining(spec.configEntries),
    }));

    expect(declared.sort(byName)).toEqual(created.sort(byName));
  });

  it('ships every Grafana dashboard and a PrometheusRule per rules file of deploy/prometheus', () => {
    const dashboards = readdirSync(path.join(REPO_ROOT, 'deploy/grafana/dashboards')).sort();
    const rules = readdirSync(path.join(REPO_ROOT, 'deploy/prometheus/rules'))
      .filter((file) => file.endsWith('.yml'))
      .map((file) => `onecommons-${path.basename(file, '.yml')}`);

    expect(Object.keys(at(named(objects, 'ConfigMap', 'grafana-dashboards'), 'data') ?? {}).sort()).toEqual(
      dashboards,
    );
    expect(
      ofKind(objects, 'PrometheusRule')
        .map((rule) => rule.metadata.name)
        .sort(),
    ).toEqual(rules.sort());
  });
});

describe('overlay production', () => {
  const objects = objectsOf('production');

  it('runs three Kafka brokers, writes to two of three replicas, and at least three replicas of each service', () => {
    const replicas = ofKind(objects, 'KafkaNodePool').reduce(
      (sum, pool) => sum + (at<number>(pool, 'spec.replicas') ?? 0),
      0,
    );
    const topicReplicas = new Set(ofKind(objects, 'KafkaTopic').map((topic) => at(topic, 'spec.replicas')));
    const minInSync = new Set(
      ofKind(objects, 'KafkaTopic').map(
        (topic) => at<Record<string, string>>(topic, 'spec.config')?.['min.insync.replicas'],
      ),
    );

    expect(replicas).toBe(3);
    expect(at(ofKind(objects, 'Kafka')[0], 'spec.kafka.config')).toMatchObject({
      'min.insync.replicas': 2,
      'default.replication.factor': 3,
    });
    expect([...topicReplicas]).toEqual([3]);
    expect([...minInSync]).toEqual(['2']);
    for (const service of SERVICE_NAMES)
      expect(
        at<number>(named(objects, 'HorizontalPodAutoscaler', service), 'spec.minReplicas'),
      ).toBeGreaterThanOrEqual(3);
  });
});
