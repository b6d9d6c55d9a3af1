import { suiteFetch } from './suite-address.js';

/** A JSON Schema (draft 2020-12) as the services' OpenAPI 3.1 documents write them. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly default?: unknown;
  readonly examples?: readonly unknown[];
  /** OpenAPI's own single example, as @nestjs/swagger writes a zod `examples` meta. */
  readonly example?: unknown;
  readonly $ref?: string;
}

export type Credential = 'none' | 'accessToken' | 'apiKey' | 'either';

export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required: boolean;
  readonly schema: JsonSchema;
}

/** One operation of a service's public API, as its OpenAPI document declares it. */
export interface Operation {
  readonly service: string;
  readonly method: string;
  readonly path: string;
  readonly id: string;
  readonly credential: Credential;
  readonly parameters: readonly Parameter[];
  /** The JSON request body, when the document declares one. */
  readonly body?: { readonly contentType: string; readonly required: boolean; readonly schema: JsonSchema };
}

interface OpenApiOperation {
  readonly operationId?: string;
  readonly security?: readonly Record<string, unknown>[];
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: {
    readonly required?: boolean;
    readonly content?: Readonly<Record<string, { readonly schema?: JsonSchema }>>;
  };
}

interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, OpenApiOperation>>>>;
  readonly components?: { readonly schemas?: Readonly<Record<string, JsonSchema>> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

async function getJson<T>(url: string): Promise<T> {
  const response = await suiteFetch(url);
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

/**
 * Every operation of every service behind the gateway, read from the index `GET /api/docs` and each
 * service's `openapi.json`: an endpoint added later is covered without touching the suite.
 */
export async function publicOperations(gatewayUrl: string): Promise<Operation[]> {
  const index = await getJson<{ services: { service: string; openapi: string }[] }>(`${gatewayUrl}/api/docs`);
  const documents = await Promise.all(
    index.services.map(async ({ service, openapi }) => ({
      service,
      document: await getJson<OpenApiDocument>(`${gatewayUrl}${openapi}`),
    })),
  );
  return documents.flatMap(({ service, document }) =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) =>
        operationOf(service, method, path, item[method] as OpenApiOperation, document),
      ),
    ),
  );
}

function operationOf(
  service: string,
  method: string,
  path: string,
  operation: OpenApiOperation,
  document: OpenApiDocument,
): Operation {
  const resolve = (schema: JsonSchema | undefined) => resolveRefs(schema ?? {}, document, 0);
  const content = Object.entries(operation.requestBody?.content ?? {})[0];
  return {
    service,
    method: method.toUpperCase(),
    path,
    id: operation.operationId ?? `${method} ${path}`,
    credential: credentialOf(operation.security ?? []),
    parameters: (operation.parameters ?? []).map((parameter) => ({
      ...parameter,
      required: parameter.required ?? false,
      schema: resolve(parameter.schema),
    })),
    ...(content
      ? {
          body: {
            contentType: content[0],
            required: operation.requestBody?.required ?? false,
            schema: resolve(content[1].schema),
          },
        }
      : {}),
  };
}

function credentialOf(security: readonly Record<string, unknown>[]): Credential {
  const schemes = new Set(security.flatMap((requirement) => Object.keys(requirement)));
  if (schemes.has('accessToken') && schemes.has('apiKey')) return 'either';
  if (schemes.has('accessToken')) return 'accessToken';
  if (schemes.has('apiKey')) return 'apiKey';
  return 'none';
}

/** Inlines `#/components/schemas/*` references (the generators walk plain schemas). */
function resolveRefs(schema: JsonSchema, document: OpenApiDocument, depth: number): JsonSchema {
  if (depth > 20) throw new Error('schema references nest deeper than 20');
  const recurse = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(recurse);
    if (value === null || typeof value !== 'object') return value;
    const ref = (value as JsonSchema).$ref;
    if (typeof ref === 'string') {
      const target = document.components?.schemas?.[ref.replace('#/components/schemas/', '')];
      if (!target) throw new Error(`unresolved schema reference ${ref}`);
      return resolveRefs(target, document, depth + 1);
    }
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, recurse(child)]));
  };
  return recurse(schema) as JsonSchema;
}
