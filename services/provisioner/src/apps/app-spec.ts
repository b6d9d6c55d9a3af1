import { z } from 'zod';

/**
 * What a deployment runs: an OCI image at a version, the port it listens on inside its container and the path
 * that answers 2xx once it serves. The server publishes it on the service's domain over HTTPS.
 */
export const appSpecSchema = z.strictObject({
  image: z
    .string({ error: 'must be an image reference without tag, e.g. ghcr.io/org/app' })
    .max(255)
    .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, {
      error: 'must be an image reference without tag or digest, e.g. ghcr.io/org/app',
    }),
  version: z
    .string({ error: 'must be an image tag, e.g. 1.4.2' })
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, { error: 'must be an image tag, e.g. 1.4.2' }),
  port: z.number({ error: 'must be a port number' }).int().min(1).max(65_535),
  healthPath: z
    .string({ error: 'must be a path, e.g. /healthz' })
    .max(200)
    .regex(/^\/[A-Za-z0-9._~/-]*$/, { error: 'must be a path of letters, digits and . _ ~ / -' })
    .default('/'),
});
export type AppSpec = z.output<typeof appSpecSchema>;

/** Volumes outlive the server: an upgrade that replaces it moves them to the new one. */
export const volumeSpecSchema = z.strictObject({
  name: z.string({ error: 'must be a volume name' }).regex(/^[a-z][a-z0-9-]{0,19}$/, {
    error: 'must be 1-20 lower-case letters, digits or -, from a letter',
  }),
  sizeGb: z.number({ error: 'must be a number of GB' }).int().min(10).max(10_240),
  /** Where the app sees it, inside its container. */
  mountPath: z
    .string({ error: 'must be an absolute path' })
    .max(200)
    .regex(/^(\/[A-Za-z0-9._-]+)+$/, { error: 'must be an absolute path of letters, digits and . _ -' })
    .refine((path) => !path.split('/').includes('..'), { error: 'must not contain ..' }),
});
export type VolumeSpec = z.output<typeof volumeSpecSchema>;

export const volumeSpecsSchema = z
  .array(volumeSpecSchema)
  .max(4, { error: 'at most 4 volumes' })
  .refine((volumes) => new Set(volumes.map((volume) => volume.name)).size === volumes.length, {
    error: 'volume names must be unique',
  })
  .refine((volumes) => new Set(volumes.map((volume) => volume.mountPath)).size === volumes.length, {
    error: 'mount paths must be unique',
  });

/** The image reference a server pulls. */
export const imageRefOf = (app: AppSpec) => `${app.image}:${app.version}`;

/** The ports the app's server answers on from anywhere: HTTP (for the certificate and the redirect), HTTPS. */
export const APP_WEB_PORTS = [80, 443] as const;
