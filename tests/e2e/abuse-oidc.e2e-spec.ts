import { beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { call, newAccount, PASSWORD, type TestAccount } from './gateway-client.js';
import { freshLoopbackAddress } from './suite-address.js';
import {
  authorizationRequest,
  CookieBrowser,
  discover,
  newRegisteredApp,
  registerClient,
  type RegisteredApp,
  signInAndConsent,
  redeem,
  signedIn,
} from './oidc-fixtures.js';

// What an app, an operator or an outsider who signs up could try against "Sign in with OneCommons": open
// redirects, code reuse, PKCE downgrade, and one operator's client used for another's service.

let appA: RegisteredApp;
let appB: RegisteredApp;
let subscriber: TestAccount;
let configA: client.Configuration;
let configB: client.Configuration;

beforeAll(async () => {
  [appA, appB, subscriber] = await Promise.all([
    newRegisteredApp('abuse-a'),
    newRegisteredApp('abuse-b'),
    newAccount('abuse-oidc-subscriber'),
  ]);
  [configA, configB] = await Promise.all([discover(appA), discover(appB)]);
}, 120_000);

/** A client whose credentials no longer work: 401 with an `invalid_client` challenge. */
const INVALID_CLIENT = {
  status: 401,
  cause: [expect.objectContaining({ parameters: expect.objectContaining({ error: 'invalid_client' }) })],
};

/** A code for app A, from a subscriber's real sign-in. */
async function codeForA(extra: Record<string, string> = {}) {
  const request = await authorizationRequest(configA, appA.redirectUri, extra);
  const callback = await signInAndConsent(new CookieBrowser(), request, subscriber);
  return { request, callback };
}

const redeemA = (callback: URL, request: { verifier: string; state: string; nonce: string }) =>
  redeem(configA, callback, request);

/** The token endpoint as an attacker calls it: raw, with whatever parameters they choose. */
async function rawTokenRequest(app: RegisteredApp, form: Record<string, string>) {
  const endpoint = configA.serverMetadata().token_endpoint ?? '';
  const basic = Buffer.from(
    `${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`,
  ).toString('base64');
  const response = await fetchFromSuite(endpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as { error?: string } };
}

const fetchFromSuite = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) => configA[client.customFetch]!(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(30_000) });

describe('open redirects', () => {
  const attempts = (registered: string) => [
    'https://evil.example/callback',
    `${registered}/more`,
    `${registered}?next=https://evil.example`,
    `${registered}/`,
    registered.replace('https://', 'http://'),
    registered.replace('https://', 'https://evil.example@'),
    `${registered}#fragment`,
    registered.toUpperCase(),
  ];

  it('never sends the browser to a redirect URI that is not registered exactly', async () => {
    for (const redirectUri of attempts(appA.redirectUri)) {
      const request = await authorizationRequest(configA, redirectUri);
      const answer = await new CookieBrowser().request(request.url);

      expect({ redirectUri, status: answer.status, location: answer.headers.get('location') }).toEqual({
        redirectUri,
        status: 400,
        location: null,
      });
      expect(await answer.text()).toContain('redirect_uri did not match any of the client');
    }
  });

  it('does not use another client’s registered redirect URI', async () => {
    const request = await authorizationRequest(configB, appA.redirectUri);
    const answer = await new CookieBrowser().request(request.url);

    expect(answer.status).toBe(400);
    expect(answer.headers.get('location')).toBeNull();
  });

  it('does not send a signed-out browser to an unregistered post-logout URI', async () => {
    const { request, callback } = await codeForA();
    const tokens = await redeemA(callback, request);
    const logout = client.buildEndSessionUrl(configA, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: 'https://evil.example/after-logout',
    });

    const answer = await new CookieBrowser().request(logout);

    expect(answer.status).toBe(400);
    expect(answer.headers.get('location')).toBeNull();
  });

  it('refuses to register redirect URIs that are not plain https URLs', async () => {
    const refusedUris = [
      'http://app.example/callback',
      'https://*.example/callback',
      'https://app.example/callback#x',
      'javascript:alert(1)',
      'https://user:pass@app.example/callback',
      '/relative/callback',
    ];
    for (const uri of refusedUris) {
      const answer = await call<{ error: { code: string; field: string } }>(
        'POST',
        `/api/identity/v1/organizations/${appA.organizationId}/oidc-clients`,
        {
          credential: appA.operator.token,
          body: { serviceId: appA.serviceId, name: 'bad', redirectUris: [uri] },
        },
      );

      expect({ uri, status: answer.status, field: answer.body.error?.field }).toEqual({
        uri,
        status: 400,
        field: 'redirectUris.0',
      });
    }
  });
});

describe('response modes', () => {
  it('returns codes in the query only: discovery says so, and form_post or fragment get an error page', async () => {
    expect(configA.serverMetadata().response_modes_supported).toEqual(['query']);
    for (const mode of ['form_post', 'fragment']) {
      const request = await authorizationRequest(configA, appA.redirectUri, { response_mode: mode });
      const answer = await new CookieBrowser().request(request.url);

      expect({ mode, status: answer.status, location: answer.headers.get('location') }).toEqual({
        mode,
        status: 400,
        location: null,
      });
      expect(await answer.text()).toContain('unsupported_response_mode');
    }
  });
});

describe('code reuse', () => {
  it('refuses a code the second time, and revokes what the first redemption got', async () => {
    const { request, callback } = await codeForA();
    const tokens = await redeemA(callback, request);

    await expect(redeemA(callback, request)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.fetchUserInfo(configA, tokens.access_token, subscriber.id)).rejects.toMatchObject({
      status: 401,
    });
    await expect(client.refreshTokenGrant(configA, tokens.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('never lets two simultaneous redemptions of a code both succeed', async () => {
    const { request, callback } = await codeForA();

    const outcomes = await Promise.allSettled([redeemA(callback, request), redeemA(callback, request)]);

    // One wins; the loser is a reuse, which also revokes the grant (so the winner's tokens may die too).
    const statuses = outcomes.map((outcome) => outcome.status).sort();
    expect([
      ['fulfilled', 'rejected'],
      ['rejected', 'rejected'],
    ]).toContainEqual(statuses);
  });
});

describe('PKCE downgrade', () => {
  it('refuses an authorization request without a code challenge', async () => {
    const request = await authorizationRequest(configA, appA.redirectUri);
    request.url.searchParams.delete('code_challenge');
    request.url.searchParams.delete('code_challenge_method');

    const { leftTo } = await new CookieBrowser().follow(request.url);

    expect(leftTo?.searchParams.get('error')).toBe('invalid_request');
    expect(leftTo?.searchParams.get('error_description')).toMatch(/PKCE/);
    expect(leftTo?.searchParams.get('code')).toBeNull();
  });

  it('refuses the plain method', async () => {
    const request = await authorizationRequest(configA, appA.redirectUri);
    request.url.searchParams.set('code_challenge', request.verifier);
    request.url.searchParams.set('code_challenge_method', 'plain');

    const { leftTo } = await new CookieBrowser().follow(request.url);

    expect(leftTo?.searchParams.get('error')).toBe('invalid_request');
    expect(leftTo?.searchParams.get('code')).toBeNull();
  });

  it('refuses to redeem a code without its verifier, or with another', async () => {
    const { callback } = await codeForA();
    const code = callback.searchParams.get('code') ?? '';
    const base = { grant_type: 'authorization_code', code, redirect_uri: appA.redirectUri };

    expect(await rawTokenRequest(appA, base)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });

    const other = await codeForA();
    const otherCode = other.callback.searchParams.get('code') ?? '';
    expect(
      await rawTokenRequest(appA, {
        ...base,
        code: otherCode,
        code_verifier: client.randomPKCECodeVerifier(),
      }),
    ).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });
});

describe('one operator’s client used for another’s service', () => {
  it('refuses to register a client for a service the organization does not operate', async () => {
    const answer = await registerClient(appB.organizationId, appB.operator.token, {
      serviceId: appA.serviceId,
      name: 'impostor',
      redirectUris: ['https://impostor.example/callback'],
    });

    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatchObject({ code: 'service_not_operated', field: 'serviceId' });
  });

  it('hides another organization’s client: not readable, not rotatable, not deletable', async () => {
    const base = `/api/identity/v1/organizations/${appB.organizationId}/oidc-clients/${appA.clientId}`;
    for (const [method, path] of [
      ['GET', base],
      ['PATCH', base],
      ['POST', `${base}/secret`],
      ['DELETE', base],
    ] as const) {
      const answer = await call<{ error: { code: string } }>(method, path, {
        credential: appB.operator.token,
        body: method === 'PATCH' ? { name: 'taken over' } : undefined,
      });
      expect({ method, path, status: answer.status, code: answer.body.error?.code }).toEqual({
        method,
        path,
        status: 404,
        code: 'oidc_client_not_found',
      });
    }
    const ownView = await call(
      'GET',
      `/api/identity/v1/organizations/${appA.organizationId}/oidc-clients/${appA.clientId}`,
      { credential: appB.operator.token },
    );
    expect(ownView.status).toBe(403);
  });

  it('does not let another client redeem app A’s code', async () => {
    const { request, callback } = await codeForA();

    const answer = await rawTokenRequest(appB, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: appA.redirectUri,
      code_verifier: request.verifier,
    });

    expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('does not let another client introspect or revoke app A’s tokens', async () => {
    const { request, callback } = await codeForA();
    const tokens = await redeemA(callback, request);

    expect(await client.tokenIntrospection(configB, tokens.access_token)).toEqual({ active: false });
    await client.tokenRevocation(configB, tokens.access_token).catch(() => undefined);

    expect((await client.fetchUserInfo(configA, tokens.access_token, subscriber.id)).sub).toBe(subscriber.id);
  });

  it('lets only owners register clients: a plain member and an outsider are refused', async () => {
    const outsider = await newAccount('abuse-oidc-outsider');
    const body = { serviceId: appA.serviceId, name: 'outsider', redirectUris: ['https://o.example/cb'] };
    const path = `/api/identity/v1/organizations/${appA.organizationId}/oidc-clients`;

    expect((await call('POST', path, { credential: outsider.token, body })).status).toBe(403);
    expect((await call('POST', path, { body })).status).toBe(401);
  });
});

describe('client secrets', () => {
  it('rotates: the old secret stops working at once, the new one works', async () => {
    const app = await newRegisteredApp('abuse-rotate');
    const before = await discover(app);
    const rotated = await call<{ clientSecret: string }>(
      'POST',
      `/api/identity/v1/organizations/${app.organizationId}/oidc-clients/${app.clientId}/secret`,
      { credential: app.operator.token },
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.clientSecret).not.toBe(app.clientSecret);

    await expect(client.tokenIntrospection(before, 'anything')).rejects.toMatchObject(INVALID_CLIENT);
    const after = await discover({ clientId: app.clientId, clientSecret: rotated.body.clientSecret });
    expect(await client.tokenIntrospection(after, 'anything')).toEqual({ active: false });
  });

  it('a deleted client can no longer redeem or use anything', async () => {
    const app = await newRegisteredApp('abuse-delete');
    const config = await discover(app);
    const tokens = await signedIn(config, app.redirectUri, subscriber);

    const deleted = await call(
      'DELETE',
      `/api/identity/v1/organizations/${app.organizationId}/oidc-clients/${app.clientId}`,
      { credential: app.operator.token },
    );

    expect(deleted.status).toBe(204);
    await expect(client.fetchUserInfo(config, tokens.access_token, subscriber.id)).rejects.toMatchObject({
      status: 401,
    });
    await expect(client.refreshTokenGrant(config, tokens.refresh_token ?? '')).rejects.toMatchObject(
      INVALID_CLIENT,
    );
  });
});

describe('the sign-in form', () => {
  it('cannot be used to guess a password: the API’s login limits apply to it', async () => {
    const victim = await newAccount('abuse-oidc-guessed');
    const browser = new CookieBrowser(freshLoopbackAddress('guesser'));
    const request = await authorizationRequest(configA, appA.redirectUri);
    const loginPage = (await browser.request(request.url)).headers.get('location') ?? '';
    const guess = (password: string) =>
      browser.request(`${loginPage}/login`, { method: 'POST', form: { email: victim.email, password } });

    // LOGIN_RATE_LIMIT_PER_MINUTE's default: 10 attempts a minute for one email from one address.
    for (let attempt = 0; attempt < 10; attempt++) expect((await guess(`guess ${attempt}`)).status).toBe(401);
    const limited = await guess(PASSWORD);

    expect(limited.status).toBe(429);
    expect(limited.headers.get('location')).toBeNull();
  });

  it('cannot be posted without the browser’s interaction cookie (another site’s form)', async () => {
    const browser = new CookieBrowser();
    const request = await authorizationRequest(configA, appA.redirectUri);
    const loginPage = (await browser.request(request.url)).headers.get('location') ?? '';

    const forged = await new CookieBrowser().request(`${loginPage}/login`, {
      method: 'POST',
      form: { email: subscriber.email, password: PASSWORD },
    });

    expect(forged.status).toBe(400);
    expect(forged.headers.get('location')).toBeNull();
    expect(await forged.text()).toContain('This sign-in has expired');
  });
});
