/** Exit statuses of the `commons` command. */
export const ExitCode = {
  ok: 0,
  /** The command ran and found a problem (e.g. a digest mismatch, a broken invariant). */
  failed: 1,
  /** The input was invalid; nothing was done. */
  invalidInput: 2,
  /** Not done yet and nothing is wrong: it completes on its own or when asked again (e.g. a close waiting for usage). */
  pending: 3,
} as const;

/** An error the CLI reports as one line on stderr, then exits with its code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad input: prints `invalid input: <path>: <reason>` and exits 2. */
export class InvalidInputError extends CliError {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`invalid input: ${path}: ${reason}`, ExitCode.invalidInput);
    this.name = 'InvalidInputError';
  }
}
