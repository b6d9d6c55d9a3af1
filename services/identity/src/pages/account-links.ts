/** The account pages emailed links open, under identity's prefix (`/api/identity/account/…`). */
export const ACCOUNT_PAGES = {
  verifyEmail: 'verify-email',
  resetPassword: 'reset-password',
  forgotPassword: 'forgot-password',
} as const;

/** Where a page links to another account page (same origin, so a path). */
export const accountPagePath = (page: AccountPage) => `/api/identity/account/${page}`;

export type AccountPage = (typeof ACCOUNT_PAGES)[keyof typeof ACCOUNT_PAGES];

/** The link a mail carries to an account page, on the platform's public origin (PUBLIC_URL). */
export function accountPageLink(publicUrl: string, page: AccountPage, token: string): string {
  const url = new URL(`${publicUrl.replace(/\/+$/, '')}${accountPagePath(page)}`);
  url.searchParams.set('token', token);
  return url.toString();
}
