import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { type ServiceName } from '@onecommons/contracts';
import { SHARED_ERROR_CODES } from '../errors/shared-errors.js';
import {
  ACCESS_TOKEN_SECURITY,
  API_KEY_SECURITY,
  ERROR_SCHEMA_NAME,
  ERROR_SCHEMA_REF,
  serviceErrorBodySchema,
} from './api-docs.decorators.js';
import { openApiSchemaOf } from './json-schema.js';

/** Relative to the service's `/api/<service>/` prefix. */
export const OPENAPI_DOCUMENT_PATH = 'openapi.json';
export const SWAGGER_UI_PATH = 'docs';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * The service's OpenAPI 3.1 document, built from its controllers: request schemas from the zod schemas
 * parameters declare (`@Body({ schema })`), response schemas from `@ApiResponse({ standardSchema })`, and the
 * error schema's `code` from the service's error codes and the shared ones.
 */
export function openApiDocumentOf(
  app: INestApplication,
  service: ServiceName,
  errorCodes: readonly string[],
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle(`OneCommons ${service} API`)
    .setDescription(
      `The ${service} service of OneCommons. Every error has the shape of the \`${ERROR_SCHEMA_NAME}\` schema.`,
    )
    .setVersion('1')
    .addServer('/', 'The gateway (or the service itself)')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'An access token from `POST /api/identity/v1/sessions` (EdDSA-signed JWT, `typ` at+jwt).',
      },
      ACCESS_TOKEN_SECURITY,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'ock_…',
        description: 'An API key of an organization (`Authorization: Bearer ock_…`).',
      },
      API_KEY_SECURITY,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    standardSchemaConverter: openApiSchemaOf,
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  const codes = [...new Set([...SHARED_ERROR_CODES, ...errorCodes])].sort();
  const errorSchema = openApiSchemaOf(serviceErrorBodySchema(codes), { schemaType: 'output' });
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, [ERROR_SCHEMA_NAME]: errorSchema?.schema as object },
  };
  withDefaultErrorResponses(document);
  return document;
}

/** Any status an operation does not list still answers in the error shape: say so once, as `default`. */
function withDefaultErrorResponses(document: OpenAPIObject): void {
  for (const pathItem of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!operation) continue;
      operation.responses = {
        ...operation.responses,
        default: operation.responses['default'] ?? {
          description: 'An error, in the platform’s error shape.',
          content: { 'application/json': { schema: { $ref: ERROR_SCHEMA_REF } } },
        },
      };
    }
  }
}

/**
 * Serves `GET /api/<service>/openapi.json` and the Swagger UI at `/api/<service>/docs`, from the
 * swagger-ui-dist package (no CDN). The document is built on first request, once every route exists.
 * Call before `app.init()`, so these routes come before Nest's not-found handler.
 */
export function serveApiDocs(
  app: INestApplication,
  service: ServiceName,
  errorCodes: readonly string[],
): void {
  SwaggerModule.setup(SWAGGER_UI_PATH, app, () => openApiDocumentOf(app, service, errorCodes), {
    useGlobalPrefix: true,
    jsonDocumentUrl: OPENAPI_DOCUMENT_PATH,
    raw: ['json'],
    customSiteTitle: `OneCommons ${service} API`,
    swaggerOptions: { validatorUrl: 'none', tryItOutEnabled: false },
  });
}
