import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { eventCatalogue, WEBHOOK_DELIVERABLE_EVENTS } from '@onecommons/contracts';
import { readAudienceSources, readContractSources, SourceTree } from './contract-sources.js';
import { CONFIGURATION_PAGE_PATH, ENV_EXAMPLE_PATH, renderConfigurationPage } from './configuration-page.js';
import { renderEnvExample } from './env-example.js';
import { renderEventCataloguePage, EVENTS_PAGE_PATH } from './event-catalogue-page.js';
import { eventHandlersByContract } from './event-handlers.js';
import { MarkedSections } from './marked-sections.js';
import {
  EXAMPLE_INPUT_PATH,
  EXAMPLE_MARKER,
  EXAMPLE_TREASURY_PATH,
  MONEY_RULES_PAGE_PATH,
  renderWorkedExample,
} from './money-rules-example.js';
import { loadConfigReference } from './service-config-schemas.js';

/** A page of `docs/` (or `.env.example`) that is generated, wholly or in marked sections, from the code. */
export interface GeneratedPage {
  /** Repository-relative path. */
  readonly path: string;
  /** What the page must contain now, given what it contains (for pages generated only in part). */
  render(repositoryRoot: string, current: string): string | Promise<string>;
}

export const EVENTS_PAGE: GeneratedPage = {
  path: EVENTS_PAGE_PATH,
  render: (root) => {
    const contractSources = new SourceTree(root, 'libs/contracts/src');
    return renderEventCataloguePage({
      catalogue: eventCatalogue,
      deliverable: WEBHOOK_DELIVERABLE_EVENTS,
      sources: readContractSources(contractSources),
      audiences: readAudienceSources(contractSources),
      handlers: eventHandlersByContract(root),
    });
  },
};

export const MONEY_RULES_PAGE: GeneratedPage = {
  path: MONEY_RULES_PAGE_PATH,
  render: (root, current) =>
    new MarkedSections(EXAMPLE_MARKER).replace(
      current,
      renderWorkedExample(readJson(root, EXAMPLE_INPUT_PATH), readJson(root, EXAMPLE_TREASURY_PATH)),
    ),
};

export const CONFIGURATION_PAGE: GeneratedPage = {
  path: CONFIGURATION_PAGE_PATH,
  render: async (root) => renderConfigurationPage(await loadConfigReference(root)),
};

export const ENV_EXAMPLE: GeneratedPage = {
  path: ENV_EXAMPLE_PATH,
  render: async (root) => renderEnvExample(await loadConfigReference(root)),
};

/** The repository root: the nearest folder above `start` with `tsconfig.base.json`. */
export function repositoryRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'tsconfig.base.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no tsconfig.base.json above ${start}`);
  }
}

/** The page's text as it is on disk, or '' when it does not exist yet. */
export function currentText(root: string, page: GeneratedPage): string {
  const file = path.join(root, page.path);
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** The first line where two texts differ, for a failure message a person can act on. */
export function firstDifference(current: string, wanted: string): string {
  const have = current.split('\n');
  const want = wanted.split('\n');
  const line = want.findIndex((text, index) => have[index] !== text);
  const at = line === -1 ? want.length : line;
  return `line ${at + 1}:\n  on disk:   ${have[at] ?? '(end of file)'}\n  generated: ${want[at] ?? '(end of file)'}`;
}

function readJson(root: string, file: string): unknown {
  return JSON.parse(readFileSync(path.join(root, file), 'utf8')) as unknown;
}
