import { z } from 'zod';
import { describeType } from './schema-fields.js';

type JsonSchema = { readonly [key: string]: unknown };

/** One environment variable as a config schema declares it. */
export interface ConfigVariable {
  readonly name: string;
  /** The service refuses to start without it. */
  readonly required: boolean;
  /** What an unset variable stands for, as it would be written in the environment. */
  readonly defaultValue: string | undefined;
  /** The first of its `.meta({ examples })`: a value to start from. */
  readonly example: string | undefined;
  /** What a value must spell: `integer 1…65535`, `one of …`, `URL matching …`. */
  readonly accepts: string;
  /** Its `.meta({ description })`. */
  readonly description: string | undefined;
}

/**
 * The variables of an object schema, in declaration order, read from its JSON Schema on the input side (what is
 * written in the environment, not what the service makes of it).
 */
export function configVariables(schema: z.ZodType): ConfigVariable[] {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    override: keepExamples,
  }) as JsonSchema;
  const properties = (json['properties'] ?? {}) as Readonly<Record<string, JsonSchema>>;
  const required = new Set(Array.isArray(json['required']) ? (json['required'] as string[]) : []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    required: required.has(name),
    defaultValue: property['default'] === undefined ? undefined : environmentText(property['default']),
    example: Array.isArray(property['examples']) ? environmentText(property['examples'][0]) : undefined,
    accepts: describeType(property),
    description: typeof property['description'] === 'string' ? property['description'] : undefined,
  }));
}

/**
 * zod drops `examples` from the input side of a schema that transforms (it takes them for outputs); a variable's
 * examples are what one writes in the environment, so they are put back.
 */
function keepExamples(context: {
  zodSchema: z.core.$ZodTypes;
  jsonSchema: z.core.JSONSchema.BaseSchema;
}): void {
  const examples = z.globalRegistry.get(context.zodSchema)?.examples;
  if (Array.isArray(examples)) context.jsonSchema.examples = examples;
}

function environmentText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A variable and the services that read it, alike. */
export interface ReadVariable {
  readonly variable: ConfigVariable;
  readonly services: readonly string[];
}

/** Where each variable is documented: once for every service, once for several, else under its one service. */
export interface ConfigReference {
  /** Read alike by every service, in the first service's order. */
  readonly everyService: readonly ConfigVariable[];
  /** Read by `migrate` besides those of every service. */
  readonly migration: readonly ConfigVariable[];
  /** Read alike by several services but not all. */
  readonly shared: readonly ReadVariable[];
  /** Each service's variables beyond every service's, in its schema's order. */
  readonly services: readonly { readonly service: string; readonly variables: readonly ReadVariable[] }[];
}

/**
 * Groups the services' variables. Two services read a variable alike when everything said of it is the same;
 * a name two services read differently (each its own default, say) is documented under each.
 */
export function configReference(
  services: ReadonlyMap<string, readonly ConfigVariable[]>,
  migration: readonly ConfigVariable[],
): ConfigReference {
  const readers = new Map<string, string[]>();
  for (const [service, variables] of services)
    for (const variable of variables)
      readers.set(keyOf(variable), [...(readers.get(keyOf(variable)) ?? []), service]);
  const read = (variable: ConfigVariable): ReadVariable => ({
    variable,
    services: readers.get(keyOf(variable)) ?? [],
  });
  const byEveryService = (variable: ConfigVariable) => read(variable).services.length === services.size;
  const everyService = ([...services.values()][0] ?? []).filter(byEveryService);
  const perService = [...services].map(([service, variables]) => ({
    service,
    variables: variables.filter((variable) => !byEveryService(variable)).map(read),
  }));
  const shared = new Map<string, ReadVariable>();
  for (const { variables } of perService)
    for (const each of variables) if (each.services.length > 1) shared.set(keyOf(each.variable), each);
  const common = new Set(everyService.map(keyOf));
  return {
    everyService,
    migration: migration.filter((variable) => !common.has(keyOf(variable))),
    shared: [...shared.values()],
    services: perService,
  };
}

function keyOf(variable: ConfigVariable): string {
  return JSON.stringify(variable);
}
