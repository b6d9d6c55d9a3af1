import { type z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Validates the environment against a schema of environment variables and returns the typed, frozen
 * configuration. Empty strings count as missing, so `FOO=` does not satisfy a required variable.
 */
export function loadConfig<Schema extends z.ZodObject>(
  schema: Schema,
  env: Environment = process.env,
): Readonly<z.output<Schema>> {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => toProblem(issue, present)));
  }
  return Object.freeze(result.data);
}

function toProblem(issue: z.core.$ZodIssue, present: Record<string, string | undefined>): ConfigProblem {
  const variable = String(issue.path[0] ?? '(environment)');
  // A cross-variable check (`custom`) may name an unset variable on purpose: its message says why it is needed.
  const missing = issue.code !== 'custom' && issue.path.length > 0 && present[variable] === undefined;
  return { variable, message: missing ? 'is required but not set' : issue.message };
}
