import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorBodySchema } from '@onecommons/service-kit';
import { startService, type RunningService } from '@onecommons/testing';
import { accountSchema } from '../src/accounts/dto/register-account.dto.js';
import { identityService } from '../src/identity.definition.js';
import { tokenPairSchema } from '../src/sessions/dto.js';

let identity: RunningService;
let document: OpenApiDocument;

interface Operation {
  readonly operationId?: string;
  readonly security?: Record<string, string[]>[];
  readonly requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
  readonly responses: Record<
    string,
    { headers?: Record<string, unknown>; content?: Record<string, { schema: JsonSchema }> }
  >;
}
type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[] };
interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
}

beforeAll(async () => {
  identity = await startService(identityService);
  const response = await fetch(`${identity.url}/api/identity/openapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('application/json');
  document = (await response.json()) as OpenApiDocument;
});

afterAll(async () => {
  await identity.stop();
});

const operation = (path: string, method: string): Operation => {
  const found = document.paths[`/api/identity${path}`]?.[method];
  if (!found) throw new Error(`no ${method} ${path} in the document`);
  return found;
};
const documentedErrorCodes = () =>
  document.components.schemas['Error']?.properties?.['error']?.properties?.['code']?.['enum'] as string[];
const requestSchemaOf = (path: string, method = 'post') =>
  operation(path, method).requestBody?.content['application/json']?.schema;
const responseSchemaOf = (path: string, status: string, method = 'post') =>
  operation(path, method).responses[status]?.content?.['application/json']?.schema;

describe('GET /api/identity/openapi.json', () => {
  it('is an OpenAPI 3.1 document of the public API only', () => {
    expect(document.openapi).toBe('3.1.0');
    const paths = Object.keys(document.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/identity/v1/accounts',
        '/api/identity/v1/accounts/me',
        '/api/identity/v1/sessions',
        '/api/identity/v1/sessions/refresh',
        '/api/identity/v1/sessions/logout',
        '/api/identity/v1/.well-known/jwks.json',
      ]),
    );
    expect(paths.every((path) => path.startsWith('/api/identity/'))).toBe(true); // no health, no metrics
  });

  it('gives request bodies the schemas the service validates them with', () => {
    expect(requestSchemaOf('/v1/accounts')).toEqual({
      type: 'object',
      properties: {
        email: { type: 'string', format: 'email', maxLength: 254 },
        password: { type: 'string', minLength: 12, maxLength: 256 },
      },
      required: ['email', 'password'],
      additionalProperties: false,
    });
    expect(operation('/v1/accounts', 'post').requestBody?.required).toBe(true);
    expect(requestSchemaOf('/v1/sessions')).toMatchObject({
      properties: { email: { type: 'string', maxLength: 320 }, password: { type: 'string', minLength: 1 } },
      required: ['email', 'password'],
      additionalProperties: false,
    });
    expect(requestSchemaOf('/v1/sessions/refresh')).toMatchObject({
      properties: { refreshToken: { type: 'string', pattern: '^ocr_[A-Za-z0-9_-]{43}$' } },
      required: ['refreshToken'],
    });
  });

  it('gives responses their schemas, and every error the platform’s error shape', () => {
    expect(responseSchemaOf('/v1/sessions', '201')).toMatchObject({
      properties: { tokenType: { enum: ['Bearer'] }, expiresIn: { type: 'integer' } },
      required: ['tokenType', 'accessToken', 'expiresIn', 'refreshToken'],
    });
    expect(responseSchemaOf('/v1/accounts/me', '200', 'get')).toMatchObject({
      properties: { id: { type: 'string', format: 'uuid' }, email: { format: 'email' } },
    });
    expect(document.components.schemas['Error']).toMatchObject({
      properties: { error: { required: ['code', 'message'] } },
    });
    const errorRef = { $ref: '#/components/schemas/Error' };
    expect(responseSchemaOf('/v1/accounts', '409')).toEqual(errorRef);
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, { responses }] of Object.entries(methods)) {
        expect({ path, method, schema: responses['default']?.content?.['application/json']?.schema }).toEqual(
          {
            path,
            method,
            schema: errorRef,
          },
        );
      }
    }
  });

  it('lists the codes an error may carry: identity’s, the access policy’s and the shared ones', () => {
    expect(documentedErrorCodes()).toEqual(
      expect.arrayContaining(['invalid_credentials', 'last_owner', 'invalid_api_key', 'validation_failed']),
    );
    expect(documentedErrorCodes()).not.toContain('usage_not_consumed'); // the ledger's
  });

  it('documents the rate limits of login, refresh and registration, and only theirs', () => {
    const limited = ['/v1/sessions', '/v1/sessions/refresh', '/v1/accounts'];
    for (const path of limited) {
      expect(operation(path, 'post').responses['429']?.headers).toHaveProperty('Retry-After');
    }
    expect(operation('/v1/sessions/logout', 'post').responses['429']).toBeUndefined();
  });

  it('declares the bearer schemes, and which endpoints take an access token', () => {
    expect(document.components.securitySchemes).toMatchObject({
      accessToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      apiKey: { type: 'http', scheme: 'bearer' },
    });
    expect(operation('/v1/accounts/me', 'get').security).toEqual([{ accessToken: [] }]);
    expect(operation('/v1/sessions', 'post').security).toBeUndefined();
  });
});

describe('what the service answers', () => {
  const post = (path: string, body: unknown) =>
    fetch(`${identity.url}/api/identity${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('matches the documented schemas', async () => {
    const email = `documented-${randomUUID()}@example.org`;
    const password = 'a long enough passphrase';
    const registered = await post('/v1/accounts', { email, password });
    expect(registered.status).toBe(201);
    expect(accountSchema.safeParse(await registered.json()).success).toBe(true);
    const session = await post('/v1/sessions', { email, password });
    expect(session.status).toBe(201);
    expect(tokenPairSchema.safeParse(await session.json()).success).toBe(true);
    const invalid = await post('/v1/accounts', { email, password: 'short' });
    expect(invalid.status).toBe(400);
    const { error } = errorBodySchema.parse(await invalid.json());
    expect(error).toMatchObject({ code: 'validation_failed', field: 'password' });
    expect(documentedErrorCodes()).toContain(error.code);
  });
});

describe('the Swagger UI at /api/identity/docs', () => {
  it('is served with all its assets from the service itself (works offline)', async () => {
    const page = await fetch(`${identity.url}/api/identity/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(assets.length).toBeGreaterThanOrEqual(3);
    expect(assets.filter((asset) => /^(https?:)?\/\//.test(asset))).toEqual([]);
    for (const asset of assets) {
      const response = await fetch(new URL(asset, `${identity.url}/api/identity/docs`));
      expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
    }
    const init = await (await fetch(`${identity.url}/api/identity/docs/swagger-ui-init.js`)).text();
    expect(init).toContain('/api/identity/v1/sessions');
  });
});
