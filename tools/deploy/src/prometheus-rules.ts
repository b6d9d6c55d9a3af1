import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { type KubernetesObject, PART_OF } from './service-resources.js';

export const RULES_DIR = 'deploy/prometheus/rules';

/**
 * One PrometheusRule per rules file of deploy/prometheus (the docker-compose Prometheus loads the same
 * files): the groups as they are, so an alert has one source.
 */
export function prometheusRuleResources(repoRoot: string): KubernetesObject[] {
  const dir = path.join(repoRoot, RULES_DIR);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yml'))
    .sort()
    .map((file) => {
      const { groups } = parse(readFileSync(path.join(dir, file), 'utf8')) as { groups: unknown[] };
      return {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: `onecommons-${path.basename(file, '.yml')}`, labels: { ...PART_OF } },
        spec: { groups },
      };
    });
}
