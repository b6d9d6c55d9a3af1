// Jest loads this file outside the module mapper, so it imports nothing from the workspace.

/** Integration and e2e tests need the real stack: fail the run at once, with how to get it, when it is missing. */
export default function globalSetup(): void {
  if (!process.env['ONECOMMONS_TEST_STACK']) {
    throw new Error(
      'ONECOMMONS_TEST_STACK is not set: integration and e2e tests run against the stack ./dev brings up. ' +
        'Run them with `./dev test integration`, `./dev test e2e` or `./dev test`.',
    );
  }
}
