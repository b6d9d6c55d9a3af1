import type Provider from 'oidc-provider';
import { html, page } from '../../pages/html.js';

/**
 * Codes come back in the redirect URI's query only. `form_post` answers with an inline script that submits a
 * form, which the gateway's page policy (no script) would block, leaving the subscriber on a blank page; and
 * `fragment` is for implicit flows, which the provider does not offer. Discovery says so, and a request for
 * another mode gets an error page (before the client's redirect URI is checked, so never a redirect).
 */
export function onlyQueryResponseMode(provider: Provider): void {
  provider.use(async (ctx, next) => {
    const requested = ctx.method === 'GET' ? ctx.query['response_mode'] : undefined;
    if (ctx.path.endsWith('/auth') && requested !== undefined && requested !== 'query') {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = page(
        'Sign-in could not continue',
        html`<p class="error">unsupported_response_mode: this provider returns codes in the query only.</p>
          <p>Go back to the app and start again.</p>`,
      );
      return;
    }
    await next();
    if (ctx.path.endsWith('/.well-known/openid-configuration') && ctx.body && typeof ctx.body === 'object')
      (ctx.body as Record<string, unknown>)['response_modes_supported'] = ['query'];
  });
}
