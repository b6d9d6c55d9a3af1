import { beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { call, newAccount, PASSWORD, type TestAccount } from './gateway-client.js';
import {
  authorizationRequest,
  CookieBrowser,
  discover,
  ISSUER,
  newRegisteredApp,
  type RegisteredApp,
  signInAndConsent,
  redeem,
  signedIn,
} from './oidc-fixtures.js';

// An app signs its users in with OneCommons through a real relying-party library (openid-client) against the
// gateway: discovery, authorize, login, consent, token, userinfo (with the plan), refresh, revocation.

let app: RegisteredApp;
let subscriber: TestAccount;
let config: client.Configuration;

beforeAll(async () => {
  [app, subscriber] = await Promise.all([newRegisteredApp('sign-in'), newAccount('sign-in-subscriber')]);
  config = await discover(app);
}, 120_000);

describe('Sign in with OneCommons', () => {
  it('publishes discovery at the issuer, the gateway’s origin', () => {
    const metadata = config.serverMetadata();

    expect(metadata.issuer).toBe(ISSUER.href.replace(/\/$/, ''));
    expect(metadata.authorization_endpoint).toBe(`${metadata.issuer}/api/identity/oidc/auth`);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'email', 'plan', 'offline_access']),
    );
    expect(metadata.claims_supported).toEqual(
      expect.arrayContaining(['sub', 'email', 'email_verified', 'plan']),
    );
  });

  it('runs the code flow: the ID token and userinfo name the subscriber and their plan', async () => {
    const browser = new CookieBrowser();
    const request = await authorizationRequest(config, app.redirectUri);

    const callback = await signInAndConsent(browser, request, subscriber);

    expect(callback.origin + callback.pathname).toBe(app.redirectUri);
    const tokens = await redeem(config, callback, request);
    const claims = tokens.claims();
    expect(claims).toMatchObject({
      iss: config.serverMetadata().issuer,
      aud: app.clientId,
      sub: subscriber.id,
      email: subscriber.email,
      email_verified: false,
      plan: { tier: 'free', status: 'none', period_end: null, cancel_at_period_end: false },
    });
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, subscriber.id);
    expect(userinfo).toEqual({
      sub: subscriber.id,
      email: subscriber.email,
      email_verified: false,
      plan: { tier: 'free', status: 'none', period_end: null, cancel_at_period_end: false },
    });
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  it('remembers consent in the browser session: a second sign-in asks nothing and returns a code', async () => {
    const browser = new CookieBrowser();
    await signInAndConsent(browser, await authorizationRequest(config, app.redirectUri), subscriber);

    const again = await authorizationRequest(config, app.redirectUri, { prompt: '' });
    const { leftTo } = await browser.follow(again.url);

    expect(leftTo?.searchParams.get('code')).toEqual(expect.any(String));
    expect(leftTo?.searchParams.get('state')).toBe(again.state);
  });

  it('rotates refresh tokens, and a reused one ends the whole grant', async () => {
    const tokens = await signedIn(config, app.redirectUri, subscriber);

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? '');
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()?.sub).toBe(subscriber.id);
    expect((await client.fetchUserInfo(config, refreshed.access_token, subscriber.id)).sub).toBe(
      subscriber.id,
    );

    await expect(client.refreshTokenGrant(config, tokens.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(client.refreshTokenGrant(config, refreshed.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(client.fetchUserInfo(config, refreshed.access_token, subscriber.id)).rejects.toMatchObject({
      status: 401,
    });
  });

  it('revokes: a revoked access token no longer reads userinfo, a revoked refresh token no longer refreshes', async () => {
    const tokens = await signedIn(config, app.redirectUri, subscriber);

    await client.tokenRevocation(config, tokens.access_token);
    await expect(client.fetchUserInfo(config, tokens.access_token, subscriber.id)).rejects.toMatchObject({
      status: 401,
    });
    await client.tokenRevocation(config, tokens.refresh_token ?? '');
    await expect(client.refreshTokenGrant(config, tokens.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('lets the app introspect its own tokens', async () => {
    const tokens = await signedIn(config, app.redirectUri, subscriber);

    const introspected = await client.tokenIntrospection(config, tokens.access_token);

    expect(introspected).toMatchObject({ active: true, sub: subscriber.id, client_id: app.clientId });
  });

  it('shows a refusal on the login page for a wrong password, and signs nobody in', async () => {
    const browser = new CookieBrowser();
    const request = await authorizationRequest(config, app.redirectUri);
    const loginPage = (await browser.request(request.url)).headers.get('location') ?? '';

    const refused = await browser.request(`${loginPage}/login`, {
      method: 'POST',
      form: { email: subscriber.email, password: 'not the password' },
    });

    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('The email or password is incorrect.');
    expect((await browser.request(loginPage)).status).toBe(200); // still on the login step
  });

  it('sends the subscriber back with access_denied when they deny', async () => {
    const browser = new CookieBrowser();
    const request = await authorizationRequest(config, app.redirectUri);
    const loginPage = (await browser.request(request.url)).headers.get('location') ?? '';
    const afterLogin = await browser.follow(`${loginPage}/login`, {
      method: 'POST',
      form: { email: subscriber.email, password: PASSWORD },
    });
    const action = /action="([^"]+\/abort)"/.exec(await afterLogin.response.text())?.[1] ?? '';

    const { leftTo } = await browser.follow(action, { method: 'POST' });

    expect(leftTo?.origin + (leftTo?.pathname ?? '')).toBe(app.redirectUri);
    expect(leftTo?.searchParams.get('error')).toBe('access_denied');
    expect(leftTo?.searchParams.get('state')).toBe(request.state);
  });

  it('ends the app’s tokens and the sign-in when the subscriber signs out everywhere', async () => {
    const browser = new CookieBrowser();
    const tokens = await signedIn(config, app.redirectUri, subscriber, browser);

    const signedOut = await call('POST', '/api/identity/v1/accounts/me/sign-out-everywhere', {
      credential: subscriber.token,
    });

    expect(signedOut.status).toBe(204);
    await expect(client.fetchUserInfo(config, tokens.access_token, subscriber.id)).rejects.toMatchObject({
      status: 401,
    });
    await expect(client.refreshTokenGrant(config, tokens.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    // The browser's sign-in is over too: the next authorization asks for the password again.
    const again = await browser.request((await authorizationRequest(config, app.redirectUri)).url);
    expect(again.headers.get('location')).toMatch(/\/api\/identity\/oidc\/interaction\//);
    expect(await (await browser.request(again.headers.get('location') ?? '')).text()).toContain('Password');
  });

  it('forgets a deleted account: its app tokens end and its id signs nobody in', async () => {
    const leaving = await newAccount('sign-in-leaving');
    const tokens = await signedIn(config, app.redirectUri, leaving);

    const deleted = await call('DELETE', '/api/identity/v1/accounts/me', {
      credential: leaving.token,
      body: { password: PASSWORD },
    });

    expect(deleted.status).toBe(204);
    await expect(client.fetchUserInfo(config, tokens.access_token, leaving.id)).rejects.toMatchObject({
      status: 401,
    });
    await expect(client.refreshTokenGrant(config, tokens.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('registers a client only for an owner of the operating organization; the secret is shown once', async () => {
    const listed = await call<{ items: Record<string, unknown>[] }>(
      'GET',
      `/api/identity/v1/organizations/${app.organizationId}/oidc-clients`,
      { credential: app.operator.token },
    );

    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        clientId: app.clientId,
        serviceId: app.serviceId,
        redirectUris: [app.redirectUri],
      }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(app.clientSecret);
  });
});
