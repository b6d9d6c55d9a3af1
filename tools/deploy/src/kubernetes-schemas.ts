import { type RenderedObject } from './rendered-overlay.js';

/** The npm packages with models of the operators' custom resources, by API group. */
const CUSTOM_RESOURCE_MODELS: Readonly<Record<string, string>> = {
  'kafka.strimzi.io': '@kubernetes-models/strimzi-kafka-operator',
  'postgresql.cnpg.io': '@kubernetes-models/cloudnative-pg',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

type Model = new (data: unknown) => { validate(): void };

/** The module of kubernetes-models (or an operator's models) that holds an apiVersion's kinds. */
export function modelModuleOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return `kubernetes-models/${apiVersion}`;
  const group = apiVersion.slice(0, slash);
  return `${CUSTOM_RESOURCE_MODELS[group] ?? 'kubernetes-models'}/${apiVersion}`;
}

/**
 * The schema errors of an object against the OpenAPI schema of its kind ('' when it is valid); an object
 * whose kind has no model is an error too, so nothing goes unchecked by accident.
 */
export async function schemaErrorsOf(object: RenderedObject): Promise<string> {
  const label = `${object.kind} ${object.metadata.name}`;
  let models: Readonly<Record<string, Model | undefined>>;
  try {
    models = (await import(modelModuleOf(object.apiVersion))) as Record<string, Model | undefined>;
  } catch {
    return `${label}: no models for ${object.apiVersion}`;
  }
  const ModelOfKind = models[object.kind];
  if (!ModelOfKind) return `${label}: no model for ${object.apiVersion} ${object.kind}`;
  try {
    new ModelOfKind(object).validate();
    return '';
  } catch (error) {
    return `${label}: ${(error as Error).message}`;
  }
}
