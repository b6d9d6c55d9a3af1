import { readFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { stringify } from 'yaml';
import { kafkaTopicResources, topicSettingsFileText } from './kafka-topics.js';
import { serviceNetworkPolicy } from './network-policies.js';
import { prometheusRuleResources, RULES_DIR } from './prometheus-rules.js';
import { SERVICE_DEPLOYMENTS } from './service-deployments.js';
import { type KubernetesObject, serviceResources } from './service-resources.js';

export const BASE_DIR = 'deploy/kubernetes/base';
export const GENERATE_COMMAND = 'node tools/deploy/dist/src/main.js';

/** A file of deploy/kubernetes/base that is written from the code, never by hand. */
export interface GeneratedManifest {
  readonly path: string;
  readonly text: string;
}

function manifestText(source: string, objects: readonly KubernetesObject[]): string {
  const header = `# Generated from ${source} by \`${GENERATE_COMMAND}\` (after ./dev build): do not edit.\n`;
  return (
    header +
    objects
      .map((object) => `---\n${stringify(object, { lineWidth: 0, aliasDuplicateObjects: false })}`)
      .join('')
  );
}

/** In the repository's own style, so `prettier --check .` and the freshness test agree. */
async function formatted(repoRoot: string, manifest: GeneratedManifest): Promise<GeneratedManifest> {
  if (!manifest.path.endsWith('.yaml')) return manifest;
  const file = path.join(repoRoot, manifest.path);
  const options = (await resolveConfig(file)) ?? {};
  return { path: manifest.path, text: await format(manifest.text, { ...options, filepath: file }) };
}

export async function generatedManifests(repoRoot: string): Promise<GeneratedManifest[]> {
  return Promise.all(unformattedManifests(repoRoot).map((manifest) => formatted(repoRoot, manifest)));
}

function unformattedManifests(repoRoot: string): GeneratedManifest[] {
  return [
    ...SERVICE_DEPLOYMENTS.map((spec) => ({
      path: `${BASE_DIR}/services/${spec.service}.yaml`,
      text: manifestText('tools/deploy/src/service-deployments.ts', [
        ...serviceResources(spec),
        serviceNetworkPolicy(spec),
      ]),
    })),
    {
      path: `${BASE_DIR}/kafka/topics.yaml`,
      text: manifestText(
        'the topic catalogue (libs/contracts/src/envelope/topics.ts)',
        kafkaTopicResources(),
      ),
    },
    {
      path: `${BASE_DIR}/kafka/topic-settings.env`,
      text:
        `# Generated from tools/deploy/src/kafka-topics.ts by \`${GENERATE_COMMAND}\` (after ./dev build): do not edit.\n` +
        topicSettingsFileText(),
    },
    {
      path: `${BASE_DIR}/monitoring/prometheus-rules.yaml`,
      text: manifestText(RULES_DIR, prometheusRuleResources(repoRoot)),
    },
  ];
}

/** The generated files whose committed text differs from what the code gives now. */
export async function staleManifests(repoRoot: string): Promise<string[]> {
  return (await generatedManifests(repoRoot))
    .filter((manifest) => {
      try {
        return readFileSync(path.join(repoRoot, manifest.path), 'utf8') !== manifest.text;
      } catch {
        return true;
      }
    })
    .map((manifest) => manifest.path);
}
