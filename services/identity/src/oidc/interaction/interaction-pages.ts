import { ACCOUNT_PAGES, accountPagePath } from '../../pages/account-links.js';
import { html, page } from '../../pages/html.js';
import { interactionPath } from '../provider/provider-configuration.js';

const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'Know who you are on OneCommons (your subscriber id)',
  email: 'Your email address, and whether it is verified',
  plan: 'Your plan (free or premium) and its status',
  offline_access: 'Stay connected while you are away (it can renew its access without asking you)',
};

export interface AppShown {
  readonly name: string;
  readonly operator: string | null;
}

const appLine = (app: AppShown) =>
  app.operator
    ? html`<strong>${app.name}</strong> (run by ${app.operator})`
    : html`<strong>${app.name}</strong>`;

export function loginPage(uid: string, app: AppShown, problem?: { email: string; message: string }): string {
  return page(
    'Sign in with OneCommons',
    html`<p>to continue to ${appLine(app)}.</p>
      ${problem ? html`<p class="error" role="alert">${problem.message}</p>` : ''}
      <form method="post" action="${interactionPath(uid)}/login" autocomplete="on">
        <label for="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          required
          autofocus
          value="${problem?.email ?? ''}"
          autocomplete="username"
        />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" required autocomplete="current-password" />
        <button type="submit">Sign in</button>
      </form>
      <p><a href="${accountPagePath(ACCOUNT_PAGES.forgotPassword)}">Forgot your password?</a></p>
      <form method="post" action="${interactionPath(uid)}/abort">
        <button type="submit" class="secondary">Cancel</button>
      </form>`,
  );
}

export function consentPage(
  uid: string,
  app: AppShown,
  scopes: readonly string[],
  claims: readonly string[],
): string {
  const items = scopes.map((scope) => html`<li>${SCOPE_DESCRIPTIONS[scope] ?? scope}</li>`);
  const extraClaims = claims.map((claim) => html`<li>${claim}</li>`);
  return page(
    'Allow access?',
    html`<p>${appLine(app)} asks to:</p>
      <ul class="scopes">
        ${items}${extraClaims}
      </ul>
      <form method="post" action="${interactionPath(uid)}/confirm">
        <button type="submit" autofocus>Allow</button>
      </form>
      <form method="post" action="${interactionPath(uid)}/abort">
        <button type="submit" class="secondary">Deny</button>
      </form>`,
  );
}

export function interactionGonePage(): string {
  return page(
    'This sign-in has expired',
    html`<p class="error">
        This sign-in request has expired, was already finished, or was started in another browser.
      </p>
      <p>Go back to the app and start again.</p>`,
  );
}
