import { unseal } from '@onecommons/service-kit';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CLOUD_TOKEN, json, type ProvisionerStack, startProvisionerStack } from './provisioner-stack.js';

let stack: ProvisionerStack;

beforeAll(async () => {
  stack = await startProvisionerStack({ PROVISIONER_RECONCILE_INTERVAL_MS: '0' });
});

afterAll(async () => {
  await stack.stop();
});

describe('provider accounts', () => {
  it('are registered by provider organizations; the token is sealed at rest and never shown', async () => {
    const id = await stack.registerAccount('hetzner');
    const shown = await json<Record<string, unknown>>(stack.url(`/provider-accounts/${id}`), 'GET', {
      credential: stack.operator.token,
    });
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      id,
      organizationId: stack.provider.organizationId,
      api: 'hetzner',
      regions: ['fsn1', 'hel1'],
      maxServers: 10,
      serversInUse: 0,
      currency: 'EUR',
    });
    expect(JSON.stringify(shown.body)).not.toContain(CLOUD_TOKEN);
    const listed = await json(
      stack.url(`/organizations/${stack.provider.organizationId}/provider-accounts`),
      'GET',
      {
        credential: stack.provider.token,
      },
    );
    expect(JSON.stringify(listed.body)).not.toContain(CLOUD_TOKEN);

    const [row] = await stack.provisioner.query<{ credentials_sealed: string }>(
      'SELECT credentials_sealed FROM provider_accounts WHERE id = $1',
      [id],
    );
    expect(row?.credentials_sealed).toMatch(/^v1\./);
    expect(row?.credentials_sealed).not.toContain(CLOUD_TOKEN);
    const key = Buffer.from(stack.credentialsKey, 'base64');
    expect(unseal(row?.credentials_sealed ?? '', key, `provider-account:${id}`)).toBe(CLOUD_TOKEN);
  });

  it('refuse bad input with the failing field', async () => {
    const register = (body: Record<string, unknown>) =>
      json<{ error: { code: string; field?: string } }>(
        stack.url(`/organizations/${stack.provider.organizationId}/provider-accounts`),
        'POST',
        {
          credential: stack.provider.token,
          body: {
            name: 'x',
            api: 'hetzner',
            baseUrl: `${stack.hetzner.url}/v1`,
            token: CLOUD_TOKEN,
            image: 'debian-12',
            regions: ['fsn1'],
            sizes: [{ name: 'cx22', vcpus: 2, memoryMb: 4096, diskGb: 40, monthlyPriceMinor: 459 }],
            currency: 'EUR',
            maxServers: 1,
            ...body,
          },
        },
      );
    expect((await register({ api: 'aws' })).body.error).toMatchObject({
      code: 'validation_failed',
      field: 'api',
    });
    expect((await register({ sizes: [] })).body.error).toMatchObject({
      code: 'validation_failed',
      field: 'sizes',
    });
    expect(
      (
        await register({
          sizes: [{ name: 'cx22', vcpus: 0, memoryMb: 4096, diskGb: 40, monthlyPriceMinor: 1 }],
        })
      ).body.error,
    ).toMatchObject({ field: 'sizes.0.vcpus' });
    // The token would be sent there: only configured API addresses are allowed (SSRF).
    const elsewhere = await register({ baseUrl: 'http://169.254.169.254/latest' });
    expect(elsewhere).toMatchObject({
      status: 400,
      body: { error: { code: 'base_url_not_allowed', field: 'baseUrl' } },
    });
    // Allowed addresses are compared as parsed origins (scheme, host, port) and paths, never as prefixes.
    const allowed = new URL(stack.hetzner.url);
    for (const spelling of [
      `${allowed.protocol}//${allowed.hostname}.evil.example:${allowed.port}/v1`,
      `${allowed.protocol}//${allowed.host}@evil.example/v1`,
      `${allowed.protocol}//user:pw@${allowed.host}/v1`,
      `${allowed.protocol}//${allowed.hostname}:${Number(allowed.port) + 1}/v1`,
      `${allowed.protocol}//${allowed.host}/v1evil`,
      `${allowed.protocol}//${allowed.host}/v1?next=http://169.254.169.254`,
    ]) {
      expect({ spelling, answer: await register({ baseUrl: spelling }) }).toMatchObject({
        spelling,
        answer: { status: 400, body: { error: { code: 'base_url_not_allowed', field: 'baseUrl' } } },
      });
    }
    const [{ count }] = (await stack.provisioner.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM provider_accounts WHERE name = 'x'`,
    )) as [{ count: number }];
    expect(count).toBe(0);
  });

  it('are only for owners of provider organizations', async () => {
    const asOperator = await json(
      stack.url(`/organizations/${stack.operator.organizationId}/provider-accounts`),
      'POST',
      {
        credential: stack.operator.token,
        body: {},
      },
    );
    expect(asOperator.status).toBe(403);
    const intoOthers = await json(
      stack.url(`/organizations/${stack.provider.organizationId}/provider-accounts`),
      'POST',
      {
        credential: stack.operator.token,
        body: {},
      },
    );
    expect(intoOthers.status).toBe(403);
    expect((await json(stack.url('/provider-accounts'), 'GET')).status).toBe(401);
  });
});
