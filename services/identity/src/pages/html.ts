import { Html, html } from '@onecommons/service-kit';

/**
 * Server-rendered pages (sign-in, consent, account emails' landing pages). Every interpolated value is
 * escaped unless it is itself `Html` (service-kit's `html`); the pages load no script and no outside resource
 * (the gateway's page policy allows inline styles and forms to this origin only).
 */
export { escapeHtml, Html, html } from '@onecommons/service-kit';

const STYLE = `
  body { font-family: system-ui, sans-serif; max-width: 26rem; margin: 3rem auto; padding: 0 1rem; color: #1b1b1b; }
  h1 { font-size: 1.4rem; }
  label { display: block; margin: 1rem 0 .25rem; }
  input { width: 100%; padding: .5rem; box-sizing: border-box; font-size: 1rem; }
  button { margin-top: 1.25rem; padding: .55rem 1.1rem; font-size: 1rem; }
  .error { color: #a40000; border-left: 3px solid #a40000; padding-left: .6rem; }
  .notice { color: #1b5e20; border-left: 3px solid #1b5e20; padding-left: .6rem; }
  ul.scopes li { margin: .3rem 0; }
  .secondary { background: none; border: none; color: #333; text-decoration: underline; cursor: pointer; }
`;

/** A whole page: one title, one body, the platform's style, nothing fetched from anywhere. */
export function page(title: string, body: Html): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${title} · OneCommons</title>
        <style>
          ${new Html(STYLE)}
        </style>
      </head>
      <body>
        <main>
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html>`.text;
}
