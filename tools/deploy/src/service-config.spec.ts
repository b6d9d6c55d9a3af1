import path from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '@onecommons/contracts';
import { migrationConfigShape } from '@onecommons/persistence';
import { type z } from 'zod';
import { environmentOf } from './container-environment.js';
import { at, named, ofKind, overlayNames, renderOverlay } from './rendered-overlay.js';
import { PLATFORM_CONFIG } from './service-deployments.js';

// Each service checks its environment with a zod schema at boot (services/*/src/config.ts); a variable the
// manifests forget stops the pod with exit 78. These tests hold every overlay to the schemas themselves.

type Shape = Readonly<Record<string, z.ZodType>>;

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const overlays = overlayNames(REPO_ROOT);
const rendered = new Map(overlays.map((overlay) => [overlay, renderOverlay(REPO_ROOT, overlay)]));
const shapes = new Map<ServiceName, Shape>();

/** Read at run time: a tool may not import a service (module boundaries), but a test may read its schema. */
async function configShapeOf(service: ServiceName): Promise<Shape> {
  const file = path.join(REPO_ROOT, 'services', service, 'src', 'config.ts');
  const module = (await import(file)) as Record<string, { shape?: Shape } | undefined>;
  const shape = module[`${service}ConfigSchema`]?.shape;
  if (!shape) throw new Error(`${file} exports no ${service}ConfigSchema object schema`);
  return shape;
}

const shapeOf = (service: ServiceName): Shape => {
  const shape = shapes.get(service);
  if (!shape) throw new Error(`no config schema loaded for ${service}`);
  return shape;
};

/** Required = the schema refuses the variable's absence: no default, not optional. */
const requiredVariables = (shape: Shape) =>
  Object.keys(shape)
    .filter((name) => !shape[name]?.safeParse(undefined).success)
    .sort();

beforeAll(async () => {
  for (const service of SERVICE_NAMES) shapes.set(service, await configShapeOf(service));
});

it('reads required variables from the schemas (the premise of the checks below)', () => {
  expect(requiredVariables(shapeOf('payouts'))).toEqual(
    expect.arrayContaining(['DATABASE_URL', 'KAFKA_BROKERS', 'REDIS_URL', 'STRIPE_SECRET_KEY', 'HTTP_PORT']),
  );
  expect(requiredVariables(shapeOf('payouts'))).not.toContain('LOG_LEVEL');
});

describe.each(overlays)('overlay %s', (overlay) => {
  const objects = rendered.get(overlay) ?? [];

  describe.each(SERVICE_NAMES)('%s', (service) => {
    const environment = () => environmentOf(objects, named(objects, 'Deployment', service), PLATFORM_CONFIG);

    it('sets every variable its config schema requires, from ConfigMaps or Secrets', () => {
      const { values, fromSecrets } = environment();
      const missing = requiredVariables(shapeOf(service)).filter(
        (name) => !values.has(name) && !fromSecrets.has(name),
      );

      expect(missing).toEqual([]);
    });

    it('sets no variable of its own that its schema does not know (a misspelt name is ignored at boot)', () => {
      const shape = shapeOf(service);

      expect([...environment().ownVariables].filter((name) => !(name in shape))).toEqual([]);
    });

    it('gives every variable it knows a value its schema accepts', () => {
      const shape = shapeOf(service);
      const refused = [...environment().values]
        .filter(([name, value]) => shape[name] && !shape[name].safeParse(value).success)
        .map(([name, value]) => `${name}=${value}`);

      expect(refused).toEqual([]);
    });

    it('gives its migration Job what `migrate` requires', () => {
      const { values, fromSecrets } = environmentOf(
        objects,
        named(objects, 'Job', `${service}-migrate`),
        PLATFORM_CONFIG,
      );
      const missing = requiredVariables(migrationConfigShape).filter(
        (name) => !values.has(name) && !fromSecrets.has(name),
      );

      expect(missing).toEqual([]);
    });
  });

  it('keeps in the platform ConfigMap only variables some service reads', () => {
    const [platform] = ofKind(objects, 'ConfigMap').filter((configMap) =>
      configMap.metadata.name.startsWith(`${PLATFORM_CONFIG}-`),
    );
    const known = new Set(SERVICE_NAMES.flatMap((service) => Object.keys(shapeOf(service))));

    expect(platform).toBeDefined();
    expect(
      Object.keys(at<Record<string, string>>(platform, 'data') ?? {}).filter((name) => !known.has(name)),
    ).toEqual([]);
  });
});
