/**
 * HTML for server-rendered pages (identity's sign-in and account pages, the ledger's transparency pages): every
 * interpolated value is escaped unless it is itself `Html`, so user input (a project's name, an app's) can never
 * open a tag or leave an attribute.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (character) => ESCAPES[character]!);

export type Interpolated = Html | string | number | readonly Html[] | undefined | null | false;

function render(value: Interpolated): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map((item: Html) => item.text).join('');
  return escapeHtml(String(value as string | number));
}

/** Tagged template: `html\`<p>${untrusted}</p>\`` escapes `untrusted`. */
export function html(strings: TemplateStringsArray, ...values: Interpolated[]): Html {
  return new Html(strings.reduce((out, part, index) => out + render(values[index - 1]) + part));
}
