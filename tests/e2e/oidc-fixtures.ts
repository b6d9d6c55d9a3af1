import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from '@jest/globals';
import { testStack } from '@onecommons/testing';
import * as client from 'openid-client';
import {
  type Answer,
  call,
  newAccount,
  newOperatedService,
  newOrganization,
  PASSWORD,
  type TestAccount,
} from './gateway-client.js';
import { suiteFetch } from './suite-address.js';

const stack = testStack();
export const ISSUER = new URL(stack.gatewayUrl);

export interface RegisteredApp {
  readonly operator: TestAccount;
  readonly organizationId: string;
  readonly serviceId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
}

interface ClientAnswer {
  clientId: string;
  clientSecret: string;
  error?: { code: string; field?: string };
}

/**
 * Registers an OpenID client for a service, waiting out `service_not_known_yet` (identity learns services from
 * catalog's events a moment after they are created). Answers identity's last answer.
 */
export async function registerClient(
  organizationId: string,
  token: string,
  body: Record<string, unknown>,
): Promise<Answer<ClientAnswer>> {
  for (let attempt = 0; ; attempt += 1) {
    const answer = await call<ClientAnswer>(
      'POST',
      `/api/identity/v1/organizations/${organizationId}/oidc-clients`,
      {
        credential: token,
        body,
      },
    );
    if (answer.body.error?.code !== 'service_not_known_yet' || attempt >= 60) return answer;
    await sleep(500);
  }
}

/** An operator with a service and an OpenID client for it, as an operator sets one up. */
export async function newRegisteredApp(label: string): Promise<RegisteredApp> {
  const operator = await newAccount(`${label}-operator`);
  const organizationId = await newOrganization(operator, 'operator');
  const serviceId = await newOperatedService(operator, organizationId);
  const redirectUri = `https://${label}-${randomUUID().slice(0, 8)}.apps.example.org/callback`;
  const registered = await registerClient(organizationId, operator.token, {
    serviceId,
    name: `${label} app`,
    redirectUris: [redirectUri],
    postLogoutRedirectUris: [`${new URL(redirectUri).origin}/signed-out`],
  });
  expect(registered.status).toBe(201);
  return {
    operator,
    organizationId,
    serviceId,
    clientId: registered.body.clientId,
    clientSecret: registered.body.clientSecret,
    redirectUri,
  };
}

/** The relying party's view of the provider, through the gateway, from this suite's address. */
export async function discover(
  app: Pick<RegisteredApp, 'clientId' | 'clientSecret'>,
): Promise<client.Configuration> {
  const config = await client.discovery(
    ISSUER,
    app.clientId,
    undefined,
    client.ClientSecretBasic(app.clientSecret),
    {
      execute: [client.allowInsecureRequests], // the local gateway speaks http
      [client.customFetch]: suiteFetch,
    },
  );
  config[client.customFetch] = suiteFetch;
  return config;
}

export interface AuthorizationRequest {
  readonly url: URL;
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
}

export async function authorizationRequest(
  config: client.Configuration,
  redirectUri: string,
  extra: Record<string, string> = {},
): Promise<AuthorizationRequest> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email plan offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    prompt: 'consent',
    ...extra,
  });
  return { url, verifier, state, nonce };
}

/** The app's side of the callback: the code exchanged, with the request's PKCE verifier, state and nonce checked. */
export function redeem(
  config: client.Configuration,
  callback: URL,
  request: Pick<AuthorizationRequest, 'verifier' | 'state' | 'nonce'>,
) {
  return client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
  });
}

/** A subscriber's whole sign-in to an app: authorize, sign in, consent, and the app's code exchange. */
export async function signedIn(
  config: client.Configuration,
  redirectUri: string,
  account: Pick<TestAccount, 'email'>,
  browser = new CookieBrowser(),
) {
  const request = await authorizationRequest(config, redirectUri);
  return redeem(config, await signInAndConsent(browser, request, account), request);
}

interface StoredCookie {
  readonly value: string;
  readonly path: string;
}

/**
 * A browser without a screen: keeps the gateway's cookies (by name and path) and follows redirects while they
 * stay on the gateway. Enough to drive the sign-in pages over plain HTTP; the Chromium test drives them for real.
 */
export class CookieBrowser {
  private readonly cookies = new Map<string, StoredCookie>();

  /** From this suite's address, or `localAddress` (a client nobody else has been). */
  constructor(private readonly localAddress?: string) {}

  async request(
    url: URL | string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<Response> {
    const target = new URL(url, ISSUER);
    const headers: Record<string, string> = {};
    const cookie = [...this.cookies.entries()]
      .filter(([, stored]) => target.pathname.startsWith(stored.path))
      .map(([key, stored]) => `${key.split('\u0000')[0]}=${stored.value}`)
      .join('; ');
    if (cookie) headers['cookie'] = cookie;
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await suiteFetch(target.href, {
      method: init.method ?? 'GET',
      headers,
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
      localAddress: this.localAddress,
    });
    for (const line of response.headers.getSetCookie()) this.remember(line);
    return response;
  }

  /** Follows redirects on the gateway; answers the last response and where it pointed off the gateway, if it did. */
  async follow(
    url: URL | string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<{ response: Response; leftTo: URL | null }> {
    let response = await this.request(url, init);
    for (let hops = 0; hops < 10; hops += 1) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { response, leftTo: null };
      const next = new URL(location, ISSUER);
      if (next.origin !== ISSUER.origin) return { response, leftTo: next };
      response = await this.request(next);
    }
    throw new Error('too many redirects');
  }

  private remember(line: string): void {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator);
    const value = pair.slice(separator + 1);
    const attribute = (wanted: string) =>
      attributes.find((part) => part.toLowerCase().startsWith(`${wanted}=`))?.slice(wanted.length + 1);
    const path = attribute('path') ?? '/';
    const expires = attribute('expires');
    const gone = attribute('max-age') === '0' || (expires !== undefined && Date.parse(expires) <= Date.now());
    const key = `${name}\u0000${path}`;
    if (gone) this.cookies.delete(key);
    else this.cookies.set(key, { value, path });
  }
}

/** The interaction page's uid, from the page's URL. */
export const interactionUid = (pageUrl: string) =>
  /\/interaction\/([^/?]+)$/.exec(new URL(pageUrl, ISSUER).pathname)?.[1];

/**
 * A subscriber signs in and consents in the browser: answers where the provider sends the browser back (the
 * app's redirect URI with the code).
 */
export async function signInAndConsent(
  browser: CookieBrowser,
  request: AuthorizationRequest,
  account: Pick<TestAccount, 'email'> & { readonly password?: string },
): Promise<URL> {
  const toLogin = await browser.request(request.url);
  expect(toLogin.status).toBe(303);
  const loginPage = toLogin.headers.get('location') ?? '';
  const uid = interactionUid(loginPage);
  expect(uid).toBeDefined();
  const shown = await browser.request(loginPage);
  expect(shown.status).toBe(200);
  expect(await shown.text()).toContain('Sign in with OneCommons');
  const afterLogin = await browser.follow(`${loginPage}/login`, {
    method: 'POST',
    form: { email: account.email, password: account.password ?? PASSWORD },
  });
  if (afterLogin.leftTo) return afterLogin.leftTo;
  return consentAt(browser, afterLogin.response);
}

/** On the consent page a flow arrived at: allow, and answer where the browser is sent. */
async function consentAt(browser: CookieBrowser, consentPage: Response): Promise<URL> {
  expect(consentPage.status).toBe(200);
  const page = await consentPage.text();
  expect(page).toContain('Allow access?');
  const action = /action="([^"]+\/confirm)"/.exec(page)?.[1];
  expect(action).toBeDefined();
  const confirmed = await browser.follow(action ?? '', { method: 'POST' });
  expect(confirmed.leftTo).not.toBeNull();
  return confirmed.leftTo ?? new URL('about:blank');
}
