import path from 'node:path';
import { GENERATE_COMMAND, staleManifests } from './generated-manifests.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

it('has the generated manifests committed as the code gives them now (services, topics, alert rules)', async () => {
  const stale = await staleManifests(REPO_ROOT);

  // On failure: `./dev build && ${GENERATE_COMMAND}`, then commit the files it wrote.
  expect({ stale, fix: GENERATE_COMMAND }).toEqual({ stale: [], fix: GENERATE_COMMAND });
});
