import { html, page } from '../pages/html.js';

/** The pages emailed links open. Each form posts back to its own page, its token in a hidden field. */

const brokenLinkText: Record<'verify' | 'reset', string> = {
  verify: 'Sign in and ask for a new verification mail.',
  reset: 'Ask for a new password reset mail: only the newest link works, once, within an hour.',
};

export function brokenLinkPage(kind: 'verify' | 'reset'): string {
  return page(
    'This link does not work',
    html`<p
        class="error"
        data-code="${kind === 'verify' ? 'invalid_verification_token' : 'invalid_reset_token'}"
      >
        The link is invalid, expired, replaced by a newer one or already used.
      </p>
      <p>${brokenLinkText[kind]}</p>`,
  );
}

export function verifyEmailPage(token: string): string {
  return page(
    'Confirm your email address',
    html`<p>Press the button to confirm that this address is yours.</p>
      <form method="post" action="verify-email">
        <input type="hidden" name="token" value="${token}" />
        <button type="submit">Confirm my email address</button>
      </form>`,
  );
}

export function emailVerifiedPage(): string {
  return page(
    'Email address confirmed',
    html`<p class="notice">Thank you: your email address is confirmed.</p>`,
  );
}

export interface ResetFormProblem {
  readonly field: 'password' | 'confirmation';
  readonly message: string;
}

export function resetPasswordPage(token: string, problem?: ResetFormProblem): string {
  return page(
    'Choose a new password',
    html`${
        problem
          ? html`<p class="error" role="alert" data-field="${problem.field}">${problem.message}</p>`
          : ''
      }
      <form method="post" action="reset-password">
        <input type="hidden" name="token" value="${token}" />
        <label for="password">New password (at least 12 characters)</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="new-password"
          minlength="12"
          maxlength="256"
          required
        />
        <label for="confirmation">The same password again</label>
        <input
          id="confirmation"
          name="confirmation"
          type="password"
          autocomplete="new-password"
          minlength="12"
          maxlength="256"
          required
        />
        <button type="submit">Set my new password</button>
      </form>`,
  );
}

export function passwordResetDonePage(): string {
  return page(
    'Password changed',
    html`<p class="notice">Your password is changed and every session was signed out.</p>
      <p>Sign in with your new password.</p>`,
  );
}

export function forgotPasswordPage(problem?: string): string {
  return page(
    'Forgot your password?',
    html`<p>Type the email address of your OneCommons account: we mail it a link to choose a new password.</p>
      ${problem ? html`<p class="error" role="alert" data-field="email">${problem}</p>` : ''}
      <form method="post" action="forgot-password">
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" maxlength="254" required />
        <button type="submit">Mail me a link</button>
      </form>`,
  );
}

/** The same page whether or not an account has the address: it tells no one who has an account. */
export function resetMailedPage(): string {
  return page(
    'Check your mail',
    html`<p class="notice">If an account has this email, a link to choose a new password is on its way.</p>
      <p>The link works once, within an hour; only the newest one works.</p>`,
  );
}
